"""Slices of the walk: the teams under a person, and the report cut down to them."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from factories import import_small_org, load_org, person, small_org, small_teams
from tandem.cli import app
from tandem.walk.findings import Finding, OrgCounts, Practice, Recommendation, Scope, WalkReport, finding_id
from tandem.walk.slices import restrict, slice_of, teams_under

MANAGERS: dict[str, str | None] = {"ceo": None, "vp": "ceo", "pm1": "vp", "em1": "vp", "pm2": "ceo", "em2": "ceo"}
LEADS: dict[str, tuple[str | None, str | None]] = {"Payments": ("pm1", "em1"), "Search": ("pm2", "em2")}


def test_a_team_is_under_whoever_its_leads_report_to() -> None:
    assert teams_under("vp", MANAGERS, LEADS) == {"Payments"}
    assert teams_under("ceo", MANAGERS, LEADS) == {"Payments", "Search"}


def test_a_lead_is_under_themselves() -> None:
    assert teams_under("pm2", MANAGERS, LEADS) == {"Search"}


def test_a_member_sees_their_own_team() -> None:
    assert teams_under("dev9", MANAGERS, LEADS, {"Search": ["dev9"]}) == {"Search"}


def finding(kind: str, teams: list[str]) -> Finding:
    return Finding(
        id=finding_id(kind, ",".join(teams) or "org"),
        kind=kind,
        practice=Practice.EQUAL_POWER,
        severity=0.5,
        title=kind,
        scope=Scope(teams=teams),
        evidence={},
        recommendation=Recommendation(practice=Practice.EQUAL_POWER, step="x"),
    )


def report() -> WalkReport:
    return WalkReport(
        tandem_version="0",
        generated_at="2026-11-25T12:00:00Z",  # type: ignore[arg-type]
        org=OrgCounts(people=1, active_people=1, teams=2, active_teams=2, by_function={}),
        findings=[finding("power_gap", ["Search"]), finding("power_gap", []), finding("x", ["Payments", "Search"])],
        metrics={"decisions": {"Payments": {"decisions": 1}, "Search": {"decisions": 2}}},
    )


def test_restrict_keeps_the_findings_and_figures_of_the_slice() -> None:
    cut = restrict(report(), {"Payments"})
    assert [f.kind for f in cut.findings] == ["x"]
    assert cut.metrics == {"decisions": {"Payments": {"decisions": 1}}}


def test_org_wide_findings_belong_only_to_a_slice_from_the_top() -> None:
    assert "power_gap" in [
        f.kind for f in restrict(report(), {"Search"}, keep_org_wide=True).findings if not f.scope.teams
    ]
    assert all(f.scope.teams for f in restrict(report(), {"Search"}).findings)


def test_slice_of_resolves_people_and_teams_in_the_database(session: Session) -> None:
    rows = [
        *small_org(),
        person("pm2", "cpo", "product", 6, team="Search"),
        person("em2", "cto", "engineering", 6, team="Search"),
    ]
    teams = [
        *small_teams(),
        {
            "team": "Search",
            "product_lead": "pm2",
            "engineering_lead": "em2",
            "accountable_manager": "",
            "jira_projects": "",
            "github_repos": "",
        },
    ]
    import_small_org(session, rows, teams)
    assert slice_of(session, under="gm") == ({"Payments"}, False)
    assert slice_of(session, under="ceo") == ({"Payments", "Search"}, True)
    assert slice_of(session, team_names=["search"]) == ({"Search"}, False)
    with pytest.raises(LookupError, match="no active team is called Nope"):
        slice_of(session, team_names=["Nope"])


def test_the_cli_walks_one_team_and_saves_no_snapshot(cli_env: str, engine: Engine) -> None:
    people = [*small_org(), person("pm2", "gm", "product", 4, team="Search"), person("em2", "gm", "engineering", 7)]
    load_org(engine, people, [*small_teams(), {"team": "Search", "product_lead": "pm2", "engineering_lead": "em2"}])
    result = CliRunner().invoke(app, ["walk", "--team", "Payments", "--format", "json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["findings"] == []  # Search's power gap is outside the slice
    assert [card["team"] for card in document["scorecards"]] == ["Payments"]
    whole = json.loads(CliRunner().invoke(app, ["walk", "--under", "gm", "--format", "json"]).stdout)
    assert [f["kind"] for f in whole["findings"]] == ["power_gap"]
    snapshots = CliRunner().invoke(app, ["walk", "snapshots"])
    assert snapshots.stdout == ""


def test_the_cli_refuses_an_unknown_team(cli_env: str, org: None) -> None:
    result = CliRunner().invoke(app, ["walk", "--team", "Nope"])
    assert result.exit_code == 2
    assert "no active team is called Nope" in result.stderr


def test_the_cli_walks_a_stretch_of_time_and_saves_no_snapshot(cli_env: str, org: None) -> None:
    result = CliRunner().invoke(app, ["walk", "--since", "2026-01-05", "--until", "2026-03-31", "--format", "json"])
    assert result.exit_code == 0, result.output
    window = json.loads(result.stdout)["window"]
    assert (window["since"][:19], window["until"][:19]) == ("2026-01-05T00:00:00", "2026-03-31T23:59:59")
    assert (
        "records from 2026-01-05 00:00 to 2026-03-31 23:59 UTC"
        in CliRunner().invoke(app, ["walk", "--since", "2026-01-05", "--until", "2026-03-31"]).stdout
    )
    assert CliRunner().invoke(app, ["walk", "snapshots"]).stdout == ""


def test_the_cli_refuses_a_window_that_ends_before_it_starts(cli_env: str, org: None) -> None:
    result = CliRunner().invoke(app, ["walk", "--since", "2026-03-01", "--until", "2026-02-01"])
    assert result.exit_code == 2
    assert "the window starts (2026-03-01 00:00) after it ends (2026-02-01 23:59)" in result.stderr
