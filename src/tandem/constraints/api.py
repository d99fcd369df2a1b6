"""A team's constraints board in the browser and under /api/v1/teams/{team}/constraints: people post their own
constraints, the counterpart lead acknowledges, both resolve; everyone who reads the team reads its board."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any, Literal, TypeVar
from urllib.parse import quote

from fastapi import APIRouter, Form, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from tandem.accounts.models import Role
from tandem.accounts.permissions import Viewer
from tandem.config import Thresholds
from tandem.constraints import analysis, service
from tandem.constraints.facts import ConstraintKind, ConstraintState
from tandem.constraints.models import Constraint
from tandem.constraints.schemas import ConstraintCreate, ConstraintOut, EventOut, ResolveIn
from tandem.constraints.service import ConstraintError, NotAllowedError, StateConflictError
from tandem.db import retrying, utcnow
from tandem.decisions.api import actor_for
from tandem.decisions.service import Actor, TeamRoles, team_roles
from tandem.org.models import Person, Team
from tandem.org.schemas import Page
from tandem.web.deps import CurrentViewer, SessionDep, SettingsDep, readable_team
from tandem.web.render import page

router = APIRouter()
T = TypeVar("T")
POSTING_ROLES = frozenset({Role.ADMIN, Role.LEAD, Role.MEMBER})
"""Roles that post their own constraints: a member's own input is exactly what the board is for."""
BOARD_LIMIT = 500
"""The most constraints a board page shows."""
Show = Literal["live", "open", "acknowledged", "resolved", "all"]
SHOWN: dict[str, tuple[ConstraintState, ...]] = {
    "live": (ConstraintState.OPEN, ConstraintState.ACKNOWLEDGED),
    "open": (ConstraintState.OPEN,),
    "acknowledged": (ConstraintState.ACKNOWLEDGED,),
    "resolved": (ConstraintState.RESOLVED,),
    "all": (),
}
NOTICES = {
    "posted": "Posted. Your counterpart lead has been asked to acknowledge it.",
    "acknowledged": "Acknowledged; the poster has been told.",
    "resolved": "Resolved.",
}
"""The only messages a redirect may show (``?done=key``): nothing from the URL is echoed."""


def may_post(viewer: Viewer, team: str) -> bool:
    """Whether the viewer may post their own constraint on a team's board: a role that writes its own inputs, and
    a person who sits on that team or leads it (the service checks the person again)."""
    return (
        viewer.role in POSTING_ROLES
        and viewer.person_id is not None
        and (team == viewer.home_team or team in viewer.led_teams)
    )


def board_url(team_name: str) -> str:
    return f"/teams/{quote(team_name)}/constraints"


def _constraint(session: Session, team: Team, constraint_id: int) -> Constraint:
    constraint = service.get(session, constraint_id)
    if constraint is None or constraint.team_id != team.id:
        raise HTTPException(404, "No such constraint on this team's board.")
    return constraint


def _write(request: Request, viewer: Viewer, team_name: str, step: Callable[[Session, Team, Actor], T]) -> T:
    """Run one step in its own transaction, again if a concurrent step won the race on the same constraint."""
    actor = actor_for(viewer)

    def work(session: Session) -> T:
        return step(session, readable_team(session, viewer, team_name), actor)

    return retrying(request.app.state.engine, work)


def _post(viewer: Viewer) -> Callable[[Session, Team, Actor, ConstraintKind, str, str], Constraint]:
    def step(session: Session, team: Team, actor: Actor, kind: ConstraintKind, text: str, help: str) -> Constraint:
        if viewer.role not in POSTING_ROLES:
            raise NotAllowedError("your role reads the board but does not post on it")
        return service.post(session, team=team, actor=actor, kind=kind, text=text, help=help)

    return step


def _status(error: ConstraintError, *, api: bool) -> int:
    if isinstance(error, NotAllowedError):
        return 403
    if isinstance(error, StateConflictError):
        return 409
    return 422 if api else 400


# --- the page -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Card:
    """One constraint as the board shows it, with what the viewer may do to it."""

    constraint: Constraint
    age: str
    overdue: bool
    counterparts: tuple[str, ...]
    can_acknowledge: bool
    can_resolve: bool


def _cards(
    session: Session, viewer: Viewer, rows: list[Constraint], thresholds: Thresholds, now: datetime
) -> list[Card]:
    actor = actor_for(viewer)
    cards = []
    roles: dict[int, TeamRoles] = {}  # one team's roles, read once for the whole board
    for constraint in rows:
        facts = service.facts_of(constraint)
        if constraint.team_id not in roles:
            roles[constraint.team_id] = team_roles(session, constraint.team)
        others = service.counterparts(session, constraint, roles[constraint.team_id])
        counterpart = viewer.person_id is not None and viewer.person_id in others and actor.may_write
        live = constraint.state is not ConstraintState.RESOLVED
        waited = analysis.unacknowledged_working_days(facts, now)
        cards.append(
            Card(
                constraint=constraint,
                age=analysis.age_text(facts, now),
                overdue=constraint.state is ConstraintState.OPEN and waited > thresholds.acknowledgement_working_days,
                counterparts=others,
                can_acknowledge=counterpart and constraint.state is ConstraintState.OPEN,
                can_resolve=live and (counterpart or actor.admin or viewer.person_id == constraint.posted_by),
            )
        )
    order = {ConstraintState.OPEN: 0, ConstraintState.ACKNOWLEDGED: 1, ConstraintState.RESOLVED: 2}
    live_cards = sorted(
        (c for c in cards if c.constraint.state is not ConstraintState.RESOLVED),
        key=lambda c: (order[c.constraint.state], c.constraint.posted_at, c.constraint.id),
    )
    resolved = sorted(
        (c for c in cards if c.constraint.state is ConstraintState.RESOLVED),
        key=lambda c: (c.constraint.resolved_at or c.constraint.posted_at, c.constraint.id),
        reverse=True,
    )
    return [*live_cards, *resolved]


def _figures(session: Session, team: Team, thresholds: Thresholds, now: datetime) -> dict[str, Any]:
    """The team's constraint metrics, as the walk computes them (``analysis.team_metrics``)."""
    facts = service.load_board_facts(session, now, team=team)
    return analysis.team_metrics(facts, thresholds).get(team.name, {})


def _board_page(
    request: Request,
    viewer: Viewer,
    session: Session,
    team_name: str,
    *,
    show: Show = "live",
    status: int = 200,
    error: str | None = None,
    notice: str | None = None,
) -> HTMLResponse:
    team = readable_team(session, viewer, team_name)
    thresholds: Thresholds = request.app.state.settings.thresholds
    now = utcnow()
    rows, total = service.listing(session, team=team, states=SHOWN[show], limit=BOARD_LIMIT)
    cards = _cards(session, viewer, rows, thresholds, now)
    roles = team_roles(session, team)
    wanted = {c.constraint.posted_by for c in cards} | {p for c in cards for p in c.counterparts}
    wanted |= {c.constraint.acknowledged_by for c in cards if c.constraint.acknowledged_by}
    wanted |= {x for x in (roles.product_lead, roles.engineering_lead) if x}
    people = {p.id: p for p in session.scalars(select(Person).where(Person.id.in_(wanted)))} if wanted else {}
    return page(
        request,
        "constraints.html",
        status,
        viewer=viewer,
        team=team,
        roles=roles,
        people=people,
        cards=cards,
        total=total,
        shown=len(cards),
        show=show,
        shows=list(SHOWN),
        kinds=list(ConstraintKind),
        figures=_figures(session, team, thresholds, now),
        thresholds=thresholds,
        can_post=may_post(viewer, team.name),
        board_url=board_url(team.name),
        error=error,
        notice=notice,
    )


@router.get("/teams/{team:path}/constraints", response_class=HTMLResponse, include_in_schema=False)
def board_page(
    request: Request, team: str, viewer: CurrentViewer, session: SessionDep, show: Show = "live", done: str = ""
) -> HTMLResponse:
    return _board_page(request, viewer, session, team, show=show, notice=NOTICES.get(done))


def _form_step(
    request: Request,
    viewer: Viewer,
    session: Session,
    team_name: str,
    step: Callable[[Session, Team, Actor], Constraint],
    *,
    done: str,
) -> Response:
    """A form's step, then back to the board: with a notice when it worked, the board and the error when not."""

    def run(s: Session, team: Team, actor: Actor) -> tuple[str, int]:
        return team.name, step(s, team, actor).id

    try:
        name, constraint_id = _write(request, viewer, team_name, run)
    except ConstraintError as error:
        session.expire_all()
        return _board_page(request, viewer, session, team_name, status=_status(error, api=False), error=str(error))
    return RedirectResponse(f"{board_url(name)}?done={done}#constraint-{constraint_id}", status_code=303)


@router.post("/teams/{team:path}/constraints", include_in_schema=False)
def post_form(
    request: Request,
    team: str,
    viewer: CurrentViewer,
    session: SessionDep,
    kind: Annotated[ConstraintKind, Form()],
    text: Annotated[str, Form()],
    help: Annotated[str, Form()] = "",
) -> Response:
    post = _post(viewer)
    return _form_step(request, viewer, session, team, lambda s, t, a: post(s, t, a, kind, text, help), done="posted")


@router.post("/teams/{team:path}/constraints/{constraint_id}/acknowledge", include_in_schema=False)
def acknowledge_form(
    request: Request, team: str, constraint_id: int, viewer: CurrentViewer, session: SessionDep
) -> Response:
    def step(s: Session, t: Team, actor: Actor) -> Constraint:
        constraint = _constraint(s, t, constraint_id)
        service.acknowledge(s, constraint=constraint, actor=actor)
        return constraint

    return _form_step(request, viewer, session, team, step, done="acknowledged")


@router.post("/teams/{team:path}/constraints/{constraint_id}/resolve", include_in_schema=False)
def resolve_form(
    request: Request,
    team: str,
    constraint_id: int,
    viewer: CurrentViewer,
    session: SessionDep,
    note: Annotated[str, Form()] = "",
) -> Response:
    def step(s: Session, t: Team, actor: Actor) -> Constraint:
        constraint = _constraint(s, t, constraint_id)
        service.resolve(s, constraint=constraint, actor=actor, note=note)
        return constraint

    return _form_step(request, viewer, session, team, step, done="resolved")


# --- REST API --------------------------------------------------------------------------------------------------


def constraint_out(session: Session, constraint: Constraint, now: datetime | None = None) -> ConstraintOut:
    now = now or utcnow()
    facts = service.facts_of(constraint)
    return ConstraintOut(
        id=constraint.id,
        team=constraint.team.name,
        kind=constraint.kind,
        state=constraint.state,
        text=constraint.text,
        help=constraint.help,
        posted_by=constraint.posted_by,
        function=constraint.function,
        posted_at=constraint.posted_at,
        counterparts=list(service.counterparts(session, constraint)),
        acknowledged_at=constraint.acknowledged_at,
        acknowledged_by=constraint.acknowledged_by,
        resolved_at=constraint.resolved_at,
        resolved_by=constraint.resolved_by,
        resolved_jointly=constraint.resolved_jointly,
        resolution=constraint.resolution,
        working_days_unacknowledged=round(analysis.unacknowledged_working_days(facts, now), 2),
        age=analysis.age_text(facts, now),
        events=[EventOut(at=e.at, actor=e.actor, kind=e.kind, state=e.state, data=e.data) for e in constraint.events],
    )


def _api_step(
    request: Request, viewer: Viewer, team_name: str, step: Callable[[Session, Team, Actor], Constraint], status: int
) -> Any:
    """A step and its answer, built in the same transaction; a user error as ``{"detail": message}``."""

    def run(s: Session, team: Team, actor: Actor) -> dict[str, Any]:
        constraint = step(s, team, actor)
        s.flush()
        return constraint_out(s, constraint).model_dump(mode="json")

    try:
        body = _write(request, viewer, team_name, run)
    except ConstraintError as error:
        return JSONResponse({"detail": str(error)}, _status(error, api=True))
    return JSONResponse(body, status)


@router.get("/api/v1/teams/{team:path}/constraints", response_model=Page[ConstraintOut], tags=["constraints"])
def list_json(
    team: str,
    viewer: CurrentViewer,
    session: SessionDep,
    settings: SettingsDep,
    state: Annotated[list[ConstraintState] | None, Query()] = None,
    limit: Annotated[int | None, Query(ge=1, le=1000)] = None,
    offset: Annotated[int, Query(ge=0, le=2**31 - 1)] = 0,
) -> Page[ConstraintOut]:
    """The team's constraints, newest first; filter by one or more ``state``."""
    chosen = readable_team(session, viewer, team)
    size = limit or settings.web.page_size
    rows, total = service.listing(session, team=chosen, states=state or [], limit=size, offset=offset)
    now = utcnow()
    return Page[ConstraintOut](
        items=[constraint_out(session, c, now) for c in rows], total=total, limit=size, offset=offset
    )


@router.get("/api/v1/teams/{team:path}/constraints/{constraint_id}", response_model=ConstraintOut, tags=["constraints"])
def get_json(team: str, constraint_id: int, viewer: CurrentViewer, session: SessionDep) -> ConstraintOut:
    return constraint_out(session, _constraint(session, readable_team(session, viewer, team), constraint_id))


@router.post(
    "/api/v1/teams/{team:path}/constraints", response_model=ConstraintOut, status_code=201, tags=["constraints"]
)
def post_json(body: ConstraintCreate, team: str, request: Request, viewer: CurrentViewer) -> Any:
    """Post your own constraint on your team's board; the counterpart lead is notified."""
    post = _post(viewer)
    return _api_step(request, viewer, team, lambda s, t, a: post(s, t, a, body.kind, body.text, body.help), 201)


@router.post(
    "/api/v1/teams/{team:path}/constraints/{constraint_id}/acknowledge",
    response_model=ConstraintOut,
    tags=["constraints"],
)
def acknowledge_json(team: str, constraint_id: int, request: Request, viewer: CurrentViewer) -> Any:
    """The counterpart lead acknowledges (409 once acknowledged or resolved)."""

    def step(s: Session, t: Team, actor: Actor) -> Constraint:
        constraint = _constraint(s, t, constraint_id)
        service.acknowledge(s, constraint=constraint, actor=actor)
        return constraint

    return _api_step(request, viewer, team, step, 200)


@router.post(
    "/api/v1/teams/{team:path}/constraints/{constraint_id}/resolve", response_model=ConstraintOut, tags=["constraints"]
)
def resolve_json(
    team: str, constraint_id: int, request: Request, viewer: CurrentViewer, body: ResolveIn | None = None
) -> Any:
    """The poster, a counterpart lead or an admin resolves, with an optional note (409 once resolved)."""
    note = body.note if body is not None else ""

    def step(s: Session, t: Team, actor: Actor) -> Constraint:
        constraint = _constraint(s, t, constraint_id)
        service.resolve(s, constraint=constraint, actor=actor, note=note)
        return constraint

    return _api_step(request, viewer, team, step, 200)
