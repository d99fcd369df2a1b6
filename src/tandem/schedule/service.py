"""The joint schedule on the database: product ranks, engineering estimates, both leads sign the date.

Every step runs in the caller's transaction and leaves a record of who did it and when: plan items carry who
set their rank and estimate, ``plan_events`` keeps each change, and a commitment's revisions and signatures are
append-only. Concurrency: plan items and commitments carry a version (``version_id_col``), and a revision takes
one signature per function (a unique constraint), so two leads signing at once cannot both count for one side,
and a revision racing a signature makes one of them retry (``tandem.db.retrying``) on the fresh state.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified

from tandem.db import bulk_columns, utcnow
from tandem.decisions.service import Actor, TeamRoles, clean_text, team_roles
from tandem.notifications.service import enqueue
from tandem.org.models import Person, Team
from tandem.schedule.facts import ChangeTable, RevisionFacts, ScheduleFacts, SignatureFacts
from tandem.schedule.forecast import DEFAULT_WINDOW, ForecastError, Throughput, daily_throughput
from tandem.schedule.models import (
    Commitment,
    CommitmentRevision,
    CommitmentSignature,
    Plan,
    PlanEvent,
    PlanItem,
    ScheduleChange,
    TrackerItem,
)
from tandem.schedule.planning import (
    EstimatedItem,
    PlanError,
    PlanOutlook,
    ScopeForecast,
    check_dependencies,
    plan_outlook,
    scope_forecast,
)

UNITS = ("days", "points")
ITEM_STATUSES = ("open", "done", "dropped")
HISTORY_WINDOW_DAYS = DEFAULT_WINDOW or 40
"""Working days of completed tracker items a forecast samples from: the calibrated default of ``tandem forecast``."""


class ScheduleError(ValueError):
    """A step that cannot be taken; the message is safe to show to the user."""


class NotAllowedError(ScheduleError):
    """The actor is not the person who may take this step."""


def _function_of(session: Session, person_id: str | None) -> str | None:
    person = session.get(Person, person_id) if person_id else None
    return person.function.value if person is not None else None


def _lead_function(roles: TeamRoles, actor: Actor) -> str:
    """The seat the actor holds on the team, or NotAllowedError."""
    if not actor.may_write:
        raise NotAllowedError("your role reads the schedule but does not change it; ask an admin for the lead role")
    if actor.person_id is not None and actor.person_id == roles.product_lead:
        return "product"
    if actor.person_id is not None and actor.person_id == roles.engineering_lead:
        return "engineering"
    raise NotAllowedError("only the team's product lead or engineering lead can do this")


def _require(roles: TeamRoles, actor: Actor, function: str, what: str) -> None:
    if actor.admin:
        return
    if _lead_function(roles, actor) != function:
        raise NotAllowedError(f"{what} is the {function} lead's call")


# --- plans ----------------------------------------------------------------------------------------------------


def plan_for(session: Session, team: Team) -> Plan | None:
    return session.get(Plan, team.id)


def open_items(session: Session, team: Team) -> list[PlanItem]:
    """The team's open items, most important first."""
    return list(
        session.scalars(
            select(PlanItem).where(PlanItem.team_id == team.id, PlanItem.status == "open").order_by(PlanItem.rank)
        )
    )


def all_items(session: Session, team: Team) -> list[PlanItem]:
    """Open items in rank order, then done and dropped ones, newest first."""
    closed = session.scalars(
        select(PlanItem).where(PlanItem.team_id == team.id, PlanItem.status != "open").order_by(PlanItem.id.desc())
    )
    return [*open_items(session, team), *closed]


def _plan_event(session: Session, item: PlanItem, actor: Actor, kind: str, now: datetime, **data: Any) -> None:
    session.add(
        PlanEvent(
            team_id=item.team_id,
            item_id=item.id,
            at=now,
            actor=actor.label,
            actor_function=_function_of(session, actor.person_id),
            kind=kind,
            data=data,
        )
    )


def set_capacity(session: Session, team: Team, actor: Actor, *, capacity_per_day: float, unit: str = "days") -> Plan:
    """How much estimated effort a working day gets through: engineering's call, like the estimates."""
    _require(team_roles(session, team), actor, "engineering", "the team's capacity")
    if not (math.isfinite(capacity_per_day) and 0 < capacity_per_day <= 10_000):
        raise ScheduleError("capacity per working day must be a positive number (at most 10,000)")
    if unit not in UNITS:
        raise ScheduleError(f"the unit must be one of: {', '.join(UNITS)}")
    plan = session.get(Plan, team.id) or Plan(team_id=team.id)
    plan.capacity_per_day = capacity_per_day
    plan.unit = unit
    plan.updated_by = actor.label
    plan.updated_at = utcnow()
    session.add(plan)
    session.flush()
    return plan


def _clean_dependencies(session: Session, team: Team, item_id: int | None, depends_on: Sequence[int]) -> list[int]:
    wanted = sorted(set(depends_on))
    items = {i.id: i for i in open_items(session, team)}
    for need in wanted:
        if need not in items:
            raise ScheduleError(f"item {need} is not an open item of this team's plan")
    graph: dict[int, Sequence[int]] = {i: list(items[i].depends_on) for i in items}
    if item_id is not None:
        graph[item_id] = wanted
    try:
        check_dependencies({node: [n for n in needs if n in graph] for node, needs in graph.items()})
    except PlanError as error:
        raise ScheduleError(str(error)) from error
    return wanted


def add_item(
    session: Session,
    team: Team,
    actor: Actor,
    *,
    title: str,
    description: str = "",
    depends_on: Sequence[int] = (),
    tracker_key: str | None = None,
    now: datetime | None = None,
) -> PlanItem:
    """A new open item at the bottom of the plan; either lead may add scope, product then ranks it."""
    now = now or utcnow()
    if not actor.admin:
        _lead_function(team_roles(session, team), actor)
    title = clean_text(title, "title", 300)
    if not title:
        raise ScheduleError("an item needs a title")
    bottom = session.scalar(
        select(func.max(PlanItem.rank)).where(PlanItem.team_id == team.id, PlanItem.status == "open")
    )
    item = PlanItem(
        team_id=team.id,
        title=title,
        description=clean_text(description, "description", 10_000),
        rank=(bottom or 0) + 1,
        status="open",
        depends_on=_clean_dependencies(session, team, None, depends_on),
        tracker_key=clean_text(tracker_key, "tracker key", 200) or None if tracker_key else None,
        created_by=actor.label,
        created_at=now,
        ranked_by=actor.label,
        ranked_at=now,
    )
    session.add(item)
    session.flush()
    _plan_event(session, item, actor, "added", now, title=item.title, rank=item.rank)
    return item


def rank(session: Session, team: Team, actor: Actor, order: Sequence[int], *, now: datetime | None = None) -> None:
    """Product's ranking: ``order`` lists every open item's id, most important first.

    Only items whose rank changes are touched (their ``ranked_by``/``ranked_at`` and one event each), so the
    record says who put each item where. The full list is required so a page that showed a stale plan cannot
    silently drop an item someone added meanwhile.
    """
    now = now or utcnow()
    _require(team_roles(session, team), actor, "product", "ranking the plan")
    items = {item.id: item for item in open_items(session, team)}
    if len(order) != len(set(order)) or set(order) != set(items):
        raise ScheduleError("the new order must list every open item of the plan exactly once; reload and retry")
    for position, item_id in enumerate(order, start=1):
        item = items[item_id]
        if item.rank != position:
            _plan_event(session, item, actor, "ranked", now, rank_from=item.rank, rank_to=position)
            item.rank = position
            item.ranked_by = actor.label
            item.ranked_at = now
    session.flush()


def estimate(
    session: Session,
    item: PlanItem,
    actor: Actor,
    *,
    optimistic: float,
    likely: float,
    pessimistic: float,
    now: datetime | None = None,
) -> PlanItem:
    """Engineering's three-point estimate, in the plan's unit."""
    now = now or utcnow()
    team = session.get_one(Team, item.team_id)
    _require(team_roles(session, team), actor, "engineering", "estimating")
    if item.status != "open":
        raise ScheduleError("only open items are estimated")
    values = (optimistic, likely, pessimistic)
    if not all(math.isfinite(v) and 0 <= v <= 100_000 for v in values):
        raise ScheduleError("estimates must be numbers from 0 to 100,000")
    if not optimistic <= likely <= pessimistic:
        raise ScheduleError("estimates must satisfy optimistic <= most likely <= pessimistic")
    before = [item.optimistic, item.likely, item.pessimistic]
    item.optimistic, item.likely, item.pessimistic = optimistic, likely, pessimistic
    item.estimated_by = actor.label
    item.estimated_at = now
    _plan_event(session, item, actor, "estimated", now, before=before, after=list(values))
    session.flush()
    return item


def set_dependencies(session: Session, item: PlanItem, actor: Actor, depends_on: Sequence[int]) -> PlanItem:
    """What must be done before this item: either lead may say; cycles are refused."""
    team = session.get_one(Team, item.team_id)
    if not actor.admin:
        _lead_function(team_roles(session, team), actor)
    if item.id in depends_on:
        raise ScheduleError("an item cannot depend on itself")
    before = list(item.depends_on)
    item.depends_on = _clean_dependencies(session, team, item.id, depends_on)
    flag_modified(item, "depends_on")
    _plan_event(session, item, actor, "dependencies", utcnow(), before=before, after=item.depends_on)
    session.flush()
    return item


def close_item(session: Session, item: PlanItem, actor: Actor, status: str, *, now: datetime | None = None) -> None:
    """Done or dropped: out of the ranking (the ranks below close up), kept in the record."""
    now = now or utcnow()
    team = session.get_one(Team, item.team_id)
    if not actor.admin:
        _lead_function(team_roles(session, team), actor)
    if status not in ("done", "dropped"):
        raise ScheduleError("an item is closed as done or dropped")
    if item.status != "open":
        raise ScheduleError(f"this item is already {item.status}")
    needed_by = [other.id for other in open_items(session, team) if item.id in other.depends_on]
    if status == "dropped" and needed_by:
        raise ScheduleError(f"items {needed_by} depend on this one; change them before dropping it")
    _plan_event(session, item, actor, status, now, rank=item.rank)
    item.status = status
    for later in open_items(session, team):
        if later.rank > item.rank:
            later.rank -= 1
    if status == "done":
        for other in open_items(session, team):
            if item.id in other.depends_on:
                other.depends_on = [n for n in other.depends_on if n != item.id]
                flag_modified(other, "depends_on")
    session.flush()


def estimated_items(items: Sequence[PlanItem]) -> list[EstimatedItem]:
    return [EstimatedItem(i.id, i.optimistic, i.likely, i.pessimistic, tuple(i.depends_on)) for i in items]


# --- throughput history -----------------------------------------------------------------------------------------


def completion_dates(session: Session, team_id: int, *, since: date, until: date) -> list[date]:
    """The days the team's imported tracker items were completed, in the window."""
    start = datetime.combine(since, time(), UTC)
    rows = session.scalars(
        select(TrackerItem.completed_at).where(
            TrackerItem.team_id == team_id, TrackerItem.completed_at.is_not(None), TrackerItem.completed_at >= start
        )
    )
    return [moment.date() for moment in rows if moment is not None and moment.date() <= until]


def team_throughput(session: Session, team_id: int, *, until: date) -> Throughput | None:
    """The team's daily throughput over the last ``HISTORY_WINDOW_DAYS`` working days, None when it has none."""
    since = until - timedelta(days=HISTORY_WINDOW_DAYS * 7 // 5 + 7)
    dates = completion_dates(session, team_id, since=since, until=until)
    if not dates:
        return None
    try:
        return daily_throughput(dates, until=until, window=HISTORY_WINDOW_DAYS)
    except ForecastError:
        return None


# --- commitments ----------------------------------------------------------------------------------------------


def commitments_of(session: Session, team: Team) -> list[Commitment]:
    return list(session.scalars(select(Commitment).where(Commitment.team_id == team.id).order_by(Commitment.id.desc())))


def revision(commitment: Commitment, number: int) -> CommitmentRevision:
    found = next((r for r in commitment.revisions if r.number == number), None)
    if found is None:
        raise ScheduleError(f"commitment {commitment.id} has no revision {number}")
    return found


def latest(commitment: Commitment) -> CommitmentRevision:
    return revision(commitment, commitment.latest_revision)


def in_force(commitment: Commitment) -> CommitmentRevision | None:
    return revision(commitment, commitment.in_force_revision) if commitment.in_force_revision else None


def _clean_scope(session: Session, team: Team, scope: Sequence[int]) -> list[int]:
    if not scope:
        raise ScheduleError("a commitment needs a scope: at least one plan item")
    items = {item.id: item for item in all_items(session, team)}
    unknown = [i for i in scope if i not in items]
    if unknown:
        raise ScheduleError(f"items {unknown} are not in this team's plan")
    dropped = [i for i in scope if items[i].status == "dropped"]
    if dropped:
        raise ScheduleError(f"items {dropped} were dropped and cannot be committed to")
    ranks = {item.id: (item.status != "open", item.rank) for item in items.values()}
    return sorted(set(scope), key=ranks.__getitem__)


def _check_terms(target_date: date, confidence: float, today: date) -> None:
    if target_date <= today:
        raise ScheduleError("the target date must be in the future")
    if not (math.isfinite(confidence) and 0.5 <= confidence <= 0.99):
        raise ScheduleError("the confidence must be between 0.5 and 0.99 (e.g. 0.85)")


def forecast_scope(session: Session, team: Team, scope: Sequence[int], *, today: date) -> ScopeForecast | None:
    """The scope's P50 date now: from the plan's estimates, else the team's throughput history."""
    plan = session.get(Plan, team.id)
    open_scope = [i for i in scope if i in {item.id for item in open_items(session, team)}]
    if not open_scope:
        return None
    return scope_forecast(
        estimated_items(open_items(session, team)),
        open_scope,
        capacity_per_day=plan.capacity_per_day if plan else 1.0,
        start=today,
        history=team_throughput(session, team.id, until=today),
    )


def _sign(
    session: Session, commitment: Commitment, rev: CommitmentRevision, person_id: str, function: str, now: datetime
) -> None:
    team = session.get_one(Team, commitment.team_id)
    forecast = forecast_scope(session, team, rev.scope, today=now.date())
    session.add(
        CommitmentSignature(
            revision=rev,
            person_id=person_id,
            function=function,
            signed_at=now,
            forecast_p50=forecast.p50 if forecast else None,
            forecast_method=forecast.method if forecast else None,
        )
    )
    signed = {signature.function for signature in rev.signatures} | {function}
    if {"product", "engineering"} <= signed:
        commitment.in_force_revision = rev.number
        commitment.state = "in_force"
    commitment.updated_at = now
    flag_modified(commitment, "updated_at")  # an UPDATE every time: the version guards every race


def _ask_counterpart(session: Session, commitment: Commitment, roles: TeamRoles, function: str, title: str) -> None:
    counterpart = roles.engineering_lead if function == "product" else roles.product_lead
    rev = latest(commitment)
    enqueue(
        session,
        topic="commitment.signature_needed",
        title=title,
        body=(
            f"{commitment.title}: {len(rev.scope)} item(s) by {rev.target_date.isoformat()} at "
            f"{rev.confidence:.0%} confidence, proposed by the {function} lead. It is in force only once you sign."
        ),
        subject=f"commitment:{commitment.id}",
        recipients=[counterpart] if counterpart else [],
    )


def propose(
    session: Session,
    team: Team,
    actor: Actor,
    *,
    title: str,
    target_date: date,
    scope: Sequence[int],
    confidence: float = 0.85,
    reason: str = "",
    now: datetime | None = None,
) -> Commitment:
    """A lead proposes a date for a scope and signs it; it is in force once the counterpart signs too."""
    now = now or utcnow()
    roles = team_roles(session, team)
    function = _lead_function(roles, actor)
    assert actor.person_id is not None  # a lead is a person
    title = clean_text(title, "title", 300)
    if not title:
        raise ScheduleError("a commitment needs a title")
    _check_terms(target_date, confidence, now.date())
    commitment = Commitment(team_id=team.id, title=title, state="proposed", latest_revision=1, created_at=now)
    commitment.updated_at = now
    rev = CommitmentRevision(
        commitment=commitment,
        number=1,
        target_date=target_date,
        scope=_clean_scope(session, team, scope),
        confidence=confidence,
        initiated_by=actor.person_id,
        initiated_function=function,
        reason=clean_text(reason, "reason", 2_000),
        created_at=now,
    )
    session.add_all([commitment, rev])
    session.flush()
    _sign(session, commitment, rev, actor.person_id, function, now)
    _ask_counterpart(session, commitment, roles, function, f"Sign the proposed commitment '{title}'")
    session.flush()
    return commitment


def revise(
    session: Session,
    commitment: Commitment,
    actor: Actor,
    *,
    target_date: date | None = None,
    scope: Sequence[int] | None = None,
    confidence: float | None = None,
    reason: str = "",
    now: datetime | None = None,
) -> CommitmentRevision:
    """A change of date, scope or confidence: a new revision signed by its initiator, awaiting the counterpart.

    Until then the revision both signed stays in force: a date moves only when both leads move it.
    """
    now = now or utcnow()
    team = session.get_one(Team, commitment.team_id)
    roles = team_roles(session, team)
    function = _lead_function(roles, actor)
    assert actor.person_id is not None
    if commitment.state == "withdrawn":
        raise ScheduleError("this commitment was withdrawn")
    current = latest(commitment)
    new_date = target_date or current.target_date
    new_scope = _clean_scope(session, team, scope) if scope is not None else list(current.scope)
    new_confidence = confidence if confidence is not None else current.confidence
    if (new_date, sorted(new_scope), new_confidence) == (
        current.target_date,
        sorted(current.scope),
        current.confidence,
    ):
        raise ScheduleError("a revision must change the date, the scope or the confidence")
    _check_terms(new_date, new_confidence, now.date())
    reason = clean_text(reason, "reason", 2_000)
    if not reason:
        raise ScheduleError("say why the commitment changes: the counterpart signs the reason too")
    rev = CommitmentRevision(
        commitment=commitment,
        number=commitment.latest_revision + 1,
        target_date=new_date,
        scope=new_scope,
        confidence=new_confidence,
        initiated_by=actor.person_id,
        initiated_function=function,
        reason=reason,
        created_at=now,
    )
    session.add(rev)
    commitment.latest_revision = rev.number
    commitment.state = "revising" if commitment.in_force_revision else "proposed"
    session.flush()
    _sign(session, commitment, rev, actor.person_id, function, now)
    _ask_counterpart(session, commitment, roles, function, f"Sign revision {rev.number} of '{commitment.title}'")
    session.flush()
    return rev


def sign(
    session: Session, commitment: Commitment, actor: Actor, *, revision_number: int, now: datetime | None = None
) -> CommitmentRevision:
    """The counterpart signs the revision they read (``revision_number``), putting it in force.

    Naming the revision means a signature never lands on a newer revision the signer has not seen.
    """
    now = now or utcnow()
    team = session.get_one(Team, commitment.team_id)
    function = _lead_function(team_roles(session, team), actor)
    assert actor.person_id is not None
    if commitment.state == "withdrawn":
        raise ScheduleError("this commitment was withdrawn")
    if revision_number != commitment.latest_revision:
        raise ScheduleError(
            f"revision {revision_number} is not the latest (revision {commitment.latest_revision} is); read it first"
        )
    rev = latest(commitment)
    if any(signature.function == function for signature in rev.signatures):
        raise ScheduleError(f"the {function} side has already signed revision {rev.number}")
    _sign(session, commitment, rev, actor.person_id, function, now)
    session.flush()
    return rev


def withdraw(session: Session, commitment: Commitment, actor: Actor, *, now: datetime | None = None) -> None:
    """A proposal nobody else has signed can be withdrawn by either lead; a commitment in force is changed by
    a revision both sign, never dropped by one side."""
    team = session.get_one(Team, commitment.team_id)
    _lead_function(team_roles(session, team), actor)
    if commitment.in_force_revision is not None:
        raise ScheduleError("a commitment in force cannot be withdrawn by one lead; propose a revision instead")
    if commitment.state == "withdrawn":
        raise ScheduleError("this commitment was already withdrawn")
    commitment.state = "withdrawn"
    commitment.updated_at = now or utcnow()


@dataclass(frozen=True)
class SignatureView:
    function: str
    person_id: str
    signed_at: datetime
    forecast_p50: date | None
    forecast_method: str | None


def signatures(rev: CommitmentRevision) -> dict[str, SignatureView]:
    return {
        s.function: SignatureView(s.function, s.person_id, s.signed_at, s.forecast_p50, s.forecast_method)
        for s in rev.signatures
    }


# --- facts for the walk -------------------------------------------------------------------------------------------

LOOKBACK_DAYS = 366
"""The longest window the siloed-schedule detector may look back over (``schedule_window_days`` is capped)."""


def load_schedule_facts(session: Session, now: datetime | None = None) -> ScheduleFacts:
    """The last year's tracker changes and every commitment revision, as plain facts: Core queries only."""
    now = now or utcnow()
    names: dict[int | None, str] = dict(session.execute(select(Team.id, Team.name)).all())
    leads: dict[str, dict[str, str | None]] = {}
    active = set(session.scalars(select(Person.id).where(Person.active)))
    for team_id, product, engineering in session.execute(
        select(Team.id, Team.product_lead_id, Team.engineering_lead_id).where(Team.active)
    ):
        leads[names[team_id]] = {
            "product": product if product in active else None,
            "engineering": engineering if engineering in active else None,
        }
    columns = bulk_columns(  # a year of changes is a million rows: read as columns, never as a million objects
        session,
        select(
            ScheduleChange.team_id,
            ScheduleChange.item_key,
            ScheduleChange.field,
            ScheduleChange.at,
            ScheduleChange.actor,
            ScheduleChange.person_id,
            ScheduleChange.function,
            ScheduleChange.source,
            ScheduleChange.from_value,
            ScheduleChange.to_value,
        ).where(ScheduleChange.team_id.is_not(None), ScheduleChange.at >= now - timedelta(days=LOOKBACK_DAYS)),
    )
    columns[0] = [names[team_id] for team_id in columns[0]]
    changes = ChangeTable(*columns)
    signed: dict[int, list[SignatureFacts]] = defaultdict(list)
    for row in session.execute(
        select(
            CommitmentSignature.revision_id,
            CommitmentSignature.function,
            CommitmentSignature.person_id,
            CommitmentSignature.signed_at,
            CommitmentSignature.forecast_p50,
            CommitmentSignature.forecast_method,
        ).order_by(CommitmentSignature.id)
    ):
        signed[row.revision_id].append(
            SignatureFacts(row.function, row.person_id, row.signed_at, row.forecast_p50, row.forecast_method)
        )
    revisions = [
        RevisionFacts(
            commitment_id=row.commitment_id,
            title=row.title,
            team=names[row.team_id],
            number=row.number,
            target_date=row.target_date,
            scope_size=len(row.scope),
            confidence=row.confidence,
            initiated_by=row.initiated_by,
            initiated_function=row.initiated_function,
            created_at=row.created_at,
            signatures=tuple(signed[row.id]),
            in_force=row.number == row.in_force_revision and row.state != "withdrawn",
            withdrawn=row.state == "withdrawn",
        )
        for row in session.execute(
            select(
                CommitmentRevision.id,
                CommitmentRevision.commitment_id,
                CommitmentRevision.number,
                CommitmentRevision.target_date,
                CommitmentRevision.scope,
                CommitmentRevision.confidence,
                CommitmentRevision.initiated_by,
                CommitmentRevision.initiated_function,
                CommitmentRevision.created_at,
                Commitment.title,
                Commitment.team_id,
                Commitment.in_force_revision,
                Commitment.state,
            )
            .join(Commitment, Commitment.id == CommitmentRevision.commitment_id)
            .order_by(CommitmentRevision.commitment_id, CommitmentRevision.number)
        )
    ]
    return ScheduleFacts(changes=changes, revisions=revisions, leads=leads, now=now)


# --- the plan's forecast --------------------------------------------------------------------------------------


def outlook(
    session: Session, team: Team, *, start: date, target: date | None = None, confidence: float = 0.85
) -> tuple[Plan | None, PlanOutlook]:
    """The team's plan and its forecast in work order as far as estimates reach (``planning.plan_outlook``)."""
    plan = session.get(Plan, team.id)
    return plan, plan_outlook(
        estimated_items(open_items(session, team)),
        capacity_per_day=plan.capacity_per_day if plan is not None else 1.0,
        start=start,
        target=target,
        confidence=confidence,
    )
