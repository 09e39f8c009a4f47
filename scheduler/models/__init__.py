"""SQLAlchemy models, one module per area; importing this package registers every table."""
from scheduler.models.access import AccessRecord
from scheduler.models.audit import AuditEvent
from scheduler.models.calendar import BusyBlock, CalendarSource
from scheduler.models.candidate import Application, Candidate
from scheduler.models.consent import Consent
from scheduler.models.decision import StageDecision
from scheduler.models.feedback import Feedback, FeedbackAmendment, FeedbackScore, Rubric
from scheduler.models.interview import (
    BookingGroup, Interview, InterviewerAssignment, InterviewNoShow,
)
from scheduler.models.link import SchedulingLink
from scheduler.models.office import Office, WorkdayOverride, WorkdayYearMark
from scheduler.models.outbox import OutboxMessage, Reminder
from scheduler.models.requisition import (
    Requisition, StageTemplate, requisition_coordinator, requisition_office,
)
from scheduler.models.types import NaiveDatetimeError, UTCDateTime
from scheduler.models.user import (
    AvailabilityOverride, InterviewerProfile, Qualification, User, UserRole, WorkingWindow,
)

__all__ = [
    "AccessRecord", "Application", "AuditEvent", "AvailabilityOverride", "BookingGroup", "BusyBlock",
    "CalendarSource", "Candidate", "Consent", "Feedback", "FeedbackAmendment", "FeedbackScore", "Interview",
    "InterviewerAssignment", "InterviewNoShow", "InterviewerProfile", "NaiveDatetimeError",
    "Office", "OutboxMessage", "Qualification", "Reminder", "Requisition", "Rubric",
    "SchedulingLink", "StageDecision", "StageTemplate", "UTCDateTime", "User", "UserRole", "WorkdayOverride", "WorkdayYearMark",
    "WorkingWindow",
    "requisition_coordinator", "requisition_office",
]
