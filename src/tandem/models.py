"""Every domain's tables, imported in one place so migrations and ``Base.metadata`` see them all."""

from tandem.accounts.models import ApiToken, PasswordLink, Role, SignInThrottle, User, WebSession
from tandem.audit.models import AuditEvent
from tandem.decisions.models import Decision, DecisionEvent, DecisionScore, DecisionSignoff
from tandem.notifications.models import Notification
from tandem.org.models import Function, OrgImport, Person, PersonAlias, Team

__all__ = [
    "ApiToken",
    "AuditEvent",
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
    "Role",
    "SignInThrottle",
    "Team",
    "User",
    "WebSession",
]
