"""A team's overlap in the browser and under /api/v1: who is in the room at its rituals, how that moves month by
month, the ritual calendar as a heatmap, how the team holds together under pressure, and its rituals one by one.

The figures come from the cached walk (``metrics.overlap`` and ``metrics.pressure``), so the page shows what the
walk judged; the pressure test's trust measure passed the trust privacy gate inside the walk. The heatmap and the
ritual list read the team's own rituals (one team: cheap). Whoever may read the team may read these; its
findings only whoever may read the walk, as on the team page.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from tandem.accounts.permissions import Viewer, can_read_org
from tandem.config import Settings
from tandem.org.models import Person, Team
from tandem.org.schemas import Page
from tandem.overlap import analysis, service
from tandem.overlap.charts import PresenceGrid, grid_heatmap, presence_grid
from tandem.overlap.facts import FUNCTIONS, OccurrenceFacts, RitualKind
from tandem.overlap.schemas import (
    LeadAttendanceOut,
    OccurrenceOut,
    OverlapFiguresOut,
    OverlapOut,
    OverlapThresholdsOut,
    PressureOut,
)
from tandem.web.deps import CurrentViewer, SessionDep, SettingsDep, readable_team
from tandem.web.plotly import page_style_ids
from tandem.web.render import page
from tandem.web.walk_cache import current_walk

router = APIRouter()

FINDING_KINDS = ("engineering_absent_from_discovery", "product_absent_from_delivery", "fracture_under_pressure")
"""The walk's findings the overlap page lists: missing overlap, and fracture under pressure."""
MEASURE_TITLES = {
    "unilateral_changes": "Schedule changes made by one side alone",
    "escalations": "Decisions escalated",
    "joint_rituals": "Rituals with both sides present",
    "trust": "Trust index (1 to 7)",
}
REASON_TITLES = {
    "committed_date": "before a committed date",
    "scope_cut": "after a scope cut",
    "slip": "after a slip",
    "incident": "after an incident",
}


def api_url(team_name: str) -> str:
    return f"/api/v1/teams/{quote(team_name)}/overlap"


def figures_out(figures: dict[str, Any]) -> OverlapFiguresOut:
    """The walk's per-team overlap metrics, each lead seat's ``person`` apart from its shares by kind."""
    lead_attendance = {
        seat: LeadAttendanceOut(person=shares.get("person"), by_kind={k: v for k, v in shares.items() if k != "person"})
        for seat, shares in figures["lead_attendance"].items()
    }
    return OverlapFiguresOut.model_validate({**figures, "lead_attendance": lead_attendance})


def thresholds_out(settings: Settings) -> OverlapThresholdsOut:
    return OverlapThresholdsOut.model_validate(settings.thresholds, from_attributes=True)


@dataclass(frozen=True)
class Results:
    team: Team
    overlap: OverlapOut
    grid: PresenceGrid


def results(request: Request, session: Session, viewer: Viewer, team: Team, settings: Settings) -> Results:
    """The team's figures and pressure comparison from the cached walk, its overlap findings for a reader of the
    walk, and its ritual calendar over the last 52 weeks from its own rituals."""
    walk = current_walk(request, session)
    figures = walk.metrics.get("overlap", {}).get(team.name)
    pressure = walk.metrics.get("pressure", {}).get(team.name)
    findings = (
        [f for f in walk.findings if f.kind in FINDING_KINDS and team.name in f.scope.teams]
        if can_read_org(viewer)
        else None
    )
    grid = presence_grid(service.load_overlap_facts(session, team_id=team.id), team.name)
    overlap = OverlapOut(
        team=team.name,
        window_days=settings.thresholds.overlap_window_days,
        figures=figures_out(figures) if figures is not None else None,
        pressure=PressureOut.model_validate(pressure) if pressure is not None else None,
        findings=findings,
        thresholds=thresholds_out(settings),
        heatmap=grid_heatmap(grid),
    )
    return Results(team, overlap, grid)


def _names(session: Session, ids: set[str]) -> dict[str, str]:
    return dict(session.execute(select(Person.id, Person.name).where(Person.id.in_(ids))).all())


@router.get("/teams/{team:path}/overlap", response_class=HTMLResponse, include_in_schema=False)
def overlap_page(
    request: Request, team: str, viewer: CurrentViewer, session: SessionDep, settings: SettingsDep
) -> Response:
    """Who is in the room: the team's overlap findings, its presence figures against the thresholds with their
    monthly trend, its ritual calendar, and its pressure comparison."""
    found = results(request, session, viewer, readable_team(session, viewer, team), settings)
    figures = found.overlap.figures
    trend_charted = figures is not None and any(month.occurrences for month in figures.trend.values())
    heatmap_charted = bool(found.grid.rows)
    leads = {a.person for a in figures.lead_attendance.values() if a.person} if figures else set()
    return page(
        request,
        "overlap.html",
        viewer=viewer,
        team=found.team,
        overlap=found.overlap,
        figures=figures,
        pressure=found.overlap.pressure,
        thresholds=found.overlap.thresholds,
        grid=found.grid,
        functions=FUNCTIONS,
        names=_names(session, leads),
        measure_titles=MEASURE_TITLES,
        reason_titles=REASON_TITLES,
        trend_charted=trend_charted,
        heatmap_charted=heatmap_charted,
        chart_url=api_url(found.team.name),
        rituals_url=f"/api/v1/teams/{quote(found.team.name)}/rituals",
        plotly_style_ids=page_style_ids(trend_charted or heatmap_charted),
    )


# --- the JSON API --------------------------------------------------------------------------------------------------


@router.get("/api/v1/teams/{team:path}/overlap", response_model=OverlapOut, tags=["overlap"])
def overlap_json(
    request: Request, team: str, viewer: CurrentViewer, session: SessionDep, settings: SettingsDep
) -> OverlapOut:
    """The team's ritual presence figures over the overlap window with their monthly trend, its pressure
    comparison (null without a pressure period), its overlap findings (null for a member), the thresholds, and the
    ritual calendar heatmap as Plotly figure JSON."""
    return results(request, session, viewer, readable_team(session, viewer, team), settings).overlap


def occurrence_out(occurrence: OccurrenceFacts) -> OccurrenceOut:
    return OccurrenceOut(
        id=occurrence.id,
        team=occurrence.team,
        kind=occurrence.kind,
        start=occurrence.start,
        minutes=occurrence.minutes,
        summary=occurrence.summary,
        organiser=occurrence.organiser,
        attendees=[a.person_id for a in occurrence.attendees],
        product_present=analysis.product_present(occurrence),
        engineer_present=analysis.engineer_present(occurrence),
    )


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=UTC)


def _after(day: date) -> datetime | None:
    """The moment a day (UTC) ends; None for the last day there is (no end to the listing)."""
    return _midnight(day + timedelta(days=1)) if day < date.max else None


@router.get("/api/v1/teams/{team:path}/rituals", response_model=Page[OccurrenceOut], tags=["overlap"])
def rituals_json(
    team: str,
    viewer: CurrentViewer,
    session: SessionDep,
    settings: SettingsDep,
    since: Annotated[date | None, Query(description="The first day (UTC) included.")] = None,
    until: Annotated[date | None, Query(description="The last day (UTC) included.")] = None,
    kind: Annotated[RitualKind | None, Query(description="Only rituals of this kind.")] = None,
    limit: Annotated[int | None, Query(ge=1, le=1000)] = None,
    offset: Annotated[int, Query(ge=0, le=2**31 - 1)] = 0,
) -> Page[OccurrenceOut]:
    """The team's rituals, newest first, with who attended and whether each side was present; filter by days
    (``since``, ``until``, both included) and ``kind``."""
    chosen = readable_team(session, viewer, team)
    size = limit or settings.web.page_size
    rows, total = service.occurrences(
        session,
        team=chosen,
        since=_midnight(since) if since is not None else None,
        until=_after(until) if until is not None else None,
        kind=kind,
        limit=size,
        offset=offset,
    )
    return Page[OccurrenceOut](items=[occurrence_out(o) for o in rows], total=total, limit=size, offset=offset)
