"""The constraints board on the database: post, acknowledge, resolve; every step checked, recorded as an event and
announced through the outbox, all in the caller's transaction.

Who does what:

- **post**: a person on the team (a member, or one of its leads) posts their *own* constraint; nobody posts for
  someone else (the CLI's ``--as`` and the importer record history, they do not speak for anyone);
- **acknowledge**: the poster's counterpart lead (see :func:`tandem.constraints.facts.counterpart_leads`), in
  person and with a role that writes (``lead`` or ``admin``): a product person's constraint is the engineering
  lead's to acknowledge, an engineer's the product lead's, anyone else's either lead's;
- **resolve**: the poster, a counterpart lead, or an admin. A counterpart lead resolving a constraint nobody
  acknowledged acknowledges it in the same step. A resolution is *joint* when the constraint was acknowledged
  first: both sides took part.

Concurrency: a constraint row carries a version (SQLAlchemy's ``version_id_col``) and every step updates it, so two
leads acknowledging at once, or an acknowledgement racing a resolution, cannot both commit from the same state: the
loser gets ``StaleDataError`` and ``tandem.db.retrying`` runs it again on the fresh state, where it is refused.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.orm.attributes import flag_modified

from tandem.constraints.facts import (
    BoardFacts,
    ConstraintFacts,
    ConstraintKind,
    ConstraintState,
    counterpart_leads,
)
from tandem.constraints.models import Constraint, ConstraintEvent
from tandem.db import utcnow
from tandem.decisions.service import Actor, DecisionError, TeamRoles, clean_text, team_roles
from tandem.notifications.service import enqueue
from tandem.org.models import Person, Team

S = ConstraintState
MAX_TEXT = 2_000
"""The longest a constraint, what would help, or a resolution note may be."""
LOOKBACK_DAYS = 366
"""The walk reads constraints posted in the last year (and every one still unresolved, whatever its age)."""


class ConstraintError(ValueError):
    """A step that cannot be taken; the message is safe to show to the user."""


class NotAllowedError(ConstraintError):
    """The actor is not the person who may take this step."""


class StateConflictError(ConstraintError):
    """The constraint is no longer in a state this step applies to (acknowledged or resolved meanwhile)."""


def clean(value: str, field: str, *, required: bool = False) -> str:
    """Text the database can hold (``clean_text``), reported as a constraint error."""
    try:
        cleaned = clean_text(value, field, MAX_TEXT)
    except DecisionError as error:
        raise ConstraintError(str(error)) from error
    if required and not cleaned:
        raise ConstraintError(f"a constraint needs its {field}")
    return cleaned


def side_of(roles: TeamRoles, person: Person) -> str:
    """The side a person speaks for on a team: the lead seat they hold there, else their function."""
    if person.id == roles.product_lead:
        return "product"
    if person.id == roles.engineering_lead:
        return "engineering"
    return person.function.value


def counterparts(session: Session, constraint: Constraint, roles: TeamRoles | None = None) -> tuple[str, ...]:
    """The people who may acknowledge this constraint now (the team's current leads; ``roles`` when the caller
    already has them). With no counterpart lead and no accountable manager (an empty seat, and so no common
    manager), the poster's own manager stands in: a constraint always has someone to hear it."""
    roles = roles or team_roles(session, constraint.team)
    found = counterpart_leads(
        constraint.function,
        poster=constraint.posted_by,
        product_lead=roles.product_lead,
        engineering_lead=roles.engineering_lead,
        accountable_manager=roles.accountable_manager,
    )
    if found:
        return found
    poster = session.get(Person, constraint.posted_by)
    manager = session.get(Person, poster.manager_id) if poster is not None and poster.manager_id else None
    return (manager.id,) if manager is not None and manager.active else ()


def _event(session: Session, constraint: Constraint, actor: Actor, what: str, now: datetime, **data: Any) -> None:
    constraint.updated_at = now
    flag_modified(constraint, "updated_at")  # an UPDATE even when nothing else changed: the version guards every race
    session.add(
        ConstraintEvent(constraint=constraint, at=now, actor=actor.label, kind=what, state=constraint.state, data=data)
    )


def _notify(session: Session, constraint: Constraint, topic: str, title: str, body: str, to: Iterable[str]) -> None:
    recipients = list(dict.fromkeys(person for person in to if person))
    if recipients:
        enqueue(
            session,
            topic=topic,
            title=title,
            body=body,
            subject=f"constraint:{constraint.id}",
            recipients=recipients,
        )


def _name(session: Session, person_id: str | None) -> str:
    person = session.get(Person, person_id) if person_id else None
    return person.name if person is not None else (person_id or "someone")


def _summary(constraint: Constraint) -> str:
    text = constraint.text if len(constraint.text) <= 120 else constraint.text[:119] + "…"
    return f"{constraint.kind.value}: {text}"


def post(
    session: Session,
    *,
    team: Team,
    actor: Actor,
    kind: ConstraintKind,
    text: str,
    help: str = "",
    now: datetime | None = None,
) -> Constraint:
    """The actor's own constraint on their team; the counterpart lead is asked to acknowledge it."""
    now = now or utcnow()
    person = session.get(Person, actor.person_id) if actor.person_id else None
    if person is None or not person.active:
        raise NotAllowedError("a constraint is someone's own: only a person in the org posts one, for themselves")
    if not team.active:
        raise ConstraintError(f"team {team.name} is inactive")
    roles = team_roles(session, team)
    if person.team_id != team.id and person.id not in (roles.product_lead, roles.engineering_lead):
        raise NotAllowedError(f"only the people of team {team.name} post constraints on its board")
    constraint = Constraint(
        team=team,
        kind=ConstraintKind(kind),
        text=clean(text, "text", required=True),
        help=clean(help, "what would help"),
        posted_by=person.id,
        function=side_of(roles, person),
        posted_at=now,
        state=S.OPEN,
        resolution="",
        created_by=actor.label,
        updated_at=now,
    )
    session.add(constraint)
    _event(session, constraint, actor, "posted", now, kind=constraint.kind.value, function=constraint.function)
    session.flush()
    wanted = " What would help: " + constraint.help if constraint.help else ""
    _notify(
        session,
        constraint,
        "constraint.posted",
        f"{person.name} is {constraint.kind.value}",
        f"{team.name}: {constraint.text}{wanted} Please acknowledge it on the team's constraints board.",
        counterparts(session, constraint),
    )
    return constraint


def _require_counterpart(session: Session, constraint: Constraint, actor: Actor) -> None:
    if actor.person_id is None or actor.person_id not in counterparts(session, constraint):
        if actor.person_id is not None and actor.person_id == constraint.posted_by:
            raise NotAllowedError("your counterpart lead acknowledges your constraint, not you")
        raise NotAllowedError("only the poster's counterpart lead acknowledges a constraint")
    if not actor.may_write:
        raise NotAllowedError("your role reads the board but does not act on it; ask an admin for the lead role")


def _acknowledge(session: Session, constraint: Constraint, actor: Actor, now: datetime) -> None:
    constraint.state = S.ACKNOWLEDGED
    constraint.acknowledged_at = now
    constraint.acknowledged_by = actor.person_id
    _event(session, constraint, actor, "acknowledged", now, by=actor.person_id)


def acknowledge(session: Session, *, constraint: Constraint, actor: Actor, now: datetime | None = None) -> None:
    """The counterpart lead has seen the constraint and takes it on; the poster is told."""
    now = now or utcnow()
    if constraint.state is not S.OPEN:
        raise StateConflictError(f"this constraint is already {constraint.state.value}")
    _require_counterpart(session, constraint, actor)
    _acknowledge(session, constraint, actor, now)
    _notify(
        session,
        constraint,
        "constraint.acknowledged",
        f"{_name(session, actor.person_id)} acknowledged your constraint",
        f"{constraint.team.name}: {_summary(constraint)}",
        (constraint.posted_by,),
    )


def resolve(
    session: Session, *, constraint: Constraint, actor: Actor, note: str = "", now: datetime | None = None
) -> None:
    """The constraint no longer holds: by the poster, a counterpart lead (acknowledging it if nobody had), or an
    admin. Joint when it was acknowledged before being resolved."""
    now = now or utcnow()
    if constraint.state is S.RESOLVED:
        raise StateConflictError("this constraint is already resolved")
    note = clean(note, "resolution note")
    is_poster = actor.person_id is not None and actor.person_id == constraint.posted_by
    if not (is_poster or actor.admin):
        _require_counterpart(session, constraint, actor)
        if constraint.state is S.OPEN:
            _acknowledge(session, constraint, actor, now)
    constraint.state = S.RESOLVED
    constraint.resolved_at = now
    constraint.resolved_by = actor.person_id
    constraint.resolved_jointly = constraint.acknowledged_at is not None
    constraint.resolution = note
    _event(session, constraint, actor, "resolved", now, jointly=constraint.resolved_jointly, note=note)
    involved = (constraint.posted_by, constraint.acknowledged_by, *counterparts(session, constraint))
    _notify(
        session,
        constraint,
        "constraint.resolved",
        f"Resolved{' together' if constraint.resolved_jointly else ''}: {_summary(constraint)}",
        f"{constraint.team.name}: resolved by {_name(session, actor.person_id) if actor.person_id else actor.label}."
        + (f" {note}" if note else ""),
        [person for person in involved if person and person != actor.person_id],
    )


def get(session: Session, constraint_id: int) -> Constraint | None:
    if not 1 <= constraint_id < 2**31:
        return None
    return session.get(Constraint, constraint_id, options=[selectinload(Constraint.events)])


def listing(
    session: Session,
    *,
    team: Team | None = None,
    states: Sequence[ConstraintState] = (),
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[Constraint], int]:
    """Constraints newest first, with the total for paging."""
    query = select(Constraint)
    if team is not None:
        query = query.where(Constraint.team_id == team.id)
    if states:
        query = query.where(Constraint.state.in_(list(states)))
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(
        query.options(selectinload(Constraint.events))
        .order_by(Constraint.posted_at.desc(), Constraint.id.desc())
        .limit(limit)
        .offset(offset)
    ).all()
    return list(rows), total


def facts_of(constraint: Constraint) -> ConstraintFacts:
    """One constraint as the pure analysis sees it (for a page's ages)."""
    return ConstraintFacts(
        id=constraint.id,
        team=constraint.team.name,
        kind=constraint.kind,
        function=constraint.function,
        posted_by=constraint.posted_by,
        posted_at=constraint.posted_at,
        text=constraint.text,
        acknowledged_at=constraint.acknowledged_at,
        acknowledged_by=constraint.acknowledged_by,
        resolved_at=constraint.resolved_at,
        resolved_jointly=constraint.resolved_jointly,
    )


# --- facts for the walk -------------------------------------------------------------------------------------------


def load_board_facts(session: Session, now: datetime | None = None, *, team: Team | None = None) -> BoardFacts:
    """Every constraint posted in the last year or still unresolved, each active team's people by side and its
    leads: Core queries only (the walk runs on page views). With ``team``, that one team only (active or not), for
    its board's figures."""
    now = now or utcnow()
    names = dict(session.execute(select(Team.id, Team.name)).all())
    people = select(Person.id, Person.team_id, Person.function).where(Person.active)
    teams = select(Team.id, Team.product_lead_id, Team.engineering_lead_id)
    if team is None:
        teams = teams.where(Team.active)
    else:
        teams = teams.where(Team.id == team.id)
        seated = [lead for lead in (team.product_lead_id, team.engineering_lead_id) if lead is not None]
        people = people.where(or_(Person.team_id == team.id, Person.id.in_(seated)))
    active = {person_id: (team_id, function.value) for person_id, team_id, function in session.execute(people)}
    leads: dict[str, dict[str, str | None]] = {}
    seats: dict[int, dict[str, str]] = {}
    """Team id -> {person id: the seat they hold}."""
    for team_id, product, engineering in session.execute(teams):
        held: dict[str, str | None] = {
            "product": product if product in active else None,
            "engineering": engineering if engineering in active else None,
        }
        leads[names[team_id]] = held
        seats[team_id] = {person: seat for seat, person in held.items() if person is not None}
    members: dict[str, dict[str, int]] = {names[team_id]: defaultdict(int) for team_id in seats}
    for team_id, seated_here in seats.items():
        for seat in seated_here.values():
            members[names[team_id]][seat] += 1
    for person_id, (home, function) in active.items():
        if home is not None and home in seats and person_id not in seats[home]:
            members[names[home]][function] += 1
    rows = session.execute(
        select(
            Constraint.id,
            Constraint.team_id,
            Constraint.kind,
            Constraint.function,
            Constraint.posted_by,
            Constraint.posted_at,
            Constraint.text,
            Constraint.acknowledged_at,
            Constraint.acknowledged_by,
            Constraint.resolved_at,
            Constraint.resolved_jointly,
        )
        .where(
            or_(Constraint.posted_at >= now - timedelta(days=LOOKBACK_DAYS), Constraint.resolved_at.is_(None)),
            Constraint.team_id.in_(sorted(seats)),
        )
        .order_by(Constraint.posted_at, Constraint.id)
    )
    constraints = [
        ConstraintFacts(
            id=row.id,
            team=names[row.team_id],
            kind=row.kind,
            function=row.function,
            posted_by=row.posted_by,
            posted_at=row.posted_at,
            text=row.text,
            acknowledged_at=row.acknowledged_at,
            acknowledged_by=row.acknowledged_by,
            resolved_at=row.resolved_at,
            resolved_jointly=row.resolved_jointly,
        )
        for row in rows
    ]
    return BoardFacts(
        constraints=constraints,
        members={team: dict(sorted(by_side.items())) for team, by_side in sorted(members.items())},
        leads=leads,
        now=now,
    )
