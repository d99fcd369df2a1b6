"""The decision workflow on the database: every step checked by the state machine, recorded as an event,
announced through the outbox, all in the caller's transaction.

Concurrency: a decision row carries a version (SQLAlchemy's ``version_id_col``); every step updates that row,
so two steps racing on the same decision (two leads signing at once, a sign-off against the automatic
escalation) cannot both commit from the same starting point: the loser gets ``StaleDataError``, and
``tandem.db.retrying`` runs it again on the fresh state.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any

from sqlalchemy import String, cast, func, select
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.orm.attributes import flag_modified

from tandem.config import DecisionSettings
from tandem.db import bulk_columns, utcnow
from tandem.decisions.facts import DecisionFacts, DecisionState, Factor, Stance
from tandem.decisions.lifecycle import Action, after_signoffs, check, due_for_escalation
from tandem.decisions.models import Decision, DecisionEvent, DecisionScore, DecisionSignoff
from tandem.notifications.service import enqueue
from tandem.org.models import Person, Team
from tandem.workdays import add_working_days

S = DecisionState
SCORE_RANGE = range(-2, 3)
SYSTEM = "worker"


class DecisionError(ValueError):
    """A step that cannot be taken; the message is safe to show to the user."""


class NotAllowedError(DecisionError):
    """The actor is not the person who may take this step."""


@dataclass(frozen=True)
class Actor:
    """Who acts: a label for the record (``user:EMAIL``, ``cli:USER as ID``, ``worker``), their person id, and
    whether their role may write for a team at all (admins and leads may; executives and members may not,
    even when they sit in a lead's seat). Deciding an escalation is the accountable manager's duty whatever
    their role."""

    label: str
    person_id: str | None
    admin: bool = False
    may_write: bool = True


@dataclass(frozen=True)
class TeamRoles:
    """The people a team's decisions need: its two leads and their accountable manager."""

    product_lead: str | None
    engineering_lead: str | None
    accountable_manager: str | None

    @property
    def leads(self) -> tuple[str, str]:
        if self.product_lead is None or self.engineering_lead is None:
            raise DecisionError("this team needs both a product lead and an engineering lead to decide together")
        if self.product_lead == self.engineering_lead:
            raise DecisionError("one person holds both lead seats: a two-in-a-box decision needs two people")
        return self.product_lead, self.engineering_lead

    def is_lead(self, person_id: str | None) -> bool:
        return person_id is not None and person_id in (self.product_lead, self.engineering_lead)


def _manager_of(session: Session, person_id: str) -> str | None:
    person = session.get(Person, person_id)
    return person.manager_id if person is not None else None


def _active(session: Session, person_id: str | None) -> str | None:
    person = session.get(Person, person_id) if person_id else None
    return person.id if person is not None and person.active else None


def reporting_line(person_id: str, manager_of: Callable[[str], str | None]) -> list[str]:
    """The person's managers, nearest first (a cycle in the data ends the line)."""
    chain: list[str] = []
    current = manager_of(person_id)
    while current is not None and current not in chain:
        chain.append(current)
        current = manager_of(current)
    return chain


def resolve_roles(
    team: Team, active: Callable[[str | None], str | None], manager_of: Callable[[str], str | None]
) -> TeamRoles:
    """The team's active leads and their accountable manager: the explicit override (if active and not one of
    the leads, who cannot judge their own disagreement), else the lowest common manager. Who is active and who
    reports to whom come as lookups: a session's for one team, or dictionaries built once for the whole org."""
    product, engineering = active(team.product_lead_id), active(team.engineering_lead_id)
    manager = active(team.accountable_manager_id)
    if manager is None or manager in (product, engineering):
        manager = None
        if product and engineering:
            above = set(reporting_line(product, manager_of))
            manager = next((m for m in reporting_line(engineering, manager_of) if m in above), None)
    return TeamRoles(product, engineering, manager)


def team_roles(session: Session, team: Team) -> TeamRoles:
    """``resolve_roles`` for one team, looked up through the session."""
    return resolve_roles(team, partial(_active, session), partial(_manager_of, session))


def _event(session: Session, decision: Decision, actor: Actor, kind: str, now: datetime, **data: Any) -> None:
    decision.updated_at = now
    flag_modified(decision, "updated_at")  # an UPDATE even when nothing else changed: the version guards every race
    session.add(DecisionEvent(decision=decision, at=now, actor=actor.label, kind=kind, state=decision.state, data=data))


def _notify(session: Session, decision: Decision, topic: str, title: str, body: str, to: Iterable[str | None]) -> None:
    enqueue(
        session,
        topic=topic,
        title=title,
        body=body,
        subject=f"decision:{decision.id}",
        recipients=[person for person in to if person],
    )


def _require_lead(roles: TeamRoles, actor: Actor) -> None:
    if not roles.is_lead(actor.person_id):
        raise NotAllowedError("only the team's product lead or engineering lead can do this")
    if not actor.may_write:
        raise NotAllowedError("your role reads decisions but does not act on them; ask an admin for the lead role")


def clean_text(value: str, field: str, limit: int) -> str:
    """Text the database can hold: no NUL, valid Unicode, at most ``limit`` characters."""
    value = value.strip()
    if "\x00" in value:
        raise DecisionError(f"the {field} contains a NUL character")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as error:
        raise DecisionError(f"the {field} is not valid Unicode text") from error
    if len(value) > limit:
        raise DecisionError(f"the {field} can be at most {limit} characters")
    return value


def _valid_option(decision: Decision, option: str) -> str:
    if option not in decision.options:
        raise DecisionError(f"'{option}' is not one of this decision's options: {', '.join(decision.options)}")
    return option


def clean_options(options: Sequence[str]) -> list[str]:
    """Options as the pages can offer them: stripped, inner spaces collapsed, distinct."""
    collapsed = (" ".join(clean_text(option, "option", 200).split()) for option in options)
    cleaned = list(dict.fromkeys(option for option in collapsed if option))
    if len(cleaned) < 2:
        raise DecisionError("a decision needs at least two different options")
    return cleaned


def create(
    session: Session,
    *,
    team: Team,
    title: str,
    options: Sequence[str],
    actor: Actor,
    settings: DecisionSettings,
    context: str = "",
    decide_by: datetime | None = None,
    links: Sequence[str] = (),
    now: datetime | None = None,
) -> Decision:
    """A draft decision; its time-box defaults to the settings' working days from now."""
    now = now or utcnow()
    roles = team_roles(session, team)
    if not actor.admin:
        _require_lead(roles, actor)
    title = clean_text(title, "title", 300)
    if not title:
        raise DecisionError("a decision needs a title")
    if decide_by is not None and decide_by.tzinfo is None:
        raise DecisionError("decide-by needs a time zone (e.g. 2026-12-04T17:00:00Z)")
    if decide_by is not None and decide_by <= now:
        raise DecisionError("decide-by must be in the future")
    decision = Decision(
        team=team,
        title=title,
        context=clean_text(context, "context", 10_000),
        options=clean_options(options),
        links=[link.strip() for link in links if link.strip()],
        state=S.DRAFT,
        decide_by=decide_by or add_working_days(now, settings.timebox_working_days),
        created_by=actor.label,
        created_at=now,
        updated_at=now,
        stated_preferences={},
    )
    session.add(decision)
    _event(session, decision, actor, "created", now, options=decision.options)
    session.flush()
    return decision


def open_decision(
    session: Session,
    *,
    decision: Decision,
    actor: Actor,
    now: datetime | None = None,
    timebox_working_days: int = 5,
) -> None:
    """Open the decision for scoring and sign-off; both leads are asked for theirs. A draft whose decide-by has
    passed gets a fresh time-box from now."""
    now = now or utcnow()
    check(decision.state, Action.OPEN)
    roles = team_roles(session, decision.team)
    if not actor.admin:
        _require_lead(roles, actor)
    roles.leads  # noqa: B018 (raises when a seat is empty or both are one person: no two-in-a-box)
    if decision.decide_by <= now:
        decision.decide_by = add_working_days(now, timebox_working_days)
    decision.state = S.OPEN
    decision.opened_at = now
    _event(session, decision, actor, "opened", now, decide_by=decision.decide_by.isoformat())
    _notify(
        session,
        decision,
        "decision.requested",
        f"Score and sign: {decision.title}",
        f"{decision.team.name}: please weigh every option on the five factors and sign an option by "
        f"{decision.decide_by:%Y-%m-%d}.",
        roles.leads,
    )


def score(
    session: Session,
    *,
    decision: Decision,
    actor: Actor,
    option: str,
    factor: Factor,
    value: int,
    rationale: str = "",
    now: datetime | None = None,
) -> None:
    """A lead's score of one option on one factor (-2 to +2); a later score replaces the earlier one."""
    now = now or utcnow()
    check(decision.state, Action.SCORE)
    _require_lead(team_roles(session, decision.team), actor)
    _valid_option(decision, option)
    if value not in SCORE_RANGE:
        raise DecisionError("a score is a whole number from -2 to +2")
    rationale = clean_text(rationale, "rationale", 300)
    assert actor.person_id is not None
    existing = next(
        (s for s in decision.scores if (s.person_id, s.option, s.factor) == (actor.person_id, option, factor)), None
    )
    if existing is None:
        decision.scores.append(
            DecisionScore(
                person_id=actor.person_id, option=option, factor=factor, score=value, rationale=rationale, scored_at=now
            )
        )
    else:
        existing.score, existing.rationale, existing.scored_at = value, rationale, now
    _event(session, decision, actor, "scored", now, option=option, factor=factor.value, score=value)


def sign(
    session: Session,
    *,
    decision: Decision,
    actor: Actor,
    option: str,
    stance: Stance = Stance.AGREE,
    now: datetime | None = None,
) -> None:
    """A lead signs an option; once both have signed, the decision is agreed or contested."""
    now = now or utcnow()
    check(decision.state, Action.SIGN)
    roles = team_roles(session, decision.team)
    _require_lead(roles, actor)
    _valid_option(decision, option)
    assert actor.person_id is not None
    existing = next((s for s in decision.signoffs if s.person_id == actor.person_id), None)
    if existing is None:
        decision.signoffs.append(
            DecisionSignoff(person_id=actor.person_id, option=option, stance=stance, signed_at=now)
        )
    else:
        existing.option, existing.stance, existing.signed_at = option, stance, now
    state = after_signoffs({s.person_id: s.option for s in decision.signoffs}, roles.leads)
    if state is S.CONTESTED and decision.contested_at is None:
        decision.contested_at = now
    decision.state = state
    if state is S.AGREED:
        decision.resolved_at = now
        decision.chosen_option = option
    _event(session, decision, actor, "signed", now, option=option, stance=stance.value)
    if state is S.AGREED:
        _notify(
            session,
            decision,
            "decision.made",
            f"Agreed: {decision.title}",
            f"{decision.team.name}: both leads signed '{option}'.",
            (*roles.leads, roles.accountable_manager),
        )


def escalate(
    session: Session, *, decision: Decision, actor: Actor, reason: str = "manual", now: datetime | None = None
) -> None:
    """Hand the decision to the accountable manager: by a lead, or by the worker when its time is up."""
    now = now or utcnow()
    check(decision.state, Action.ESCALATE)
    roles = team_roles(session, decision.team)
    if actor.label != SYSTEM:
        _require_lead(roles, actor)
    if roles.accountable_manager is None:
        raise DecisionError("the team's leads have no common manager to escalate to; name an accountable manager")
    decision.state = S.ESCALATED
    decision.escalated_at = now
    decision.escalation_reason = reason
    _event(session, decision, actor, "escalated", now, reason=reason, to=roles.accountable_manager)
    _notify(
        session,
        decision,
        "decision.escalated",
        f"Escalated to you: {decision.title}",
        f"{decision.team.name}: the leads need your decision ({reason.replace('_', ' ')}). "
        "Please decide within two working days.",
        (roles.accountable_manager,),
    )


def decide(
    session: Session,
    *,
    decision: Decision,
    actor: Actor,
    option: str,
    rationale: str,
    now: datetime | None = None,
) -> None:
    """The accountable manager decides an escalated decision, with a rationale."""
    now = now or utcnow()
    check(decision.state, Action.DECIDE)
    roles = team_roles(session, decision.team)
    if actor.person_id is None or actor.person_id != roles.accountable_manager:
        raise NotAllowedError("only the team's accountable manager can decide an escalated decision")
    _valid_option(decision, option)
    rationale = clean_text(rationale, "rationale", 10_000)
    if not rationale:
        raise DecisionError("say why: a decision by the accountable manager needs a rationale")
    decision.state = S.DECIDED
    decision.chosen_option = option
    decision.rationale = rationale
    decision.decided_by_id = actor.person_id
    decision.resolved_at = now
    _event(session, decision, actor, "decided", now, option=option)
    _notify(
        session,
        decision,
        "decision.made",
        f"Decided: {decision.title}",
        f"{decision.team.name}: '{option}'. Why: {decision.rationale}",
        roles.leads,
    )


def close(session: Session, *, decision: Decision, actor: Actor, now: datetime | None = None) -> None:
    now = now or utcnow()
    check(decision.state, Action.CLOSE)
    roles = team_roles(session, decision.team)
    if not (actor.admin or actor.person_id == roles.accountable_manager):
        _require_lead(roles, actor)
    decision.state = S.CLOSED
    decision.closed_at = now
    _event(session, decision, actor, "closed", now)


def escalate_overdue(session: Session, *, settings: DecisionSettings, now: datetime | None = None) -> list[int]:
    """Escalate every open or contested decision whose time-box or contest grace has run out."""
    now = now or utcnow()
    escalated: list[int] = []
    candidates = session.scalars(
        select(Decision).where(Decision.state.in_([S.OPEN, S.CONTESTED])).order_by(Decision.id)
    ).all()
    for decision in candidates:
        reason = due_for_escalation(
            decision.state, decision.decide_by, decision.contested_at, now, settings.escalation_grace_working_days
        )
        if reason is not None and team_roles(session, decision.team).accountable_manager is not None:
            escalate(session, decision=decision, actor=Actor(SYSTEM, None), reason=reason, now=now)
            escalated.append(decision.id)
    return escalated


def get(session: Session, decision_id: int) -> Decision | None:
    return session.get(
        Decision,
        decision_id,
        options=[selectinload(Decision.scores), selectinload(Decision.signoffs), selectinload(Decision.events)],
    )


def listing(
    session: Session,
    *,
    team: Team | None = None,
    states: Sequence[DecisionState] = (),
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[Decision], int]:
    query = select(Decision)
    if team is not None:
        query = query.where(Decision.team_id == team.id)
    if states:
        query = query.where(Decision.state.in_(list(states)))
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(query.order_by(Decision.id.desc()).limit(limit).offset(offset)).all()
    return list(rows), total


def lead_preference(
    person_id: str,
    options: Sequence[str],
    signoffs: Iterable[tuple[str, str, Stance]],
    stated: dict[str, Any],
    scores: Iterable[tuple[str, str, int]],
) -> str | None:
    """A lead's preference: the option they signed in agreement, else a recorded preference, else their
    highest-scored option. A "disagree and commit" sign-off is a commitment, not a preference, so it is skipped:
    otherwise every disagreement settled that way would hide whose view lost. Pure: used by the pages (from
    ORM objects) and the walk (from plain rows) alike."""
    signed = next((option for by, option, stance in signoffs if by == person_id and stance is Stance.AGREE), None)
    if signed is not None:
        return signed
    recorded = stated.get(person_id)
    if isinstance(recorded, str):
        return recorded
    totals: dict[str, int] = {}
    for by, option, value in scores:
        if by == person_id:
            totals[option] = totals.get(option, 0) + value
    return max(options, key=lambda option: totals.get(option, -99)) if totals else None


def preferred_option(decision: Decision, person_id: str) -> str | None:
    return lead_preference(
        person_id,
        decision.options,
        [(s.person_id, s.option, s.stance) for s in decision.signoffs],
        decision.stated_preferences,
        [(s.person_id, s.option, s.score) for s in decision.scores],
    )


def load_facts(session: Session) -> list[DecisionFacts]:
    """Every opened decision as plain facts for the detectors: three Core queries, no ORM objects (the walk
    runs on every page view)."""
    functions = {pid: str(function) for pid, function in session.execute(select(Person.id, Person.function))}
    leads = {
        tid: (product, engineering)
        for tid, product, engineering in session.execute(
            select(Team.id, Team.product_lead_id, Team.engineering_lead_id)
        )
    }
    names = dict(session.execute(select(Team.id, Team.name)).all())
    scores_of: dict[int, list[tuple[str, str, Factor, int]]] = {}
    factors = {factor.value: factor for factor in Factor}
    # A million scores at 2,000 teams: read as columns, with the factor as its stored text looked up here rather
    # than one enum conversion per row.
    score_columns = bulk_columns(
        session,
        select(
            DecisionScore.decision_id,
            DecisionScore.person_id,
            DecisionScore.option,
            cast(DecisionScore.factor, String),
            DecisionScore.score,
        ),
    )
    for decision_id, by, option, factor, value in zip(*score_columns, strict=True):
        scores_of.setdefault(decision_id, []).append((by, option, factors[factor], value))
    signoffs_of: dict[int, list[tuple[str, str, Stance]]] = {}
    for decision_id, by, option, stance in session.execute(
        select(DecisionSignoff.decision_id, DecisionSignoff.person_id, DecisionSignoff.option, DecisionSignoff.stance)
    ):
        signoffs_of.setdefault(decision_id, []).append((by, option, stance))
    facts: list[DecisionFacts] = []
    rows = session.execute(
        select(
            Decision.id,
            Decision.team_id,
            Decision.title,
            Decision.state,
            Decision.options,
            Decision.stated_preferences,
            Decision.opened_at,
            Decision.decide_by,
            Decision.resolved_at,
            Decision.escalated_at,
            Decision.contested_at,
            Decision.chosen_option,
            Decision.decided_by_id,
        )
        .where(Decision.opened_at.is_not(None))
        .order_by(Decision.id)
    )
    for row in rows:
        scored = scores_of.get(row.id, [])
        product, engineering = leads.get(row.team_id, (None, None))
        preferences = {
            function: preferred
            for function, lead in (("product", product), ("engineering", engineering))
            if lead is not None
            and (
                preferred := lead_preference(
                    lead,
                    row.options,
                    signoffs_of.get(row.id, []),
                    row.stated_preferences,
                    [(by, opt, value) for by, opt, _, value in scored],
                )
            )
            is not None
        }
        scores: dict[str, dict[Factor, list[int]]] = {}
        for by, _, factor, value in scored:
            scores.setdefault(functions.get(by, "other"), {}).setdefault(factor, []).append(value)
        decided_by: str | None = "joint" if row.resolved_at is not None else None
        if row.decided_by_id is not None:
            decided_by = "manager"  # only the accountable manager decides; their own function does not matter
        facts.append(
            DecisionFacts(
                id=row.id,
                team=names.get(row.team_id, "?"),
                title=row.title,
                state=row.state,
                opened_at=row.opened_at,
                decide_by=row.decide_by,
                resolved_at=row.resolved_at,
                escalated_at=row.escalated_at,
                contested=row.contested_at is not None
                or len(set(preferences.values())) == 2,  # a disagreement conceded is still a disagreement
                chosen_option=row.chosen_option,
                decided_by_function=decided_by,
                preferences=preferences,
                scores=scores,
            )
        )
    return facts
