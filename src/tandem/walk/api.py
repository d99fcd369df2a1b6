"""The walk in the browser (the executives' home page) and as JSON under /api/v1/walk.

The home page is the same report as ``tandem walk --format html`` (the ``walk_report.html`` partial, with links to
the finding, team and person pages): its charts are drawn by ``/static/walk.js`` with Plotly served from the
installed package, nothing inline but the figures' JSON block, under the strict Content-Security-Policy.
"""

from __future__ import annotations

from datetime import datetime
from urllib.parse import quote

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select

from tandem.accounts.permissions import can_read_org
from tandem.db import utcnow
from tandem.org.models import Person
from tandem.walk.findings import WalkReport
from tandem.walk.registry import TimeWindow
from tandem.walk.report.evidence import evidence_lines
from tandem.walk.report.html import report_view, template_globals
from tandem.walk.service import run_walk
from tandem.web.deps import CurrentViewer, SessionDep, ensure
from tandem.web.plotly import page_style_ids
from tandem.web.render import page
from tandem.web.walk_cache import current_walk

router = APIRouter()


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
def walk_page(request: Request, viewer: CurrentViewer, session: SessionDep) -> Response:
    if not can_read_org(viewer) and viewer.home_team:
        # A member's home is their team; the org-wide walk is not theirs to read.
        return RedirectResponse(f"/teams/{quote(viewer.home_team, safe='')}", status_code=303)
    ensure(can_read_org(viewer))
    view = report_view(current_walk(request, session))
    return page(
        request,
        "walk.html",
        viewer=viewer,
        view=view,
        links=True,
        plotly_style_ids=page_style_ids(bool(view.charts)),
        **template_globals(),
    )


@router.get("/findings/{finding_id}", response_class=HTMLResponse, include_in_schema=False)
def finding_page(request: Request, finding_id: str, viewer: CurrentViewer, session: SessionDep) -> HTMLResponse:
    ensure(can_read_org(viewer))
    report = current_walk(request, session)
    finding = next((f for f in report.findings if f.id == finding_id), None)
    if finding is None:
        raise HTTPException(404, "No such finding in today's walk: it may have been resolved.")
    names = dict(session.execute(select(Person.id, Person.name).where(Person.id.in_(finding.scope.people))).all())
    return page(
        request,
        "finding.html",
        viewer=viewer,
        finding=finding,
        evidence=evidence_lines(finding.evidence),
        names=names,
    )


@router.get("/api/v1/walk", response_model=WalkReport, tags=["walk"])
def walk_json(
    request: Request,
    viewer: CurrentViewer,
    session: SessionDep,
    since: datetime | None = Query(None, description="Only records dated from this time on (ISO 8601)."),
    until: datetime | None = Query(None, description="Only records up to this time, read as they stood then."),
) -> WalkReport:
    """The walk, exactly as ``tandem walk --format json`` prints it; with ``since``/``until``, a stretch of time
    (as ``tandem walk --since/--until``; walked afresh, not cached)."""
    ensure(can_read_org(viewer))
    if since is None and until is None:
        return current_walk(request, session)
    try:
        window = TimeWindow.up_to_now(since, until, utcnow())
    except ValueError as error:
        raise HTTPException(422, str(error)) from None
    return run_walk(session, request.app.state.settings.thresholds, window=window)
