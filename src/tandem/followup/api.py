"""Follow-through in the browser and under /api/v1: the trend page, saving a snapshot, turning a finding into an
action, and closing it.

Who may do what: everyone who reads the walk (admins, executives, leads) reads snapshots, the trend and the
actions; admins and executives save a snapshot; admins, executives and the leads of a finding's team turn it into
an action; those, and the action's owner, close it (done or dropped).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from tandem.accounts.models import Role
from tandem.accounts.permissions import Viewer, can_read_org
from tandem.db import retrying, utcnow
from tandem.followup import service
from tandem.followup.analysis import ActionStatus, Comparison
from tandem.followup.models import WalkAction, WalkSnapshot
from tandem.followup.schemas import ActionClose, ActionCreate, ActionOut, SnapshotOut, TrendOut
from tandem.followup.service import FollowupError, NotFoundError, StateConflictError
from tandem.org.models import Person
from tandem.org.schemas import Page
from tandem.walk.findings import PRACTICE_TITLES, Finding, Practice, WalkReport
from tandem.web.deps import CurrentViewer, SessionDep, SettingsDep, ensure
from tandem.web.plotly import page_style_ids
from tandem.web.render import page
from tandem.web.walk_cache import current_walk

router = APIRouter()

SNAPSHOT_ROLES = frozenset({Role.ADMIN, Role.EXECUTIVE})
"""Roles that save a snapshot of the walk by hand (the CLI saves one on every ``tandem walk``)."""
TREND_LIMIT = 500
"""The most snapshots the trend draws (the newest)."""
ACTIONS_LIMIT = 500
"""The most actions the trend page lists."""
DEFAULT_DUE_DAYS = 14
"""The due date a new action's form suggests, in calendar days from today."""
TREND_URL = "/walk/trend"
NOTICES = {
    "snapshot": "Saved today's walk as a snapshot.",
    "action": "Action taken. The next saved walk says whether its finding went away.",
    "done": "Marked done.",
    "dropped": "Dropped.",
}
"""The only messages a redirect may show (``?done=key``): nothing from the URL is echoed."""


def may_save_snapshot(viewer: Viewer) -> bool:
    return viewer.role in SNAPSHOT_ROLES


def may_take_action(viewer: Viewer, team: str | None) -> bool:
    """Admins and executives on any finding; a lead on a finding of a team they lead."""
    return viewer.role in SNAPSHOT_ROLES or (viewer.role is Role.LEAD and team is not None and team in viewer.led_teams)


def may_close(viewer: Viewer, action: WalkAction) -> bool:
    """Whoever may take an action on its finding, and its owner."""
    return may_take_action(viewer, action.team) or (
        viewer.person_id is not None and viewer.person_id == action.owner_id
    )


def finding_team(finding: Finding) -> str | None:
    return finding.scope.teams[0] if finding.scope.teams else None


def snapshot_out(snapshot: WalkSnapshot) -> SnapshotOut:
    return SnapshotOut(
        id=snapshot.id,
        taken_at=snapshot.taken_at,
        taken_by=snapshot.taken_by,
        tandem_version=snapshot.tandem_version,
        generated_at=snapshot.generated_at,
        findings=snapshot.findings,
        by_practice=snapshot.by_practice,
        sha256=snapshot.sha256,
    )


def action_out(action: WalkAction, latest: WalkSnapshot | None, present: frozenset[str], today: date) -> ActionOut:
    return ActionOut(
        id=action.id,
        finding_id=action.finding_id,
        finding_kind=action.finding_kind,
        team=action.team,
        title=action.title,
        owner=action.owner_id,
        owner_name=action.owner.name,
        due=action.due,
        step=action.step,
        status=action.status,
        overdue=action.status is ActionStatus.OPEN and action.due < today,
        created_by=action.created_by,
        created_at=action.created_at,
        closed_at=action.closed_at,
        closed_by=action.closed_by,
        note=action.note,
        snapshot_id=action.snapshot_id,
        finding_present=None if latest is None else action.finding_id in present,
    )


def _finding_today(request: Request, session: Session, finding_id: str) -> Finding:
    finding = service.finding_in(current_walk(request, session), finding_id)
    if finding is None:
        raise NotFoundError(f"no finding '{finding_id}' in today's walk: it may have been resolved")
    return finding


def _create(
    request: Request, session: Session, viewer: Viewer, *, finding_id: str, owner: str, due: date, step: str | None
) -> WalkAction:
    """Take an action on a finding of today's walk; the latest snapshot is its source when it holds the finding."""
    ensure(can_read_org(viewer))
    finding = _finding_today(request, session, finding_id)
    ensure(may_take_action(viewer, finding_team(finding)))
    latest, present = service.latest_finding_ids(session)
    return service.create_action(
        session,
        finding=finding,
        owner=owner,
        due=due,
        step=step,
        actor=viewer.actor,
        snapshot_id=latest.id if latest is not None and finding.id in present else None,
    )


def _close(request: Request, viewer: Viewer, action_id: int, status: ActionStatus, note: str) -> ActionOut:
    """Close an action in its own transaction, again if a concurrent step won the race on it; the answer is read
    in that transaction."""

    def work(session: Session) -> ActionOut:
        action = service.get_action(session, action_id)
        if action is None:
            raise NotFoundError(f"no action has the id {action_id}")
        ensure(may_close(viewer, action))
        service.close_action(session, action=action, status=status, actor=viewer.actor, note=note)
        return _out(session, action)

    return retrying(request.app.state.engine, work)


def _status(error: FollowupError, *, api: bool) -> int:
    if isinstance(error, NotFoundError):
        return 404
    if isinstance(error, StateConflictError):
        return 409
    return 422 if api else 400


# --- the pages ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ActionRow:
    action: WalkAction
    out: ActionOut
    can_close: bool


def _trend_page(
    request: Request,
    viewer: Viewer,
    session: Session,
    *,
    status: int = 200,
    error: str | None = None,
    notice: str | None = None,
) -> HTMLResponse:
    rows, total = service.snapshot_listing(session, limit=TREND_LIMIT)
    latest = rows[0] if rows else None
    comparison: Comparison | None = None
    if len(rows) >= 2:
        comparison = service.compare_walks(
            session,
            service.report_of(rows[1]),
            service.report_of(rows[0]),
            previous_ref=service.snapshot_ref(rows[1]),
            current_ref=service.snapshot_ref(rows[0]),
        )
    present = frozenset(f["id"] for f in latest.report.get("findings", [])) if latest is not None else frozenset()
    actions, action_total = service.action_listing(session, limit=ACTIONS_LIMIT)
    today = utcnow().date()
    used = {practice for snapshot in rows for practice in snapshot.by_practice}
    practices = [(p.value, p.title) for p in Practice if p.value in used]
    return page(
        request,
        "followup_trend.html",
        status,
        viewer=viewer,
        snapshots=list(reversed(rows)),
        total=total,
        latest=latest,
        practices=practices,
        comparison=comparison,
        actions=[ActionRow(a, action_out(a, latest, present, today), may_close(viewer, a)) for a in actions],
        action_total=action_total,
        can_save=may_save_snapshot(viewer),
        charted=bool(rows),
        chart_url="/api/v1/walk/trend",
        plotly_style_ids=page_style_ids(bool(rows)),
        error=error,
        notice=notice,
    )


@router.get(TREND_URL, response_class=HTMLResponse, include_in_schema=False)
def trend_page(request: Request, viewer: CurrentViewer, session: SessionDep, done: str = "") -> HTMLResponse:
    ensure(can_read_org(viewer))
    return _trend_page(request, viewer, session, notice=NOTICES.get(done))


@router.post(f"{TREND_URL}/snapshots", include_in_schema=False)
def save_snapshot_form(request: Request, viewer: CurrentViewer, session: SessionDep) -> Response:
    ensure(may_save_snapshot(viewer))
    service.save_snapshot(session, report=current_walk(request, session), taken_by=viewer.actor)
    return RedirectResponse(f"{TREND_URL}?done=snapshot", status_code=303)


def _action_page(
    request: Request,
    viewer: Viewer,
    session: Session,
    finding: Finding,
    *,
    status: int = 200,
    error: str | None = None,
    form: dict[str, str] | None = None,
) -> HTMLResponse:
    names = dict(session.execute(select(Person.id, Person.name).where(Person.id.in_(finding.scope.people))).all())
    default_due = (utcnow().date() + timedelta(days=DEFAULT_DUE_DAYS)).isoformat()
    return page(
        request,
        "followup_action.html",
        status,
        viewer=viewer,
        finding=finding,
        names=names,
        action_error=error,
        action_form=form or {"owner": "", "due": default_due, "step": finding.recommendation.step},
    )


def _finding_for_page(request: Request, session: Session, viewer: Viewer, finding_id: str) -> Finding:
    ensure(can_read_org(viewer))
    try:
        finding = _finding_today(request, session, finding_id)
    except NotFoundError as error:
        raise HTTPException(404, "No such finding in today's walk: it may have been resolved.") from error
    ensure(may_take_action(viewer, finding_team(finding)))
    return finding


@router.get("/findings/{finding_id}/action", response_class=HTMLResponse, include_in_schema=False)
def new_action_page(request: Request, finding_id: str, viewer: CurrentViewer, session: SessionDep) -> HTMLResponse:
    """Turn a finding into an action: owner, due date, the practice step."""
    return _action_page(request, viewer, session, _finding_for_page(request, session, viewer, finding_id))


@router.post("/findings/{finding_id}/actions", include_in_schema=False)
def new_action_form(
    request: Request,
    finding_id: str,
    viewer: CurrentViewer,
    session: SessionDep,
    owner: Annotated[str, Form()] = "",
    due: Annotated[str, Form()] = "",
    step: Annotated[str, Form()] = "",
) -> Response:
    finding = _finding_for_page(request, session, viewer, finding_id)
    form = {"owner": owner, "due": due, "step": step}
    try:
        due_date = date.fromisoformat(due)
    except ValueError:
        return _action_page(request, viewer, session, finding, status=400, error="due: give a date", form=form)
    try:
        action = _create(request, session, viewer, finding_id=finding.id, owner=owner, due=due_date, step=step or None)
    except FollowupError as error:
        status = _status(error, api=False)
        return _action_page(request, viewer, session, finding, status=status, error=str(error), form=form)
    return RedirectResponse(f"{TREND_URL}?done=action#action-{action.id}", status_code=303)


def _close_form(
    request: Request, viewer: Viewer, session: Session, action_id: int, status: ActionStatus, note: str
) -> Response:
    try:
        closed = _close(request, viewer, action_id, status, note)
    except FollowupError as error:
        return _trend_page(request, viewer, session, status=_status(error, api=False), error=str(error))
    done = "done" if status is ActionStatus.DONE else "dropped"
    return RedirectResponse(f"{TREND_URL}?done={done}#action-{closed.id}", status_code=303)


@router.post("/walk/actions/{action_id}/done", include_in_schema=False)
def done_form(
    request: Request, action_id: int, viewer: CurrentViewer, session: SessionDep, note: Annotated[str, Form()] = ""
) -> Response:
    ensure(can_read_org(viewer))
    return _close_form(request, viewer, session, action_id, ActionStatus.DONE, note)


@router.post("/walk/actions/{action_id}/drop", include_in_schema=False)
def drop_form(
    request: Request, action_id: int, viewer: CurrentViewer, session: SessionDep, note: Annotated[str, Form()] = ""
) -> Response:
    ensure(can_read_org(viewer))
    return _close_form(request, viewer, session, action_id, ActionStatus.DROPPED, note)


# --- REST API ----------------------------------------------------------------------------------------------------


@router.get("/api/v1/walk/trend", response_model=TrendOut, tags=["walk"])
def trend_json(viewer: CurrentViewer, session: SessionDep) -> TrendOut:
    """The saved walks, oldest first (the newest 500), with their findings per practice: what the trend draws."""
    ensure(can_read_org(viewer))
    rows, _ = service.snapshot_listing(session, limit=TREND_LIMIT)
    return TrendOut(
        snapshots=[snapshot_out(s) for s in reversed(rows)],
        practices={practice.value: title for practice, title in PRACTICE_TITLES.items()},
    )


@router.get("/api/v1/walk/snapshots", response_model=Page[SnapshotOut], tags=["walk"])
def snapshots_json(
    viewer: CurrentViewer,
    session: SessionDep,
    settings: SettingsDep,
    limit: Annotated[int | None, Query(ge=1, le=1000)] = None,
    offset: Annotated[int, Query(ge=0, le=2**31 - 1)] = 0,
) -> Page[SnapshotOut]:
    """Saved walks, newest first."""
    ensure(can_read_org(viewer))
    size = limit or settings.web.page_size
    rows, total = service.snapshot_listing(session, limit=size, offset=offset)
    return Page[SnapshotOut](items=[snapshot_out(s) for s in rows], total=total, limit=size, offset=offset)


@router.post("/api/v1/walk/snapshots", response_model=SnapshotOut, status_code=201, tags=["walk"])
def save_snapshot_json(request: Request, viewer: CurrentViewer, session: SessionDep) -> SnapshotOut:
    """Save today's walk as a snapshot (admins and executives)."""
    ensure(may_save_snapshot(viewer))
    return snapshot_out(service.save_snapshot(session, report=current_walk(request, session), taken_by=viewer.actor))


def _snapshot(session: Session, snapshot_id: int) -> WalkSnapshot:
    snapshot = service.get_snapshot(session, snapshot_id)
    if snapshot is None:
        raise HTTPException(404, "No snapshot has that id.")
    return snapshot


@router.get("/api/v1/walk/snapshots/{snapshot_id}", response_model=WalkReport, tags=["walk"])
def snapshot_json(snapshot_id: int, viewer: CurrentViewer, session: SessionDep) -> Any:
    """A saved walk, exactly as it was reported."""
    ensure(can_read_org(viewer))
    return JSONResponse(_snapshot(session, snapshot_id).report)


@router.get("/api/v1/walk/snapshots/{snapshot_id}/comparison", response_model=Comparison, tags=["walk"])
def comparison_json(
    snapshot_id: int,
    viewer: CurrentViewer,
    session: SessionDep,
    previous: Annotated[int | None, Query(description="The snapshot to compare with; default: the one before.")] = None,
) -> Comparison:
    """A saved walk compared with an earlier one: each finding's status, the actions, the scores' changes."""
    ensure(can_read_org(viewer))
    current = _snapshot(session, snapshot_id)
    earlier = (
        _snapshot(session, previous) if previous is not None else service.latest_snapshot(session, before=current.id)
    )
    if earlier is None:
        raise HTTPException(404, "No earlier snapshot to compare with.")
    return service.compare_walks(
        session,
        service.report_of(earlier),
        service.report_of(current),
        previous_ref=service.snapshot_ref(earlier),
        current_ref=service.snapshot_ref(current),
    )


@router.get("/api/v1/actions", response_model=Page[ActionOut], tags=["actions"])
def actions_json(
    viewer: CurrentViewer,
    session: SessionDep,
    settings: SettingsDep,
    status: Annotated[list[ActionStatus] | None, Query()] = None,
    team: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int | None, Query(ge=1, le=1000)] = None,
    offset: Annotated[int, Query(ge=0, le=2**31 - 1)] = 0,
) -> Page[ActionOut]:
    """Actions, open ones first by due date; ``finding_present`` is judged against the latest saved walk."""
    ensure(can_read_org(viewer))
    size = limit or settings.web.page_size
    rows, total = service.action_listing(session, statuses=status or [], team=team, limit=size, offset=offset)
    latest, present = service.latest_finding_ids(session)
    today = utcnow().date()
    return Page[ActionOut](
        items=[action_out(a, latest, present, today) for a in rows], total=total, limit=size, offset=offset
    )


def _out(session: Session, action: WalkAction) -> ActionOut:
    """An action as the API answers, ``finding_present`` judged against the latest saved walk."""
    latest, present = service.latest_finding_ids(session)
    return action_out(action, latest, present, utcnow().date())


@router.post("/api/v1/actions", response_model=ActionOut, status_code=201, tags=["actions"])
def create_json(body: ActionCreate, request: Request, viewer: CurrentViewer, session: SessionDep) -> Any:
    """Turn a finding of today's walk into an action (admins, executives, a lead of the finding's team)."""
    try:
        action = _create(
            request, session, viewer, finding_id=body.finding_id, owner=body.owner, due=body.due, step=body.step
        )
    except FollowupError as error:
        return JSONResponse({"detail": str(error)}, _status(error, api=True))
    return JSONResponse(_out(session, action).model_dump(mode="json"), 201)


def _close_json(request: Request, viewer: Viewer, action_id: int, status: ActionStatus, note: str) -> Any:
    try:
        closed = _close(request, viewer, action_id, status, note)
    except FollowupError as error:
        return JSONResponse({"detail": str(error)}, _status(error, api=True))
    return closed


@router.post("/api/v1/actions/{action_id}/done", response_model=ActionOut, tags=["actions"])
def done_json(action_id: int, request: Request, viewer: CurrentViewer, body: ActionClose | None = None) -> Any:
    """Mark an open action done (its owner, admins, executives, a lead of its team; 409 once closed)."""
    return _close_json(request, viewer, action_id, ActionStatus.DONE, body.note if body else "")


@router.post("/api/v1/actions/{action_id}/drop", response_model=ActionOut, tags=["actions"])
def drop_json(action_id: int, request: Request, viewer: CurrentViewer, body: ActionClose | None = None) -> Any:
    """Drop an open action (as for done; 409 once closed)."""
    return _close_json(request, viewer, action_id, ActionStatus.DROPPED, body.note if body else "")
