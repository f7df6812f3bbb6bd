from gaoxin.statistics.models.forms import (
    FormAssignment,
    FormUnlock,
    FormVariable,
    ReportingForm,
    ValidationRule,
)
from gaoxin.statistics.models.observations import Batch, Observation, ObservationChange
from gaoxin.statistics.models.reminders import Reminder, ReminderKind
from gaoxin.statistics.models.submissions import (
    Submission,
    SubmissionEvent,
    SubmissionState,
)
from gaoxin.statistics.models.variables import Variable
from gaoxin.statistics.models.versions import DataVersion, DataVersionKind

__all__ = [
    "Batch",
    "DataVersion",
    "DataVersionKind",
    "FormAssignment",
    "FormUnlock",
    "FormVariable",
    "Observation",
    "ObservationChange",
    "Reminder",
    "ReminderKind",
    "ReportingForm",
    "Submission",
    "SubmissionEvent",
    "SubmissionState",
    "ValidationRule",
    "Variable",
]
