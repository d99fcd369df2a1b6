"""Every domain's tables, imported in one place so migrations and ``Base.metadata`` see them all."""

from tandem.accounts.models import ApiToken, PasswordLink, Role, SignInThrottle, User, WebSession
from tandem.audit.models import AuditEvent
from tandem.constraints.models import Constraint, ConstraintEvent
from tandem.decisions.models import Decision, DecisionEvent, DecisionScore, DecisionSignoff
from tandem.followup.models import WalkAction, WalkSnapshot
from tandem.notifications.models import Notification
from tandem.org.models import Function, OrgImport, Person, PersonAlias, Team
from tandem.overlap.models import RitualAttendance, RitualImport, RitualOccurrence
from tandem.schedule.models import (
    Commitment,
    CommitmentRevision,
    CommitmentSignature,
    Plan,
    PlanEvent,
    PlanItem,
    ScheduleChange,
    TrackerImport,
    TrackerItem,
)
from tandem.trust.models import (
    InstrumentVersion,
    Pulse,
    PulseAnswer,
    PulseComment,
    PulseInvitation,
    PulseKey,
    PulseRespondentMark,
    PulseResponse,
    PulseSchedule,
)

__all__ = [
    "ApiToken",
    "AuditEvent",
    "Commitment",
    "CommitmentRevision",
    "CommitmentSignature",
    "Constraint",
    "ConstraintEvent",
    "Decision",
    "DecisionEvent",
    "DecisionScore",
    "DecisionSignoff",
    "Function",
    "InstrumentVersion",
    "Notification",
    "OrgImport",
    "PasswordLink",
    "Person",
    "PersonAlias",
    "Plan",
    "PlanEvent",
    "PlanItem",
    "Pulse",
    "PulseAnswer",
    "PulseComment",
    "PulseInvitation",
    "PulseKey",
    "PulseRespondentMark",
    "PulseResponse",
    "PulseSchedule",
    "RitualAttendance",
    "RitualImport",
    "RitualOccurrence",
    "Role",
    "ScheduleChange",
    "SignInThrottle",
    "Team",
    "TrackerImport",
    "TrackerItem",
    "User",
    "WalkAction",
    "WalkSnapshot",
    "WebSession",
]
