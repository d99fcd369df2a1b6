"""Trust pulses in the browser and under /api/v1: the anonymous answer page behind a personal link, the team's
released results, and opening a pulse.

Every figure shown comes from ``analysis.trust_metrics`` and ``service.released_comments``, computed over all
the facts (the privacy gate's catalogue): a direction the gate held back shows no count and no partial figure,
for admins too. The answer page needs no account: the link's token is the credential, so those pages send
``Referrer-Policy: no-referrer`` and the access log redacts the token (``RedactSecretsInAccessLog``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from tandem.accounts.models import Role
from tandem.accounts.permissions import Viewer
from tandem.config import Settings
from tandem.db import retrying, utcnow
from tandem.org.models import Team
from tandem.trust import service
from tandem.trust.facts import TrustThresholds
from tandem.trust.instrument import Direction, Instrument
from tandem.trust.models import Pulse
from tandem.trust.schemas import (
    DirectionOut,
    FiguresOut,
    OpenedPulseOut,
    PulseCreate,
    PulseOut,
    TrustOut,
)
from tandem.trust.service import OpenInvitation, PulseError
from tandem.web.deps import CurrentViewer, SessionDep, SettingsDep, ensure, readable_team
from tandem.web.plotly import page_style_ids
from tandem.web.render import page
from tandem.web.walk_cache import current_walk

router = APIRouter()

SCALE_LABELS = {
    1: "Strongly disagree",
    2: "Disagree",
    3: "Somewhat disagree",
    4: "Neither agree nor disagree",
    5: "Somewhat agree",
    6: "Agree",
    7: "Strongly agree",
}
UNUSABLE_LINK = (
    "This link cannot be used: it has been used already, has expired, or is not a pulse link. "
    "If you have not answered yet, ask whoever sent it for a new one."
)
NO_REFERRER = {"Referrer-Policy": "no-referrer"}
"""The token is in the answer page's URL: no request from the page may carry it elsewhere."""


def trust_url(team_name: str) -> str:
    return f"/teams/{quote(team_name)}/trust"


def _thresholds(settings: Settings) -> TrustThresholds:
    return service.trust_thresholds(settings.thresholds)


# --- the answer page (no account) --------------------------------------------------------------------------------


def scale_labels(instrument: Instrument) -> list[tuple[int, str]]:
    """The scale's points with their words (the default 1 to 7 scale), the ends at least for any other scale."""
    points = range(instrument.scale_min, instrument.scale_max + 1)
    if (instrument.scale_min, instrument.scale_max) == (1, 7):
        return [(point, SCALE_LABELS[point]) for point in points]
    ends = {instrument.scale_min: "Strongly disagree", instrument.scale_max: "Strongly agree"}
    return [(point, ends.get(point, str(point))) for point in points]


def _answer_page(
    request: Request,
    settings: Settings,
    token: str,
    opened: OpenInvitation,
    *,
    status: int = 200,
    error: str | None = None,
    kept: Mapping[str, str] | None = None,
    comment: str = "",
) -> Response:
    questions = [(item.id, item.text(opened.direction)) for item in opened.instrument.items]
    response = page(
        request,
        "pulse.html",
        status,
        viewer=None,
        team=opened.team,
        direction=opened.direction,
        questions=questions,
        scale=scale_labels(opened.instrument),
        min_group_size=_thresholds(settings).min_group_size,
        comment_group_size=_thresholds(settings).comment_group_size,
        action=f"/pulse/{quote(token)}",
        closes_at=opened.pulse.closes_at,
        error=error,
        kept=dict(kept or {}),
        comment=comment,
        comment_limit=service.COMMENT_LIMIT,
    )
    response.headers.update(NO_REFERRER)
    return response


def _gone(request: Request) -> Response:
    response = page(request, "error.html", 404, viewer=None, title="Link not usable", message=UNUSABLE_LINK)
    response.headers.update(NO_REFERRER)
    return response


async def pulse_form(request: Request) -> dict[str, str]:
    """The answer form's fields as text (the radio rows are named after the items, which vary by version)."""
    form = await request.form()
    return {key: value for key, value in form.items() if isinstance(value, str)}


def parse_answers(form: Mapping[str, str], instrument: Instrument) -> dict[str, int]:
    """The answers a form carries, one per item; a user error naming the problem otherwise."""
    answers: dict[str, int] = {}
    for item in instrument.items:
        raw = form.get(f"item_{item.id}", "").strip()
        if not raw:
            raise PulseError("Answer every statement: one or more has no answer yet.")
        try:
            answers[item.id] = int(raw)
        except ValueError as error:
            raise PulseError(
                f"Answers go from {instrument.scale_min} to {instrument.scale_max}; pick one on each row."
            ) from error
    return answers


@router.get("/pulse/thanks", response_class=HTMLResponse, include_in_schema=False)
def pulse_thanks(request: Request, settings: SettingsDep) -> Response:
    response = page(request, "pulse_thanks.html", viewer=None, min_group_size=_thresholds(settings).min_group_size)
    response.headers.update(NO_REFERRER)
    return response


@router.get("/pulse/{token}", response_class=HTMLResponse, include_in_schema=False)
def pulse_page(request: Request, token: str, session: SessionDep, settings: SettingsDep) -> Response:
    """The answer page: the team, the statements in the respondent's direction, one submit."""
    try:
        opened = service.invitation_for(session, token)
    except PulseError:
        return _gone(request)
    return _answer_page(request, settings, token, opened)


@router.post("/pulse/{token}", response_class=HTMLResponse, include_in_schema=False)
def pulse_submit(
    request: Request,
    token: str,
    session: SessionDep,
    settings: SettingsDep,
    form: Annotated[dict[str, str], Depends(pulse_form)],
) -> Response:
    """Store the answers in one transaction, then thank; the page again with the message when they do not do."""
    comment = form.get("comment", "")

    def work(s: Session) -> None:
        opened = service.invitation_for(s, token)
        service.answer(s, token, parse_answers(form, opened.instrument), comment=comment)

    try:
        retrying(request.app.state.engine, work)
    except PulseError as problem:
        try:
            opened = service.invitation_for(session, token)
        except PulseError:
            return _gone(request)
        kept = {key[len("item_") :]: value for key, value in form.items() if key.startswith("item_")}
        message = str(problem)
        return _answer_page(
            request,
            settings,
            token,
            opened,
            status=400,
            error=message[:1].upper() + message[1:],
            kept=kept,
            comment=comment,
        )
    return RedirectResponse("/pulse/thanks", status_code=303, headers=NO_REFERRER)


# --- results -----------------------------------------------------------------------------------------------------


def _pulse_id(fact_pulse_id: object) -> int | None:
    """A pulse's database id from the id the facts give it (None for a pool's reading)."""
    return service.database_pulse_id(str(fact_pulse_id)) if fact_pulse_id is not None else None


def released_respondents(team_metrics: Mapping[str, Any]) -> dict[int, int]:
    """Per pulse, how many respondents the gate's released figures already show (both directions together)."""
    totals: dict[int, int] = defaultdict(int)
    for figures in team_metrics.values():
        seen: set[int | None] = set()
        trend = figures.get("trend")
        for point in trend["pulses"] if trend else []:
            pulse_id = _pulse_id(point["pulse_id"])
            if pulse_id is not None:
                totals[pulse_id] += int(point["respondents"])
            seen.add(pulse_id)
        latest = _pulse_id(figures["pulse_id"])
        if latest is not None and latest not in seen:
            totals[latest] += int(figures["respondents"])
    return dict(totals)


def _in_database_ids(figures: Mapping[str, Any], dates: Mapping[int, str]) -> dict[str, Any]:
    """The released figures with pulses named by their database id, and the latest pulse's date."""
    latest = _pulse_id(figures["pulse_id"])
    converted = {**figures, "pulse_id": latest, "date": dates.get(latest) if latest is not None else None}
    trend = figures.get("trend")
    if trend:
        converted["trend"] = {
            **trend,
            "pulses": [{**point, "pulse_id": _pulse_id(point["pulse_id"])} for point in trend["pulses"]],
        }
    return converted


@dataclass(frozen=True)
class PulseView:
    pulse: Pulse
    invited: int
    answered: int | None
    below_minimum: bool
    """True when fewer than the minimum answered (the page says so); False with ``answered`` None when the count
    would reveal a group the gate held back (the total less a released direction)."""
    open: bool


def pulse_views(
    session: Session, team: Team, team_metrics: Mapping[str, Any], thresholds: TrustThresholds
) -> list[PulseView]:
    """The team's pulses, newest first. A pulse's answer count is shown only when it adds nothing to the released
    figures: at least the minimum (``response_counts``) and exactly what its released directions already add up
    to; otherwise the total less one released direction would count the other, held-back one."""
    shown = released_respondents(team_metrics)
    now = utcnow()
    views = []
    pulses = service.pulses_of(session, team)
    counts = service.all_response_counts(session, pulses, thresholds)
    for pulse in pulses:
        invited, answered = counts[pulse.id]
        visible = answered if answered is not None and shown.get(pulse.id) == answered else None
        views.append(PulseView(pulse, invited, visible, answered is None, pulse.opens_at <= now < pulse.closes_at))
    return views


def pulse_out(view: PulseView) -> PulseOut:
    pulse = view.pulse
    return PulseOut(
        id=pulse.id,
        opens_at=pulse.opens_at,
        closes_at=pulse.closes_at,
        open=view.open,
        instrument_version=pulse.instrument_version,
        source=pulse.source,
        invited=view.invited,
        answered=view.answered,
    )


@dataclass(frozen=True)
class Results:
    team: Team
    thresholds: TrustThresholds
    trust: TrustOut
    pulses: list[PulseView]


def results(request: Request, session: Session, team: Team, settings: Settings) -> Results:
    """The team's released figures, from the gate run over every team's facts — the cached walk's
    ``metrics.trust``, recomputed only when answers or the org change — and its comments."""
    thresholds = _thresholds(settings)
    team_metrics = current_walk(request, session).metrics.get("trust", {}).get(team.name, {})
    comments = service.released_comments(
        session, service.load_trust_facts(session, team_id=team.id), team.name, thresholds
    )
    dates = {pulse.id: pulse.opens_at.date().isoformat() for pulse in service.pulses_of(session, team)}
    directions = []
    for direction in Direction:
        figures = team_metrics.get(direction.value)
        if figures is not None:
            figures = _in_database_ids(figures, dates)
        directions.append(
            DirectionOut(
                direction=direction.value,
                respondents_function=direction.respondents,
                rated_function=direction.rated,
                released=figures is not None,
                figures=FiguresOut.model_validate(figures) if figures is not None else None,
                comments=comments.get(direction.value),
            )
        )
    trust = TrustOut(
        team=team.name,
        min_group_size=thresholds.min_group_size,
        min_comment_group_size=thresholds.comment_group_size,
        directions=directions,
    )
    return Results(team, thresholds, trust, pulse_views(session, team, team_metrics, thresholds))


@router.get("/teams/{team:path}/trust", response_class=HTMLResponse, include_in_schema=False)
def trust_page(
    request: Request, team: str, viewer: CurrentViewer, session: SessionDep, settings: SettingsDep
) -> Response:
    """The team's trust results: per direction the released index, interval, alpha and trend; its pulses."""
    found = results(request, session, readable_team(session, viewer, team), settings)
    charted = any(d.figures is not None for d in found.trust.directions)
    return page(
        request,
        "trust.html",
        viewer=viewer,
        team=found.team,
        trust=found.trust,
        pulses=found.pulses,
        thresholds=found.thresholds,
        charted=charted,
        chart_url=f"/api/v1/teams/{quote(found.team.name)}/trust",
        plotly_style_ids=page_style_ids(charted),
    )


# --- the JSON API --------------------------------------------------------------------------------------------------


@router.get("/api/v1/teams/{team:path}/trust", response_model=TrustOut, tags=["trust"])
def trust_json(
    request: Request, team: str, viewer: CurrentViewer, session: SessionDep, settings: SettingsDep
) -> TrustOut:
    """The released figures of the team's latest pulse per direction (null where the gate held them back), the
    trend when its pulses are all released, and comments when the group reaches the comment minimum."""
    return results(request, session, readable_team(session, viewer, team), settings).trust


@router.get("/api/v1/teams/{team:path}/pulses", response_model=list[PulseOut], tags=["trust"])
def pulses_json(
    request: Request, team: str, viewer: CurrentViewer, session: SessionDep, settings: SettingsDep
) -> list[PulseOut]:
    """The team's pulses, newest first; ``answered`` is null below the minimum group size."""
    return [
        pulse_out(view) for view in results(request, session, readable_team(session, viewer, team), settings).pulses
    ]


def may_open(viewer: Viewer, team: Team) -> bool:
    """Admins only: whoever opens a pulse could otherwise time or pad it (see ``open_pulse_json``)."""
    return viewer.role is Role.ADMIN


@router.post("/api/v1/teams/{team:path}/pulses", response_model=OpenedPulseOut, status_code=201, tags=["trust"])
def open_pulse_json(
    body: PulseCreate, team: str, request: Request, viewer: CurrentViewer, settings: SettingsDep
) -> Any:
    """Open a pulse (an admin) and send each invitee their single-use link through ``[trust] invitation_url``.

    The links are never returned: whoever held them all could see who has answered (a used link stops working)
    or answer for four colleagues to isolate the fifth. Without ``invitation_url`` configured the request is
    refused (409); an operator can still open from the server with ``tandem pulse open --out``.
    """
    ensure(viewer.role is Role.ADMIN)  # refused before anything else is said about the server
    template = settings.trust.invitation_url
    if template is None:
        raise HTTPException(409, "set [trust] invitation_url so each link goes to its person, or use the CLI")

    def work(session: Session) -> tuple[Pulse, list[service.Link], str]:
        chosen = readable_team(session, viewer, team)
        ensure(may_open(viewer, chosen))
        pulse, links = service.open_pulse(
            session, chosen, actor_label=viewer.actor, open_working_days=body.open_working_days
        )
        return pulse, links, chosen.name

    try:
        pulse, links, name = retrying(request.app.state.engine, work)
    except PulseError as error:
        raise HTTPException(400, str(error)) from error
    sent, failed = service.send_links(links, template=template, public_url=settings.web.public_url, team=name)
    now = utcnow()
    return OpenedPulseOut(
        pulse=pulse_out(PulseView(pulse, len(links), None, True, pulse.opens_at <= now < pulse.closes_at)),
        sent=sent,
        failed=failed,
    )
