from gaoxin.policy.models.documents import Measure, MeasureAmount, PolicyDocument
from gaoxin.policy.models.progress import Evidence, ProgressReport, Reminder
from gaoxin.policy.models.units import Assignment, ResponsibleUnit, UnitLink, normalise_unit

__all__ = [
    "Assignment",
    "Evidence",
    "Measure",
    "MeasureAmount",
    "PolicyDocument",
    "ProgressReport",
    "Reminder",
    "ResponsibleUnit",
    "UnitLink",
    "normalise_unit",
]
