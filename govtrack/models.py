"""Imports every feature's models so that SQLAlchemy and Alembic see all tables."""

from govtrack.accounts.models import Account, LoginAttempt, LoginSession
from govtrack.actions.models import ActionItem, ActionUpdate
from govtrack.agencies.models import Agency, Person
from govtrack.audit.models import AuditEntry
from govtrack.chairs.models import ChairTerm, RotationPolicy
from govtrack.committees.models import Committee, Membership, StageChange
from govtrack.health.models import HealthSnapshot, SnapshotCommittee, SnapshotFlag
from govtrack.meetings.models import (
    AgendaItem,
    AgendaRequest,
    Attendance,
    CalendarFeed,
    Meeting,
    QuorumRule,
)
from govtrack.mous.models import Mou, MouVersion, SignatoryAuthorisation, SigningEvent
from govtrack.notifications.models import Notification
from govtrack.pdsa.models import DataPoint, Measure, PdsaCycle, PhaseChange
from govtrack.reminders.models import ReminderPreference, SchedulerLease
from govtrack.submissions import FormSubmission
from govtrack.workgroups.models import Goal, Milestone, Workgroup, WorkgroupUpdate

__all__ = ["Account", "ActionItem", "ActionUpdate", "Agency", "AgendaItem", "AgendaRequest",
           "Attendance", "AuditEntry", "CalendarFeed", "ChairTerm", "Committee", "FormSubmission",
           "Goal", "HealthSnapshot",
           "LoginAttempt", "LoginSession", "Meeting", "Membership", "Milestone", "Mou",
           "MouVersion", "Notification", "Person", "QuorumRule", "ReminderPreference",
           "RotationPolicy", "SchedulerLease", "SnapshotCommittee", "SnapshotFlag",
           "SignatoryAuthorisation", "SigningEvent", "StageChange",
           "Workgroup", "WorkgroupUpdate", "DataPoint", "Measure", "PdsaCycle", "PhaseChange"]
