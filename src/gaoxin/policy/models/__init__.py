from gaoxin.policy.models.documents import Measure, MeasureAmount, PolicyDocument
from gaoxin.policy.models.progress import Evidence, ProgressReport
from gaoxin.policy.models.units import Assignment, ResponsibleUnit, normalise_unit

__all__ = [
    "Assignment",
    "Evidence",
    "Measure",
    "MeasureAmount",
    "PolicyDocument",
    "ProgressReport",
    "ResponsibleUnit",
    "normalise_unit",
]
