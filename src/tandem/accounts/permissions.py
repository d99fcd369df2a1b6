"""Who may read and write what: pure rules over a ``Viewer``, checked by every route on the server."""

from __future__ import annotations

from dataclasses import dataclass, field

from tandem.accounts.models import Role

ORG_READERS = frozenset({Role.ADMIN, Role.EXECUTIVE, Role.LEAD})


@dataclass(frozen=True)
class Viewer:
    """A signed-in user as the rules see them: their role and where they sit in the org (if they are in it)."""

    user_id: int
    email: str
    role: Role
    person_id: str | None = None
    home_team: str | None = None
    led_teams: frozenset[str] = field(default_factory=frozenset)
    """Teams whose product or engineering lead this user is."""

    @property
    def actor(self) -> str:
        return f"user:{self.email}"


def can_read_org(viewer: Viewer) -> bool:
    """The walk, the org chart, every team's pair: admins, executives and leads."""
    return viewer.role in ORG_READERS


def can_read_team(viewer: Viewer, team: str) -> bool:
    """A team page: org readers see every team; a member sees their own."""
    return can_read_org(viewer) or team == viewer.home_team or team in viewer.led_teams


def can_read_person(viewer: Viewer, person_id: str, person_team: str | None) -> bool:
    """A person page: org readers see everyone; a member sees themselves and their own team."""
    return (
        can_read_org(viewer)
        or person_id == viewer.person_id
        or (person_team is not None and person_team == viewer.home_team)
    )


def can_administer(viewer: Viewer) -> bool:
    """Imports, users and roles, the audit log."""
    return viewer.role == Role.ADMIN
