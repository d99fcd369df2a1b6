"""The org in the browser (org chart, team and person pages, the admin import) and under /api/v1."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, HTTPException, Query, Request, UploadFile
from fastapi.responses import HTMLResponse

from tandem.accounts.models import Role
from tandem.accounts.permissions import can_administer, can_read_org, can_read_person, can_read_team
from tandem.decisions.service import listing as decision_listing
from tandem.org.analysis import CounterpartPair, OrgSnapshot, TeamNode, counterpart_pair, senior_leadership
from tandem.org.importer import ImportRejectedError
from tandem.org.models import Person, Team
from tandem.org.schemas import OrgOut, Page, PersonOut, TeamOut
from tandem.org.service import (
    change_lines,
    direct_reports,
    import_org,
    load_org_snapshot,
    org_counts,
    people_page,
    person_by_id,
    team_by_name,
    team_members,
    team_rows,
)
from tandem.web.deps import CurrentViewer, SessionDep, SettingsDep, ensure, readable_team
from tandem.web.render import page
from tandem.web.walk_cache import current_walk

router = APIRouter()
Limit = Annotated[int | None, Query(ge=1, le=1000, description="Rows per page (default: the server's page size).")]
Offset = Annotated[int, Query(ge=0, le=2**31 - 1, description="Rows to skip.")]


def _node(team: Team) -> TeamNode:
    return TeamNode(team.name, team.product_lead_id, team.engineering_lead_id, team.accountable_manager_id, team.active)


def _pairs(session: SessionDep) -> tuple[OrgSnapshot, list[tuple[Team, CounterpartPair]]]:
    snapshot = load_org_snapshot(session)
    return snapshot, [(team, counterpart_pair(snapshot, _node(team))) for team in team_rows(session)]


# --- pages ---------------------------------------------------------------------------------------------------


@router.get("/org", response_class=HTMLResponse, include_in_schema=False)
def org_page(request: Request, viewer: CurrentViewer, session: SessionDep) -> HTMLResponse:
    ensure(can_read_org(viewer))
    snapshot, pairs = _pairs(session)
    return page(
        request,
        "org.html",
        viewer=viewer,
        pairs=[pair for team, pair in pairs if team.active],
        people=snapshot.people,
        counts=org_counts(session),
        top=senior_leadership(snapshot),
    )


@router.get("/teams/{name:path}", response_class=HTMLResponse, include_in_schema=False)
def team_page(request: Request, name: str, viewer: CurrentViewer, session: SessionDep) -> HTMLResponse:
    team = readable_team(session, viewer, name)
    snapshot = load_org_snapshot(session)
    pair = counterpart_pair(snapshot, _node(team))
    report = current_walk(request, session) if can_read_org(viewer) else None
    findings = [f for f in report.findings if team.name in f.scope.teams] if report else []
    figures = report.metrics.get("decisions", {}).get(team.name) if report else None
    decisions, _ = decision_listing(session, team=team, limit=10)
    return page(
        request,
        "team.html",
        viewer=viewer,
        team=team,
        pair=pair,
        people=snapshot.people,
        members=team_members(session, team),
        findings=findings,
        decisions=decisions,
        figures=figures,
        can_record=viewer.role is Role.ADMIN or team.name in viewer.led_teams,
    )


@router.get("/people/{person_id:path}", response_class=HTMLResponse, include_in_schema=False)
def person_page(request: Request, person_id: str, viewer: CurrentViewer, session: SessionDep) -> HTMLResponse:
    person = person_by_id(session, person_id)
    if person is None:
        raise HTTPException(404, "No person has that id.")
    ensure(can_read_person(viewer, person.id, person.team.name if person.team else None))
    snapshot = load_org_snapshot(session)
    led = [t for t in team_rows(session) if person.id in (t.product_lead_id, t.engineering_lead_id) and t.active]
    chain = [snapshot.people[m] for m in snapshot.managers_of(person.id)]
    reports = direct_reports(session, person.id)
    if not can_read_org(viewer):  # a member sees only the people they may read
        chain = [p for p in chain if can_read_person(viewer, p.id, p.team)]
        reports = [p for p in reports if can_read_person(viewer, p.id, p.team.name if p.team else None)]
    return page(request, "person.html", viewer=viewer, person=person, chain=chain, reports=reports, led=led)


@router.get("/admin/import", response_class=HTMLResponse, include_in_schema=False)
def import_form(request: Request, viewer: CurrentViewer) -> HTMLResponse:
    ensure(can_administer(viewer))
    return page(request, "import.html", viewer=viewer)


@router.post("/admin/import", response_class=HTMLResponse, include_in_schema=False)
async def import_upload(
    request: Request,
    viewer: CurrentViewer,
    session: SessionDep,
    people: Annotated[UploadFile, File(description="The people CSV file.")],
    teams: Annotated[UploadFile | None, File(description="The teams CSV file.")] = None,
    dry_run: Annotated[bool, Form()] = False,
) -> HTMLResponse:
    """The same all-or-nothing import as ``tandem org import``, with every problem shown by line."""
    ensure(can_administer(viewer))
    teams_data = await teams.read() if teams is not None and teams.filename else None
    try:
        outcome = import_org(
            session,
            people_data=await people.read(),
            people_file=people.filename or "people.csv",
            teams_data=teams_data,
            teams_file=(teams.filename or "teams.csv") if teams_data is not None and teams else None,
            imported_by=viewer.actor,
            dry_run=dry_run,
        )
    except ImportRejectedError as error:
        return page(request, "import.html", 422, viewer=viewer, problems=error.problems)
    return page(
        request,
        "import.html",
        viewer=viewer,
        outcome=outcome,
        dry_run=dry_run,
        counts=outcome.plan.counts(),
        changes=change_lines(outcome.plan),
        warnings=sorted([*outcome.org.warnings, *outcome.plan.warnings]),
    )


# --- REST API ------------------------------------------------------------------------------------------------


def _person_out(person: Person) -> PersonOut:
    return PersonOut(
        id=person.id,
        name=person.name,
        email=person.email,
        function=person.function.value,
        level=person.level,
        manager_id=person.manager_id,
        title=person.title,
        team=person.team.name if person.team else None,
        active=person.active,
    )


def _team_out(team: Team, pair: CounterpartPair) -> TeamOut:
    return TeamOut(
        name=team.name,
        active=team.active,
        product_lead=team.product_lead_id,
        engineering_lead=team.engineering_lead_id,
        accountable_manager=pair.accountable_manager,
        accountable_manager_source=pair.accountable_manager_source.value if pair.accountable_manager_source else None,
        escalation_distance=pair.escalation_distance,
        level_gap=pair.level_gap,
        jira_projects=team.jira_projects,
        github_repos=team.github_repos,
        linear_teams=team.linear_teams,
    )


@router.get("/api/v1/org", response_model=OrgOut, tags=["org"])
def org_json(viewer: CurrentViewer, session: SessionDep) -> OrgOut:
    """Counts, the root, and the senior product and engineering leaders."""
    ensure(can_read_org(viewer))
    snapshot = load_org_snapshot(session)
    top = senior_leadership(snapshot)
    return OrgOut(
        counts=org_counts(session),
        root=snapshot.roots[0] if snapshot.roots else None,
        senior_product_leader=top.product.id if top.product else None,
        senior_engineering_leader=top.engineering.id if top.engineering else None,
    )


@router.get("/api/v1/people", response_model=Page[PersonOut], tags=["org"])
def people_json(
    viewer: CurrentViewer, session: SessionDep, settings: SettingsDep, limit: Limit = None, offset: Offset = 0
) -> Page[PersonOut]:
    """Everyone, active or not, by id."""
    ensure(can_read_org(viewer))
    size = limit or settings.web.page_size
    rows, total = people_page(session, limit=size, offset=offset)
    return Page[PersonOut](items=[_person_out(p) for p in rows], total=total, limit=size, offset=offset)


@router.get("/api/v1/people/{person_id:path}", response_model=PersonOut, tags=["org"])
def person_json(person_id: str, viewer: CurrentViewer, session: SessionDep) -> PersonOut:
    person = person_by_id(session, person_id)
    if person is None:
        raise HTTPException(404, "no person has that id")
    ensure(can_read_person(viewer, person.id, person.team.name if person.team else None))
    return _person_out(person)


@router.get("/api/v1/teams", response_model=Page[TeamOut], tags=["org"])
def teams_json(
    viewer: CurrentViewer, session: SessionDep, settings: SettingsDep, limit: Limit = None, offset: Offset = 0
) -> Page[TeamOut]:
    """Every team with its two leads, accountable manager, escalation distance and level gap."""
    ensure(can_read_org(viewer))
    size = limit or settings.web.page_size
    _, pairs = _pairs(session)
    items = [_team_out(team, pair) for team, pair in pairs[offset : offset + size]]
    return Page[TeamOut](items=items, total=len(pairs), limit=size, offset=offset)


@router.get("/api/v1/teams/{name:path}", response_model=TeamOut, tags=["org"])
def team_json(name: str, viewer: CurrentViewer, session: SessionDep) -> TeamOut:
    team = team_by_name(session, name)
    if team is None:
        raise HTTPException(404, "no team has that name")
    ensure(can_read_team(viewer, team.name))
    return _team_out(team, counterpart_pair(load_org_snapshot(session), _node(team)))
