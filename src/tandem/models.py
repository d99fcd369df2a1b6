"""Every domain's tables, imported in one place so migrations and ``Base.metadata`` see them all."""

from tandem.accounts.models import ApiToken, PasswordLink, Role, SignInThrottle, User, WebSession
from tandem.audit.models import AuditEvent
from tandem.decisions.models import Decision, DecisionEvent, DecisionScore, DecisionSignoff
from tandem.notifications.models import Notification
from tandem.org.models import Function, OrgImport, Person, PersonAlias, Team
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

__all__ = [
    "ApiToken",
    "AuditEvent",
    "Commitment",
    "CommitmentRevision",
    "CommitmentSignature",
    "Decision",
    "DecisionEvent",
    "DecisionScore",
    "DecisionSignoff",
    "Function",
    "Notification",
    "OrgImport",
    "PasswordLink",
    "Person",
    "PersonAlias",
    "Plan",
    "PlanEvent",
    "PlanItem",
    "Role",
    "ScheduleChange",
    "SignInThrottle",
    "Team",
    "TrackerImport",
    "TrackerItem",
    "User",
    "WebSession",
]
