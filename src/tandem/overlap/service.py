"""Reading rituals for the analysis and the pages: Core queries into plain facts, no ORM objects on the walk's path."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tandem.db import utcnow
from tandem.decisions.service import load_facts as load_decision_facts
from tandem.org.models import Person, Team
from tandem.overlap.facts import Attendee, OccurrenceFacts, OverlapFacts, PressureFacts, RitualKind
from tandem.overlap.models import RitualAttendance, RitualOccurrence
from tandem.schedule.service import load_schedule_facts
from tandem.trust.service import load_trust_facts

LOOKBACK_DAYS = 366
"""Rituals are read a year back: the longest overlap window, the pressure window and the monthly trend."""


def _leads(session: Session, team_id: int | None) -> tuple[dict[int, str], dict[str, dict[str, str | None]]]:
    """Team names (every team, by id) and the active people in each active team's lead seats (or the one team's)."""
    names = dict(session.execute(select(Team.id, Team.name)).all())
    active = set(session.scalars(select(Person.id).where(Person.active)))
    teams = select(Team.id, Team.product_lead_id, Team.engineering_lead_id)
    teams = teams.where(Team.id == team_id) if team_id is not None else teams.where(Team.active)
    leads = {
        names[tid]: {
            "product": product if product in active else None,
            "engineering": engineering if engineering in active else None,
        }
        for tid, product, engineering in session.execute(teams)
    }
    return names, leads


def load_overlap_facts(session: Session, now: datetime | None = None, *, team_id: int | None = None) -> OverlapFacts:
    """The last year's ritual occurrences up to ``now`` with their attendees, each attendee on the side they speak
    for (their lead seat on the occurrence's team, else their function); the active teams and their leads. With
    ``team_id``, that one team only (active or not), for its page."""
    now = now or utcnow()
    names, leads = _leads(session, team_id)
    functions = {pid: function.value for pid, function in session.execute(select(Person.id, Person.function))}
    seats = {team: {person: seat for seat, person in held.items() if person} for team, held in leads.items()}
    since = now - timedelta(days=LOOKBACK_DAYS)
    occurrences = select(
        RitualOccurrence.id,
        RitualOccurrence.team_id,
        RitualOccurrence.kind,
        RitualOccurrence.starts_at,
        RitualOccurrence.minutes,
        RitualOccurrence.summary,
        RitualOccurrence.organiser_id,
    ).where(RitualOccurrence.starts_at >= since, RitualOccurrence.starts_at <= now)
    attendance = (
        select(RitualAttendance.occurrence_id, RitualAttendance.person_id)
        .join(RitualOccurrence, RitualOccurrence.id == RitualAttendance.occurrence_id)
        .where(RitualOccurrence.starts_at >= since, RitualOccurrence.starts_at <= now)
    )
    if team_id is not None:
        occurrences = occurrences.where(RitualOccurrence.team_id == team_id)
        attendance = attendance.where(RitualOccurrence.team_id == team_id)
    present: dict[int, list[str]] = defaultdict(list)
    for occurrence_id, person_id in session.connection().execute(attendance):  # Core rows: no ORM overhead
        present[occurrence_id].append(person_id)

    def side(team: str, person: str | None) -> str | None:
        if person is None:
            return None
        return seats.get(team, {}).get(person) or functions.get(person)

    attendees: dict[tuple[str, str], Attendee] = {}
    """One Attendee per (team, person): a person at a hundred standups is one object, not a hundred."""

    def attendee(team: str, person: str) -> Attendee:
        found = attendees.get((team, person))
        if found is None:
            found = attendees[(team, person)] = Attendee(person, side(team, person) or "other")
        return found

    facts = []
    for row in session.connection().execute(occurrences.order_by(RitualOccurrence.starts_at, RitualOccurrence.id)):
        team = names[row.team_id]
        present_here = present.get(row.id, ())
        facts.append(
            OccurrenceFacts(
                id=row.id,
                team=team,
                kind=row.kind,
                start=row.starts_at,
                minutes=row.minutes,
                summary=row.summary,
                organiser=row.organiser_id,
                organiser_function=side(team, row.organiser_id),
                attendees=tuple(attendee(team, person) for person in sorted(present_here)),
            )
        )
    return OverlapFacts(occurrences=facts, leads=leads, teams=tuple(sorted(leads)), now=now)


def load_pressure_facts(session: Session, now: datetime | None = None) -> PressureFacts:
    """Everything the pressure test reads: the year's schedule, every decision, the year's rituals and the closed
    pulses (each domain's own loader)."""
    now = now or utcnow()
    overlap = load_overlap_facts(session, now)
    return PressureFacts(
        schedule=load_schedule_facts(session, now),
        decisions=load_decision_facts(session),
        occurrences=overlap.occurrences,
        trust=load_trust_facts(session, now),
        now=now,
        leads=overlap.leads,
    )


def occurrences(
    session: Session,
    *,
    team: Team,
    since: datetime | None = None,
    until: datetime | None = None,
    kind: RitualKind | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[OccurrenceFacts], int]:
    """The team's occurrences from ``since`` (included) to ``until`` (excluded), of one kind or every kind, newest
    first, with the total for paging; each attendee on the side they speak for, as ``load_overlap_facts`` places
    them (their lead seat on the team, else their function)."""
    query = select(
        RitualOccurrence.id,
        RitualOccurrence.kind,
        RitualOccurrence.starts_at,
        RitualOccurrence.minutes,
        RitualOccurrence.summary,
        RitualOccurrence.organiser_id,
    ).where(RitualOccurrence.team_id == team.id)
    if since is not None:
        query = query.where(RitualOccurrence.starts_at >= since)
    if until is not None:
        query = query.where(RitualOccurrence.starts_at < until)
    if kind is not None:
        query = query.where(RitualOccurrence.kind == kind)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.execute(
        query.order_by(RitualOccurrence.starts_at.desc(), RitualOccurrence.id.desc()).limit(limit).offset(offset)
    ).all()
    present: dict[int, list[str]] = defaultdict(list)
    if rows:
        attendance = select(RitualAttendance.occurrence_id, RitualAttendance.person_id).where(
            RitualAttendance.occurrence_id.in_([row.id for row in rows])
        )
        for occurrence_id, person_id in session.connection().execute(attendance):  # Core rows: no ORM overhead
            present[occurrence_id].append(person_id)
    people = {person for attendees in present.values() for person in attendees}
    people |= {row.organiser_id for row in rows if row.organiser_id is not None}
    functions = {
        pid: function.value
        for pid, function in session.execute(select(Person.id, Person.function).where(Person.id.in_(people)))
    }
    _names, leads = _leads(session, team.id)
    seats = {person: seat for seat, person in leads.get(team.name, {}).items() if person}

    def side(person: str | None) -> str | None:
        return None if person is None else seats.get(person) or functions.get(person)

    listed = [
        OccurrenceFacts(
            id=row.id,
            team=team.name,
            kind=row.kind,
            start=row.starts_at,
            minutes=row.minutes,
            summary=row.summary,
            organiser=row.organiser_id,
            organiser_function=side(row.organiser_id),
            attendees=tuple(Attendee(person, side(person) or "other") for person in sorted(present[row.id])),
        )
        for row in rows
    ]
    return listed, total
