"""Decisions in the browser and under /api/v1/decisions: leads act, the accountable manager decides, others read."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime, time
from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from tandem.accounts.models import Role
from tandem.accounts.permissions import Viewer, can_read_org, can_read_team
from tandem.config import Settings
from tandem.db import retrying
from tandem.decisions import service
from tandem.decisions.facts import DecisionState, Factor, Stance
from tandem.decisions.lifecycle import ALLOWED, Action, IllegalTransitionError
from tandem.decisions.models import Decision
from tandem.decisions.schemas import (
    DecideIn,
    DecisionCreate,
    DecisionOut,
    EventOut,
    ScoreIn,
    ScoreOut,
    SignIn,
    SignoffOut,
)
from tandem.decisions.service import Actor, DecisionError, NotAllowedError
from tandem.org.models import Person
from tandem.org.schemas import Page
from tandem.org.service import team_by_name
from tandem.web.deps import CurrentViewer, SessionDep, SettingsDep, ensure, readable_team
from tandem.web.render import page

router = APIRouter()
FACTOR_TITLES = {
    Factor.USER_EXPERIENCE: "User experience",
    Factor.PRODUCT_CLARITY: "Product clarity",
    Factor.SYSTEM_ROBUSTNESS: "System robustness",
    Factor.FUTURE_MAINTAINABILITY: "Future maintainability",
    Factor.TEAM_MORALE: "Team morale",
}


def actor_for(viewer: Viewer) -> Actor:
    return Actor(
        viewer.actor, viewer.person_id, admin=viewer.role is Role.ADMIN, may_write=viewer.role in WRITING_ROLES
    )


WRITING_ROLES = frozenset({Role.ADMIN, Role.LEAD})


def _readable(session: Session, viewer: Viewer, decision_id: int) -> Decision:
    if not 1 <= decision_id < 2**31:
        raise HTTPException(404, "No such decision.")
    decision = service.get(session, decision_id)
    if decision is None:
        raise HTTPException(404, "No such decision.")
    # The accountable manager reads what is escalated to them, whatever their role.
    manager = (
        viewer.person_id is not None
        and viewer.person_id == service.team_roles(session, decision.team).accountable_manager
    )
    ensure(can_read_team(viewer, decision.team.name) or manager)
    return decision


def _act(request: Request, viewer: Viewer, decision_id: int, step: Callable[[Session, Decision], None]) -> None:
    """Run one step in its own transaction, again if a concurrent step won the race on this decision."""

    def work(session: Session) -> None:
        step(session, _readable(session, viewer, decision_id))

    retrying(request.app.state.engine, work)


# --- pages -----------------------------------------------------------------------------------------------------


@router.get("/decisions", response_class=HTMLResponse, include_in_schema=False)
def decisions_page(
    request: Request,
    viewer: CurrentViewer,
    session: SessionDep,
    team: str | None = None,
    state: DecisionState | None = None,
) -> HTMLResponse:
    chosen = team_by_name(session, team) if team else None
    if team and chosen is None:
        raise HTTPException(404, "No team has that name.")
    if chosen is not None:
        ensure(can_read_team(viewer, chosen.name))
    else:
        ensure(can_read_org(viewer))
    rows, total = service.listing(session, team=chosen, states=[state] if state else [], limit=200)
    return page(
        request,
        "decisions.html",
        viewer=viewer,
        decisions=rows,
        total=total,
        team=chosen,
        state=state,
        states=list(DecisionState),
    )


@router.post("/decisions", include_in_schema=False)
def create_from_form(
    request: Request,
    viewer: CurrentViewer,
    settings: SettingsDep,
    team: Annotated[str, Form()],
    title: Annotated[str, Form()],
    options: Annotated[str, Form(description="One option per line.")],
    context: Annotated[str, Form()] = "",
    decide_by: Annotated[str, Form()] = "",
) -> Response:
    try:
        decision_id = _record(
            request,
            viewer,
            settings,
            team,
            title=title,
            options=options.splitlines(),
            context=context,
            decide_by=_end_of_day(decide_by),
        )
    except DecisionError as error:
        return page(
            request,
            "error.html",
            403 if isinstance(error, NotAllowedError) else 400,
            title="The decision was not recorded",
            message=str(error),
        )
    return RedirectResponse(f"/decisions/{decision_id}", status_code=303)


def _record(
    request: Request,
    viewer: Viewer,
    settings: Settings,
    team_name: str,
    *,
    title: str,
    options: Sequence[str],
    context: str,
    decide_by: datetime | None,
    links: Sequence[str] = (),
    open_now: bool = False,
) -> int:
    """Record a decision for a team the viewer can read (and open it at once if asked); its id."""

    def work(session: Session) -> int:
        team = readable_team(session, viewer, team_name)
        actor = actor_for(viewer)
        decision = service.create(
            session,
            team=team,
            title=title,
            options=options,
            context=context,
            decide_by=decide_by,
            links=links,
            actor=actor,
            settings=settings.decisions,
        )
        if open_now:
            service.open_decision(
                session, decision=decision, actor=actor, timebox_working_days=settings.decisions.timebox_working_days
            )
        return decision.id

    return retrying(request.app.state.engine, work)


def _end_of_day(value: str) -> datetime | None:
    if not value.strip():
        return None
    try:
        day = datetime.strptime(value.strip(), "%Y-%m-%d").date()
    except ValueError as error:
        raise DecisionError("decide-by must be a date like 2026-12-04") from error
    return datetime.combine(day, time(17, 0), UTC)


def _detail(
    request: Request, viewer: Viewer, session: Session, decision: Decision, status: int = 200, error: str | None = None
) -> HTMLResponse:
    roles = service.team_roles(session, decision.team)
    wanted = [x for x in (roles.product_lead, roles.engineering_lead, roles.accountable_manager) if x]
    people = {p.id: p for p in session.scalars(select(Person).where(Person.id.in_(wanted)))}
    grid: dict[tuple[str, str, Factor], Any] = {(s.person_id, s.option, s.factor): s for s in decision.scores}
    allowed = ALLOWED[decision.state]
    is_lead = roles.is_lead(viewer.person_id)
    return page(
        request,
        "decision.html",
        status,
        viewer=viewer,
        decision=decision,
        roles=roles,
        people=people,
        grid=grid,
        factors=list(Factor),
        factor_titles=FACTOR_TITLES,
        stances=list(Stance),
        error=error,
        preferences={
            lead: service.preferred_option(decision, lead)
            for lead in (roles.product_lead, roles.engineering_lead)
            if lead
        },
        can_score=is_lead and Action.SCORE in allowed,
        can_sign=is_lead and Action.SIGN in allowed,
        can_escalate=is_lead and Action.ESCALATE in allowed,
        can_open=(is_lead or viewer.role is Role.ADMIN) and Action.OPEN in allowed,
        can_decide=viewer.person_id is not None
        and viewer.person_id == roles.accountable_manager
        and Action.DECIDE in allowed,
        can_close=(is_lead or viewer.role is Role.ADMIN or viewer.person_id == roles.accountable_manager)
        and Action.CLOSE in allowed,
    )


@router.get("/decisions/{decision_id}", response_class=HTMLResponse, include_in_schema=False)
def decision_page(request: Request, decision_id: int, viewer: CurrentViewer, session: SessionDep) -> HTMLResponse:
    return _detail(request, viewer, session, _readable(session, viewer, decision_id))


def _form_step(
    request: Request, viewer: Viewer, session: Session, decision_id: int, step: Callable[[Session, Decision], None]
) -> Response:
    try:
        _act(request, viewer, decision_id, step)
    except (DecisionError, IllegalTransitionError) as error:
        status = (
            403 if isinstance(error, NotAllowedError) else 409 if isinstance(error, IllegalTransitionError) else 400
        )
        session.expire_all()
        return _detail(request, viewer, session, _readable(session, viewer, decision_id), status, str(error))
    return RedirectResponse(f"/decisions/{decision_id}", status_code=303)


@router.post("/decisions/{decision_id}/open", include_in_schema=False)
def open_form(
    request: Request, decision_id: int, viewer: CurrentViewer, session: SessionDep, settings: SettingsDep
) -> Response:
    actor = actor_for(viewer)
    timebox = settings.decisions.timebox_working_days
    return _form_step(
        request,
        viewer,
        session,
        decision_id,
        lambda s, d: service.open_decision(s, decision=d, actor=actor, timebox_working_days=timebox),
    )


@router.post("/decisions/{decision_id}/score", include_in_schema=False)
def score_form(
    request: Request,
    decision_id: int,
    viewer: CurrentViewer,
    session: SessionDep,
    option: Annotated[str, Form()],
    factor: Annotated[Factor, Form()],
    score: Annotated[int, Form(ge=-2, le=2)],
    rationale: Annotated[str, Form()] = "",
) -> Response:
    actor = actor_for(viewer)
    return _form_step(
        request,
        viewer,
        session,
        decision_id,
        lambda s, d: service.score(
            s, decision=d, actor=actor, option=option, factor=factor, value=score, rationale=rationale
        ),
    )


@router.post("/decisions/{decision_id}/sign", include_in_schema=False)
def sign_form(
    request: Request,
    decision_id: int,
    viewer: CurrentViewer,
    session: SessionDep,
    option: Annotated[str, Form()],
    stance: Annotated[Stance, Form()] = Stance.AGREE,
) -> Response:
    actor = actor_for(viewer)
    return _form_step(
        request,
        viewer,
        session,
        decision_id,
        lambda s, d: service.sign(s, decision=d, actor=actor, option=option, stance=stance),
    )


@router.post("/decisions/{decision_id}/escalate", include_in_schema=False)
def escalate_form(request: Request, decision_id: int, viewer: CurrentViewer, session: SessionDep) -> Response:
    actor = actor_for(viewer)
    return _form_step(request, viewer, session, decision_id, lambda s, d: service.escalate(s, decision=d, actor=actor))


@router.post("/decisions/{decision_id}/decide", include_in_schema=False)
def decide_form(
    request: Request,
    decision_id: int,
    viewer: CurrentViewer,
    session: SessionDep,
    option: Annotated[str, Form()],
    rationale: Annotated[str, Form()] = "",
) -> Response:
    actor = actor_for(viewer)
    return _form_step(
        request,
        viewer,
        session,
        decision_id,
        lambda s, d: service.decide(s, decision=d, actor=actor, option=option, rationale=rationale),
    )


@router.post("/decisions/{decision_id}/close", include_in_schema=False)
def close_form(request: Request, decision_id: int, viewer: CurrentViewer, session: SessionDep) -> Response:
    actor = actor_for(viewer)
    return _form_step(request, viewer, session, decision_id, lambda s, d: service.close(s, decision=d, actor=actor))


# --- REST API --------------------------------------------------------------------------------------------------


def decision_out(decision: Decision) -> DecisionOut:
    return DecisionOut(
        id=decision.id,
        team=decision.team.name,
        title=decision.title,
        context=decision.context,
        options=decision.options,
        links=decision.links,
        state=decision.state,
        decide_by=decision.decide_by,
        opened_at=decision.opened_at,
        contested_at=decision.contested_at,
        escalated_at=decision.escalated_at,
        resolved_at=decision.resolved_at,
        closed_at=decision.closed_at,
        chosen_option=decision.chosen_option,
        decided_by=decision.decided_by_id,
        rationale=decision.rationale,
        scores=[
            ScoreOut(
                by=s.person_id, option=s.option, factor=s.factor, score=s.score, rationale=s.rationale, at=s.scored_at
            )
            for s in decision.scores
        ],
        signoffs=[
            SignoffOut(by=s.person_id, option=s.option, stance=s.stance, at=s.signed_at) for s in decision.signoffs
        ],
        events=[EventOut(at=e.at, actor=e.actor, kind=e.kind, state=e.state, data=e.data) for e in decision.events],
    )


def _api_step(request: Request, viewer: Viewer, decision_id: int, step: Callable[[Session, Decision], None]) -> Any:
    try:
        _act(request, viewer, decision_id, step)
    except NotAllowedError as error:
        return JSONResponse({"detail": str(error)}, 403)
    except IllegalTransitionError as error:
        return JSONResponse({"detail": str(error)}, 409)
    except DecisionError as error:
        return JSONResponse({"detail": str(error)}, 422)

    def read(session: Session) -> DecisionOut:
        return decision_out(_readable(session, viewer, decision_id))

    return retrying(request.app.state.engine, read)


@router.get("/api/v1/decisions", response_model=Page[DecisionOut], tags=["decisions"])
def list_json(
    viewer: CurrentViewer,
    session: SessionDep,
    settings: SettingsDep,
    team: str | None = None,
    state: Annotated[list[DecisionState] | None, Query()] = None,
    limit: Annotated[int | None, Query(ge=1, le=1000)] = None,
    offset: Annotated[int, Query(ge=0, le=2**31 - 1)] = 0,
) -> Page[DecisionOut]:
    """Decisions, newest first; filter by ``team`` and one or more ``state``."""
    chosen = team_by_name(session, team) if team else None
    if team and chosen is None:
        raise HTTPException(404, "no team has that name")
    ensure(can_read_team(viewer, chosen.name) if chosen is not None else can_read_org(viewer))
    size = limit or settings.web.page_size
    rows, total = service.listing(session, team=chosen, states=state or [], limit=size, offset=offset)
    return Page[DecisionOut](items=[decision_out(d) for d in rows], total=total, limit=size, offset=offset)


@router.get("/api/v1/decisions/{decision_id}", response_model=DecisionOut, tags=["decisions"])
def get_json(decision_id: int, viewer: CurrentViewer, session: SessionDep) -> DecisionOut:
    return decision_out(_readable(session, viewer, decision_id))


@router.post("/api/v1/decisions", response_model=DecisionOut, status_code=201, tags=["decisions"])
def create_json(body: DecisionCreate, request: Request, viewer: CurrentViewer, settings: SettingsDep) -> Any:
    """Record a decision (a draft, or open at once with ``"open": true``)."""

    try:
        decision_id = _record(
            request,
            viewer,
            settings,
            body.team,
            title=body.title,
            options=body.options,
            context=body.context,
            decide_by=body.decide_by,
            links=body.links,
            open_now=body.open,
        )
    except NotAllowedError as error:
        return JSONResponse({"detail": str(error)}, 403)
    except DecisionError as error:
        return JSONResponse({"detail": str(error)}, 422)
    return JSONResponse(
        retrying(request.app.state.engine, lambda s: decision_out(_readable(s, viewer, decision_id))).model_dump(
            mode="json"
        ),
        201,
    )


@router.post("/api/v1/decisions/{decision_id}/open", response_model=DecisionOut, tags=["decisions"])
def open_json(decision_id: int, request: Request, viewer: CurrentViewer, settings: SettingsDep) -> Any:
    actor = actor_for(viewer)
    timebox = settings.decisions.timebox_working_days
    return _api_step(
        request,
        viewer,
        decision_id,
        lambda s, d: service.open_decision(s, decision=d, actor=actor, timebox_working_days=timebox),
    )


@router.post("/api/v1/decisions/{decision_id}/scores", response_model=DecisionOut, tags=["decisions"])
def score_json(decision_id: int, body: ScoreIn, request: Request, viewer: CurrentViewer) -> Any:
    actor = actor_for(viewer)
    return _api_step(
        request,
        viewer,
        decision_id,
        lambda s, d: service.score(
            s,
            decision=d,
            actor=actor,
            option=body.option,
            factor=body.factor,
            value=body.score,
            rationale=body.rationale,
        ),
    )


@router.post("/api/v1/decisions/{decision_id}/signoffs", response_model=DecisionOut, tags=["decisions"])
def sign_json(decision_id: int, body: SignIn, request: Request, viewer: CurrentViewer) -> Any:
    actor = actor_for(viewer)
    return _api_step(
        request,
        viewer,
        decision_id,
        lambda s, d: service.sign(s, decision=d, actor=actor, option=body.option, stance=body.stance),
    )


@router.post("/api/v1/decisions/{decision_id}/escalate", response_model=DecisionOut, tags=["decisions"])
def escalate_json(decision_id: int, request: Request, viewer: CurrentViewer) -> Any:
    actor = actor_for(viewer)
    return _api_step(request, viewer, decision_id, lambda s, d: service.escalate(s, decision=d, actor=actor))


@router.post("/api/v1/decisions/{decision_id}/decision", response_model=DecisionOut, tags=["decisions"])
def decide_json(decision_id: int, body: DecideIn, request: Request, viewer: CurrentViewer) -> Any:
    actor = actor_for(viewer)
    return _api_step(
        request,
        viewer,
        decision_id,
        lambda s, d: service.decide(s, decision=d, actor=actor, option=body.option, rationale=body.rationale),
    )


@router.post("/api/v1/decisions/{decision_id}/close", response_model=DecisionOut, tags=["decisions"])
def close_json(decision_id: int, request: Request, viewer: CurrentViewer) -> Any:
    actor = actor_for(viewer)
    return _api_step(request, viewer, decision_id, lambda s, d: service.close(s, decision=d, actor=actor))
