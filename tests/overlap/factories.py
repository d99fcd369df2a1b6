"""Factories for rituals: an occurrence and who attended it, straight into the tables (no calendar file).

The walk's cache keys on calendar imports, which these rows are not: add them before the first request that reads
the walk.
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from tandem.org.models import Person, Team
from tandem.overlap.facts import RitualKind
from tandem.overlap.models import RitualAttendance, RitualOccurrence

_keys = itertools.count(1)


def team_named(session: Session, name: str) -> Team:
    return session.scalars(select(Team).where(Team.name == name)).one()


def add_occurrence(
    session: Session,
    team: Team | str,
    kind: RitualKind,
    start: datetime,
    attendees: Sequence[str],
    organiser: str | None = None,
    *,
    minutes: int = 30,
    summary: str | None = None,
) -> RitualOccurrence:
    """One ritual of ``team`` (a team or its name) at ``start`` attended by the people with these ids, called by
    ``organiser`` (a person id, or None for someone outside the org), in the caller's transaction."""
    chosen = team_named(session, team) if isinstance(team, str) else team
    key = hashlib.sha256(f"test:{next(_keys)}:{chosen.name}:{start.isoformat()}".encode()).hexdigest()
    email = session.scalar(select(Person.email).where(Person.id == organiser)) if organiser else "guest@example.org"
    occurrence = RitualOccurrence(
        team_id=chosen.id,
        kind=kind,
        summary=summary if summary is not None else f"{kind.value} {start:%Y-%m-%d %H:%M}",
        starts_at=start,
        minutes=minutes,
        organiser_id=organiser,
        organiser_email=email,
        import_key=key,
        source="csv:test.csv",
    )
    occurrence.attendances = [RitualAttendance(person_id=person) for person in sorted(set(attendees))]
    session.add(occurrence)
    session.flush()
    return occurrence
