"""A team's plan in the browser and under /api/v1/teams/{team}/plan: product ranks, engineering estimates, both
leads sign the dates; everyone who reads the team reads the plan, its forecast and its commitments."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any, Literal, TypeVar
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Form, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from tandem.accounts.permissions import Viewer
from tandem.db import retrying, utcnow
from tandem.decisions.api import actor_for
from tandem.decisions.service import Actor, DecisionError, TeamRoles, team_roles
from tandem.org.models import Person, Team
from tandem.schedule import service
from tandem.schedule.charts import outlook_chart
from tandem.schedule.forecast import ForecastError
from tandem.schedule.models import Commitment, CommitmentRevision, Plan, PlanItem
from tandem.schedule.planning import PlanError, PlanOutlook
from tandem.schedule.schemas import (
    CapacityIn,
    CloseIn,
    CommitmentCreate,
    CommitmentOut,
    DependenciesIn,
    EstimateIn,
    ForecastOut,
    ItemCreate,
    ItemForecastOut,
    ItemOut,
    OrderIn,
    PlanOut,
    RevisionIn,
    RevisionOut,
    SignatureOut,
    SignIn,
)
from tandem.schedule.service import NotAllowedError, ScheduleError, SignatureView
from tandem.web.deps import CurrentViewer, SessionDep, readable_team

# Plotly's assets live in tandem.web.plotly; the names below stay importable from here too.
from tandem.web.plotly import PLOTLY_CSS_FALLBACK as PLOTLY_CSS_FALLBACK
from tandem.web.plotly import PLOTLY_JS as PLOTLY_JS
from tandem.web.plotly import page_style_ids
from tandem.web.plotly import plotly_css as plotly_css
from tandem.web.plotly import plotly_style_ids as plotly_style_ids
from tandem.web.render import page

router = APIRouter()
T = TypeVar("T")

USER_ERRORS = (ScheduleError, DecisionError, PlanError, ForecastError)
"""Errors whose message is written for the user (a text field too long raises the shared ``DecisionError``)."""
NOTICES = {
    "added": "Item added at the bottom of the plan.",
    "ranked": "The new order is saved.",
    "estimated": "Estimate saved.",
    "dependencies": "Dependencies saved.",
    "closed": "Item closed.",
    "capacity": "Capacity saved.",
    "proposed": "Commitment proposed and signed for your side; it is in force once your counterpart signs.",
    "revised": "Revision proposed and signed for your side; the revision in force stays until your counterpart signs.",
    "signed": "Signed.",
    "withdrawn": "Proposal withdrawn.",
}
"""The only messages a redirect may show (``?done=key``): nothing from the URL is echoed."""
DEFAULT_CONFIDENCE = 0.85


class ConflictError(ScheduleError):
    """The step met a state it cannot apply to (answered 409)."""


class InvalidInputError(ScheduleError):
    """The request itself is malformed, whatever the state (answered 400, even from a step that answers 409)."""


def plan_url(team_name: str) -> str:
    return f"/teams/{quote(team_name)}/plan"


# --- reading ---------------------------------------------------------------------------------------------------


def _valid_id(value: int, what: str) -> None:
    if not 1 <= value < 2**31:
        raise HTTPException(404, f"No such {what}.")


def _item(session: Session, team: Team, item_id: int) -> PlanItem:
    _valid_id(item_id, "plan item")
    item = session.get(PlanItem, item_id)
    if item is None or item.team_id != team.id:
        raise HTTPException(404, "No such plan item in this team's plan.")
    return item


def _commitment(session: Session, team: Team, commitment_id: int) -> Commitment:
    _valid_id(commitment_id, "commitment")
    commitment = session.get(Commitment, commitment_id)
    if commitment is None or commitment.team_id != team.id:
        raise HTTPException(404, "No such commitment for this team.")
    return commitment


@dataclass(frozen=True)
class Seat:
    """The viewer's seat on the team as far as the plan goes: which lead they are (if their role may write)."""

    function: str | None
    admin: bool

    @property
    def can_rank(self) -> bool:
        return self.admin or self.function == "product"

    @property
    def can_estimate(self) -> bool:
        return self.admin or self.function == "engineering"

    @property
    def can_edit(self) -> bool:
        """Add, close and link items: either lead (or an admin)."""
        return self.admin or self.function is not None

    @property
    def can_commit(self) -> bool:
        """Propose, revise, sign, withdraw: a lead, in person."""
        return self.function is not None


def seat_of(viewer: Viewer, roles: TeamRoles) -> Seat:
    actor = actor_for(viewer)
    function = None
    if actor.may_write and viewer.person_id is not None:
        if viewer.person_id == roles.product_lead:
            function = "product"
        elif viewer.person_id == roles.engineering_lead:
            function = "engineering"
    return Seat(function, actor.admin)


def _outlook(session: Session, team: Team, target: date | None, confidence: float) -> tuple[Plan | None, PlanOutlook]:
    return service.outlook(session, team, start=utcnow().date(), target=target, confidence=confidence)


# --- parsing form text into the user's terms -------------------------------------------------------------------


def _date(value: str, field: str) -> date:
    try:
        return date.fromisoformat(value.strip())
    except ValueError as error:
        raise ScheduleError(f"the {field} must be a date like 2026-12-04") from error


def _number(value: str, field: str) -> float:
    try:
        return float(value.strip())
    except ValueError as error:
        raise ScheduleError(f"the {field} must be a number") from error


def _confidence(value: str) -> float:
    """A confidence typed as 0.85 or as 85 (per cent)."""
    number = _number(value, "confidence")
    return number / 100 if number > 1 else number


def _ids(value: str) -> list[int]:
    try:
        return [int(part) for part in value.replace(",", " ").split()]
    except ValueError as error:
        raise InvalidInputError("the order must list item ids") from error


def moved(order: Sequence[int], item_id: int, direction: Literal["up", "down"]) -> list[int]:
    """``order`` with one item a place higher or lower (unchanged at the top or bottom)."""
    result = list(order)
    if item_id not in result:
        raise ScheduleError("that item is not in the order shown; reload and retry")
    at = result.index(item_id)
    to = at - 1 if direction == "up" else at + 1
    if 0 <= to < len(result):
        result[at], result[to] = result[to], result[at]
    return result


def _check_order(order: Sequence[int]) -> None:
    if len(order) != len(set(order)):
        raise InvalidInputError("the order lists an item more than once")


# --- the page --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CommitmentView:
    commitment: Commitment
    latest: CommitmentRevision
    in_force: CommitmentRevision | None
    signed: dict[str, SignatureView]
    in_force_signed: dict[str, SignatureView]
    can_sign: bool
    can_revise: bool
    can_withdraw: bool


def _commitment_views(commitments: Sequence[Commitment], seat: Seat) -> list[CommitmentView]:
    views = []
    for commitment in commitments:
        latest = service.latest(commitment)
        in_force = service.in_force(commitment)
        signed = service.signatures(latest)
        open_for = seat.function is not None and commitment.state != "withdrawn"
        views.append(
            CommitmentView(
                commitment=commitment,
                latest=latest,
                in_force=in_force,
                signed=signed,
                in_force_signed=service.signatures(in_force) if in_force is not None else {},
                can_sign=open_for and seat.function not in signed,
                can_revise=open_for,
                can_withdraw=open_for and commitment.in_force_revision is None,
            )
        )
    return views


def _plan_page(
    request: Request,
    viewer: Viewer,
    session: Session,
    team_name: str,
    *,
    status: int = 200,
    error: str | None = None,
    notice: str | None = None,
    target_text: str = "",
    confidence_text: str = "",
) -> HTMLResponse:
    team = readable_team(session, viewer, team_name)
    roles = team_roles(session, team)
    seat = seat_of(viewer, roles)
    target, confidence = None, DEFAULT_CONFIDENCE
    try:
        if target_text.strip():
            target = _date(target_text, "target date")
        if confidence_text.strip():
            confidence = _confidence(confidence_text)
            if not 0 < confidence < 1:
                raise ScheduleError("the confidence must be between 0 and 1 (e.g. 0.85) or a percentage")
    except ScheduleError as bad:
        target, confidence = None, DEFAULT_CONFIDENCE
        status, error = 400, str(bad)
    items = service.all_items(session, team)
    open_items = [item for item in items if item.status == "open"]
    plan, outlook = _outlook(session, team, target, confidence)
    commitments = _commitment_views(service.commitments_of(session, team), seat)
    wanted = {x for x in (roles.product_lead, roles.engineering_lead) if x}
    for view in commitments:
        for rev in view.commitment.revisions:
            wanted.add(rev.initiated_by)
            wanted.update(s.person_id for s in rev.signatures)
    people = {p.id: p for p in session.scalars(select(Person).where(Person.id.in_(wanted)))} if wanted else {}
    chart_query = urlencode({"target": target.isoformat(), "confidence": confidence} if target else {})
    return page(
        request,
        "plan.html",
        status,
        viewer=viewer,
        team=team,
        roles=roles,
        people=people,
        seat=seat,
        plan=plan,
        unit=plan.unit if plan is not None else "days",
        capacity=plan.capacity_per_day if plan is not None else 1.0,
        items=open_items,
        closed=[item for item in items if item.status != "open"],
        titles={item.id: item.title for item in items},
        ranks={item.id: item.rank for item in open_items},
        outlook=outlook,
        commitments=commitments,
        target=target,
        confidence=confidence,
        error=error,
        notice=notice,
        plan_url=plan_url(team.name),
        chart_url=plan_url(team.name) + "/fan.json" + (f"?{chart_query}" if chart_query else ""),
        order_api=f"/api/v1/teams/{quote(team.name)}/plan/order",
        plotly_style_ids=page_style_ids(bool(outlook.items)),
    )


@router.get("/teams/{team:path}/plan", response_class=HTMLResponse, include_in_schema=False)
def plan_page(
    request: Request,
    team: str,
    viewer: CurrentViewer,
    session: SessionDep,
    target: str = "",
    confidence: str = "",
    done: str = "",
) -> HTMLResponse:
    return _plan_page(
        request, viewer, session, team, notice=NOTICES.get(done), target_text=target, confidence_text=confidence
    )


@router.get("/teams/{team:path}/plan/fan.json", include_in_schema=False)
def fan_json(
    team: str,
    viewer: CurrentViewer,
    session: SessionDep,
    target: date | None = None,
    confidence: Annotated[float, Query(gt=0, lt=1)] = DEFAULT_CONFIDENCE,
) -> Response:
    """The fan chart as Plotly figure JSON; ``plan.js`` hands it to ``Plotly.newPlot``."""
    chosen = readable_team(session, viewer, team)
    _plan, outlook = _outlook(session, chosen, target, confidence)
    titles = {item.id: item.title for item in service.open_items(session, chosen)}
    return Response(outlook_chart(outlook, titles).to_json(), media_type="application/json")


# --- writing ---------------------------------------------------------------------------------------------------


def _write(request: Request, viewer: Viewer, team_name: str, step: Callable[[Session, Team, Actor], T]) -> T:
    """Run one step in its own transaction, again if a concurrent step won the race on the same rows."""
    actor = actor_for(viewer)

    def work(session: Session) -> T:
        return step(session, readable_team(session, viewer, team_name), actor)

    return retrying(request.app.state.engine, work)


def _status(error: Exception, conflict: bool) -> int:
    if isinstance(error, NotAllowedError):
        return 403
    if isinstance(error, InvalidInputError):
        return 400
    return 409 if conflict or isinstance(error, ConflictError) else 400


def _form_step(
    request: Request,
    viewer: Viewer,
    session: Session,
    team_name: str,
    step: Callable[[Session, Team, Actor], object],
    *,
    done: str,
    conflict: bool = False,
    anchor: str = "",
) -> Response:
    """A form's step, then back to the plan: with a notice when it worked, the page and the error when not."""

    def run(s: Session, team: Team, actor: Actor) -> str:
        step(s, team, actor)
        return team.name

    try:
        name = _write(request, viewer, team_name, run)
    except USER_ERRORS as error:
        session.expire_all()
        return _plan_page(request, viewer, session, team_name, status=_status(error, conflict), error=str(error))
    return RedirectResponse(f"{plan_url(name)}?done={done}{anchor}", status_code=303)


@router.post("/teams/{team:path}/plan/items", include_in_schema=False)
def add_item_form(
    request: Request,
    team: str,
    viewer: CurrentViewer,
    session: SessionDep,
    title: Annotated[str, Form()],
    description: Annotated[str, Form()] = "",
    depends_on: Annotated[list[int] | None, Form()] = None,
) -> Response:
    def step(s: Session, t: Team, actor: Actor) -> None:
        service.add_item(s, t, actor, title=title, description=description, depends_on=depends_on or [])

    return _form_step(request, viewer, session, team, step, done="added")


@router.post("/teams/{team:path}/plan/order", include_in_schema=False)
def order_form(
    request: Request,
    team: str,
    viewer: CurrentViewer,
    session: SessionDep,
    order: Annotated[str, Form(description="The order the page showed: item ids, most important first.")],
    item: Annotated[int | None, Form()] = None,
    direction: Annotated[Literal["up", "down"] | None, Form()] = None,
) -> Response:
    """Move one item up or down (the buttons, which work without JavaScript), or save a whole new order.

    The order the page showed comes along, so a plan someone changed meanwhile is refused, never half-applied.
    """

    def step(s: Session, t: Team, actor: Actor) -> None:
        shown = _ids(order)
        _check_order(shown)
        new = moved(shown, item, direction) if item is not None and direction is not None else shown
        service.rank(s, t, actor, new)

    anchor = f"#item-{item}" if item is not None else ""
    return _form_step(request, viewer, session, team, step, done="ranked", conflict=True, anchor=anchor)


@router.post("/teams/{team:path}/plan/estimate", include_in_schema=False)
def estimate_form(
    request: Request,
    team: str,
    viewer: CurrentViewer,
    session: SessionDep,
    item: Annotated[int, Form()],
    optimistic: Annotated[str, Form()],
    likely: Annotated[str, Form()],
    pessimistic: Annotated[str, Form()],
) -> Response:
    def step(s: Session, t: Team, actor: Actor) -> None:
        service.estimate(
            s,
            _item(s, t, item),
            actor,
            optimistic=_number(optimistic, "optimistic estimate"),
            likely=_number(likely, "most likely estimate"),
            pessimistic=_number(pessimistic, "pessimistic estimate"),
        )

    return _form_step(request, viewer, session, team, step, done="estimated", anchor=f"#item-{item}")


@router.post("/teams/{team:path}/plan/dependencies", include_in_schema=False)
def dependencies_form(
    request: Request,
    team: str,
    viewer: CurrentViewer,
    session: SessionDep,
    item: Annotated[int, Form()],
    depends_on: Annotated[list[int] | None, Form()] = None,
) -> Response:
    def step(s: Session, t: Team, actor: Actor) -> None:
        service.set_dependencies(s, _item(s, t, item), actor, depends_on or [])

    return _form_step(request, viewer, session, team, step, done="dependencies", anchor=f"#item-{item}")


@router.post("/teams/{team:path}/plan/close", include_in_schema=False)
def close_form(
    request: Request,
    team: str,
    viewer: CurrentViewer,
    session: SessionDep,
    item: Annotated[int, Form()],
    status: Annotated[Literal["done", "dropped"], Form()],
) -> Response:
    def step(s: Session, t: Team, actor: Actor) -> None:
        service.close_item(s, _item(s, t, item), actor, status)

    return _form_step(request, viewer, session, team, step, done="closed", conflict=True)


@router.post("/teams/{team:path}/plan/capacity", include_in_schema=False)
def capacity_form(
    request: Request,
    team: str,
    viewer: CurrentViewer,
    session: SessionDep,
    capacity_per_day: Annotated[str, Form()],
    unit: Annotated[str, Form()] = "days",
) -> Response:
    def step(s: Session, t: Team, actor: Actor) -> None:
        service.set_capacity(s, t, actor, capacity_per_day=_number(capacity_per_day, "capacity"), unit=unit)

    return _form_step(request, viewer, session, team, step, done="capacity")


@router.post("/teams/{team:path}/plan/commitments", include_in_schema=False)
def propose_form(
    request: Request,
    team: str,
    viewer: CurrentViewer,
    session: SessionDep,
    title: Annotated[str, Form()],
    target_date: Annotated[str, Form()],
    confidence: Annotated[str, Form()] = str(DEFAULT_CONFIDENCE),
    scope: Annotated[list[int] | None, Form()] = None,
    reason: Annotated[str, Form()] = "",
) -> Response:
    def step(s: Session, t: Team, actor: Actor) -> None:
        service.propose(
            s,
            t,
            actor,
            title=title,
            target_date=_date(target_date, "target date"),
            scope=scope or [],
            confidence=_confidence(confidence),
            reason=reason,
        )

    return _form_step(request, viewer, session, team, step, done="proposed", anchor="#commitments")


@router.post("/teams/{team:path}/plan/commitments/{commitment_id}/revise", include_in_schema=False)
def revise_form(
    request: Request,
    team: str,
    commitment_id: int,
    viewer: CurrentViewer,
    session: SessionDep,
    target_date: Annotated[str, Form()],
    confidence: Annotated[str, Form()],
    reason: Annotated[str, Form()],
    scope: Annotated[list[int] | None, Form()] = None,
) -> Response:
    def step(s: Session, t: Team, actor: Actor) -> None:
        commitment = _commitment(s, t, commitment_id)
        _refuse_withdrawn(commitment)
        service.revise(
            s,
            commitment,
            actor,
            target_date=_date(target_date, "target date"),
            scope=scope or [],
            confidence=_confidence(confidence),
            reason=reason,
        )

    return _form_step(request, viewer, session, team, step, done="revised", anchor=f"#commitment-{commitment_id}")


@router.post("/teams/{team:path}/plan/commitments/{commitment_id}/sign", include_in_schema=False)
def sign_form(
    request: Request,
    team: str,
    commitment_id: int,
    viewer: CurrentViewer,
    session: SessionDep,
    revision: Annotated[int, Form(description="The revision number the signer read.")],
) -> Response:
    def step(s: Session, t: Team, actor: Actor) -> None:
        service.sign(s, _commitment(s, t, commitment_id), actor, revision_number=revision)

    return _form_step(
        request, viewer, session, team, step, done="signed", conflict=True, anchor=f"#commitment-{commitment_id}"
    )


@router.post("/teams/{team:path}/plan/commitments/{commitment_id}/withdraw", include_in_schema=False)
def withdraw_form(
    request: Request, team: str, commitment_id: int, viewer: CurrentViewer, session: SessionDep
) -> Response:
    def step(s: Session, t: Team, actor: Actor) -> None:
        service.withdraw(s, _commitment(s, t, commitment_id), actor)

    return _form_step(
        request, viewer, session, team, step, done="withdrawn", conflict=True, anchor=f"#commitment-{commitment_id}"
    )


def _refuse_withdrawn(commitment: Commitment) -> None:
    if commitment.state == "withdrawn":
        raise ConflictError("this commitment was withdrawn")


# --- REST API --------------------------------------------------------------------------------------------------


def item_out(item: PlanItem) -> ItemOut:
    return ItemOut(
        id=item.id,
        title=item.title,
        description=item.description,
        status=item.status,
        rank=item.rank if item.status == "open" else None,
        optimistic=item.optimistic,
        likely=item.likely,
        pessimistic=item.pessimistic,
        estimated=None not in (item.optimistic, item.likely, item.pessimistic),
        depends_on=list(item.depends_on),
        tracker_key=item.tracker_key,
        created_by=item.created_by,
        created_at=item.created_at,
        ranked_by=item.ranked_by,
        ranked_at=item.ranked_at,
        estimated_by=item.estimated_by,
        estimated_at=item.estimated_at,
    )


def forecast_out(outlook: PlanOutlook, titles: dict[int, str]) -> ForecastOut:
    return ForecastOut(
        start=outlook.start,
        capacity_per_day=outlook.capacity_per_day,
        trials=outlook.trials,
        work_order=outlook.order,
        items=[
            ItemForecastOut(
                id=row.item_id,
                title=titles.get(row.item_id, ""),
                position=row.position,
                p50=row.dates[50],
                p70=row.dates[70],
                p85=row.dates[85],
                p95=row.dates[95],
            )
            for row in outlook.items
        ],
        unestimated=outlook.unestimated,
        stops_at=outlook.stops_at,
        target=outlook.target,
        confidence=outlook.confidence,
        cut_line=outlook.cut_line,
        cut_line_is_lower_bound=outlook.cut_line_is_lower_bound,
    )


def plan_out(
    session: Session, team: Team, target: date | None = None, confidence: float = DEFAULT_CONFIDENCE
) -> PlanOut:
    items = service.all_items(session, team)
    plan, outlook = _outlook(session, team, target, confidence)
    return PlanOut(
        team=team.name,
        unit=plan.unit if plan is not None else "days",
        capacity_per_day=plan.capacity_per_day if plan is not None else 1.0,
        capacity_set_by=plan.updated_by if plan is not None else None,
        capacity_set_at=plan.updated_at if plan is not None else None,
        items=[item_out(item) for item in items if item.status == "open"],
        closed=[item_out(item) for item in items if item.status != "open"],
        forecast=forecast_out(outlook, {item.id: item.title for item in items}),
    )


def _signature_out(signature: SignatureView) -> SignatureOut:
    return SignatureOut(
        function=signature.function,
        by=signature.person_id,
        at=signature.signed_at,
        forecast_p50=signature.forecast_p50,
        forecast_method=signature.forecast_method,
    )


def commitment_out(commitment: Commitment, team: Team) -> CommitmentOut:
    return CommitmentOut(
        id=commitment.id,
        team=team.name,
        title=commitment.title,
        state=commitment.state,
        latest_revision=commitment.latest_revision,
        in_force_revision=commitment.in_force_revision,
        created_at=commitment.created_at,
        updated_at=commitment.updated_at,
        revisions=[
            RevisionOut(
                number=rev.number,
                target_date=rev.target_date,
                scope=list(rev.scope),
                confidence=rev.confidence,
                initiated_by=rev.initiated_by,
                initiated_function=rev.initiated_function,
                reason=rev.reason,
                created_at=rev.created_at,
                signatures=[_signature_out(s) for s in service.signatures(rev).values()],
            )
            for rev in commitment.revisions
        ],
    )


def _api_step(
    request: Request,
    viewer: Viewer,
    team_name: str,
    step: Callable[[Session, Team, Actor], T],
    *,
    conflict: bool = False,
) -> T | JSONResponse:
    """A step and its answer, built in the same transaction; a user error as ``{"detail": message}``."""
    try:
        return _write(request, viewer, team_name, step)
    except USER_ERRORS as error:
        return JSONResponse({"detail": str(error)}, _status(error, conflict))


def _on_commitment(
    commitment_id: int, act: Callable[[Session, Commitment, Actor], object]
) -> Callable[[Session, Team, Actor], CommitmentOut]:
    """A step on one of the team's commitments (404 if it is not one), answered with the commitment as it is then."""

    def step(s: Session, t: Team, actor: Actor) -> CommitmentOut:
        commitment = _commitment(s, t, commitment_id)
        act(s, commitment, actor)
        return commitment_out(commitment, t)

    return step


@router.get("/api/v1/teams/{team:path}/plan", response_model=PlanOut, tags=["schedule"])
def plan_json(
    team: str,
    viewer: CurrentViewer,
    session: SessionDep,
    target: Annotated[date | None, Query(description="Where to draw the cut line.")] = None,
    confidence: Annotated[float, Query(gt=0, lt=1)] = DEFAULT_CONFIDENCE,
) -> PlanOut:
    """The plan: open items in rank order with who ranked and estimated them, closed items, and the forecast."""
    return plan_out(session, readable_team(session, viewer, team), target, confidence)


@router.post("/api/v1/teams/{team:path}/plan/items", response_model=ItemOut, status_code=201, tags=["schedule"])
def add_item_json(body: ItemCreate, team: str, request: Request, viewer: CurrentViewer) -> Any:
    """Add an item at the bottom of the plan (either lead)."""

    def step(s: Session, t: Team, actor: Actor) -> ItemOut:
        return item_out(
            service.add_item(
                s,
                t,
                actor,
                title=body.title,
                description=body.description,
                depends_on=body.depends_on,
                tracker_key=body.tracker_key,
            )
        )

    return _api_step(request, viewer, team, step)


@router.put("/api/v1/teams/{team:path}/plan/order", response_model=PlanOut, tags=["schedule"])
@router.post("/api/v1/teams/{team:path}/plan/order", response_model=PlanOut, tags=["schedule"])
def order_json(body: OrderIn, team: str, request: Request, viewer: CurrentViewer) -> Any:
    """Rank the plan (the product lead): every open item's id, most important first. A stale order is 409."""

    def step(s: Session, t: Team, actor: Actor) -> PlanOut:
        _check_order(body.order)
        service.rank(s, t, actor, body.order)
        return plan_out(s, t)

    return _api_step(request, viewer, team, step, conflict=True)


@router.post("/api/v1/teams/{team:path}/plan/items/{item_id}/estimate", response_model=ItemOut, tags=["schedule"])
def estimate_json(body: EstimateIn, team: str, item_id: int, request: Request, viewer: CurrentViewer) -> Any:
    """The engineering lead's three-point estimate, in the plan's unit."""

    def step(s: Session, t: Team, actor: Actor) -> ItemOut:
        return item_out(
            service.estimate(
                s,
                _item(s, t, item_id),
                actor,
                optimistic=body.optimistic,
                likely=body.likely,
                pessimistic=body.pessimistic,
            )
        )

    return _api_step(request, viewer, team, step)


@router.post("/api/v1/teams/{team:path}/plan/items/{item_id}/dependencies", response_model=ItemOut, tags=["schedule"])
def dependencies_json(body: DependenciesIn, team: str, item_id: int, request: Request, viewer: CurrentViewer) -> Any:
    """What must be done before the item (either lead); a cycle is refused."""

    def step(s: Session, t: Team, actor: Actor) -> ItemOut:
        return item_out(service.set_dependencies(s, _item(s, t, item_id), actor, body.depends_on))

    return _api_step(request, viewer, team, step)


@router.post("/api/v1/teams/{team:path}/plan/items/{item_id}/close", response_model=ItemOut, tags=["schedule"])
def close_json(body: CloseIn, team: str, item_id: int, request: Request, viewer: CurrentViewer) -> Any:
    """Done or dropped (either lead): out of the ranking, kept in the record."""

    def step(s: Session, t: Team, actor: Actor) -> ItemOut:
        item = _item(s, t, item_id)
        service.close_item(s, item, actor, body.status)
        return item_out(item)

    return _api_step(request, viewer, team, step, conflict=True)


@router.put("/api/v1/teams/{team:path}/plan/capacity", response_model=PlanOut, tags=["schedule"])
@router.post("/api/v1/teams/{team:path}/plan/capacity", response_model=PlanOut, tags=["schedule"])
def capacity_json(body: CapacityIn, team: str, request: Request, viewer: CurrentViewer) -> Any:
    """Estimate units the team completes per working day (the engineering lead)."""

    def step(s: Session, t: Team, actor: Actor) -> PlanOut:
        service.set_capacity(s, t, actor, capacity_per_day=body.capacity_per_day, unit=body.unit)
        return plan_out(s, t)

    return _api_step(request, viewer, team, step)


@router.get("/api/v1/teams/{team:path}/plan/commitments", response_model=list[CommitmentOut], tags=["schedule"])
def commitments_json(team: str, viewer: CurrentViewer, session: SessionDep) -> list[CommitmentOut]:
    """The team's commitments, newest first, each with every revision and its signatures."""
    chosen = readable_team(session, viewer, team)
    return [commitment_out(c, chosen) for c in service.commitments_of(session, chosen)]


@router.get(
    "/api/v1/teams/{team:path}/plan/commitments/{commitment_id}", response_model=CommitmentOut, tags=["schedule"]
)
def commitment_json(team: str, commitment_id: int, viewer: CurrentViewer, session: SessionDep) -> CommitmentOut:
    chosen = readable_team(session, viewer, team)
    return commitment_out(_commitment(session, chosen, commitment_id), chosen)


@router.post(
    "/api/v1/teams/{team:path}/plan/commitments", response_model=CommitmentOut, status_code=201, tags=["schedule"]
)
def propose_json(body: CommitmentCreate, team: str, request: Request, viewer: CurrentViewer) -> Any:
    """A lead proposes a date for a scope and signs it; it is in force once the counterpart signs too."""

    def step(s: Session, t: Team, actor: Actor) -> CommitmentOut:
        commitment = service.propose(
            s,
            t,
            actor,
            title=body.title,
            target_date=body.target_date,
            scope=body.scope,
            confidence=body.confidence,
            reason=body.reason,
        )
        return commitment_out(commitment, t)

    return _api_step(request, viewer, team, step)


@router.post(
    "/api/v1/teams/{team:path}/plan/commitments/{commitment_id}/revisions",
    response_model=CommitmentOut,
    status_code=201,
    tags=["schedule"],
)
def revise_json(body: RevisionIn, team: str, commitment_id: int, request: Request, viewer: CurrentViewer) -> Any:
    """A new revision (date, scope or confidence, and why), signed by its initiator; the revision in force
    stays until the counterpart signs the new one."""

    def revise(s: Session, commitment: Commitment, actor: Actor) -> None:
        _refuse_withdrawn(commitment)
        service.revise(
            s,
            commitment,
            actor,
            target_date=body.target_date,
            scope=body.scope,
            confidence=body.confidence,
            reason=body.reason,
        )

    return _api_step(request, viewer, team, _on_commitment(commitment_id, revise))


@router.post(
    "/api/v1/teams/{team:path}/plan/commitments/{commitment_id}/signatures",
    response_model=CommitmentOut,
    tags=["schedule"],
)
def sign_json(body: SignIn, team: str, commitment_id: int, request: Request, viewer: CurrentViewer) -> Any:
    """The counterpart signs the revision they read; a revision number that is no longer the latest is 409."""

    def sign(s: Session, commitment: Commitment, actor: Actor) -> None:
        service.sign(s, commitment, actor, revision_number=body.revision)

    return _api_step(request, viewer, team, _on_commitment(commitment_id, sign), conflict=True)


@router.post(
    "/api/v1/teams/{team:path}/plan/commitments/{commitment_id}/withdraw",
    response_model=CommitmentOut,
    tags=["schedule"],
)
def withdraw_json(team: str, commitment_id: int, request: Request, viewer: CurrentViewer) -> Any:
    """Withdraw a proposal nobody else has signed (either lead); a commitment in force is revised instead."""

    return _api_step(request, viewer, team, _on_commitment(commitment_id, service.withdraw), conflict=True)
