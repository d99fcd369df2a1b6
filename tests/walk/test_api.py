"""The walk in the browser and under /api/v1/walk: the same report as the command line."""

from __future__ import annotations

import json
from collections.abc import Callable

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from factories import TEAMS_HEADER, to_csv
from tandem.accounts.models import Role
from tandem.cli import app as cli
from webfixtures import SEARCH_GAP, csrf, web_org_people, web_org_teams


def test_the_api_walk_is_the_cli_walk(
    anonymous: TestClient, tokens: dict[Role, str], settings: object, monkeypatch: object
) -> None:
    from tandem.config import get_settings

    api = anonymous.get("/api/v1/walk", headers={"Authorization": f"Bearer {tokens[Role.EXECUTIVE]}"}).json()
    monkeypatch.setenv("TANDEM_DATABASE_URL", settings.database_url)  # type: ignore[attr-defined]
    get_settings.cache_clear()
    try:
        command_line = json.loads(CliRunner().invoke(cli, ["walk", "--format", "json"]).stdout)
    finally:
        get_settings.cache_clear()
    for report in (api, command_line):
        del report["generated_at"]
    assert api == command_line
    assert [f["id"] for f in api["findings"]] == [SEARCH_GAP]


def test_the_walk_page_links_each_finding_to_its_evidence(signed_in: Callable[[Role], TestClient]) -> None:
    client = signed_in(Role.EXECUTIVE)
    page = client.get("/").text
    assert f'href="/findings/{SEARCH_GAP}"' in page
    evidence = client.get(f"/findings/{SEARCH_GAP}").text
    assert "level gap" in evidence
    assert "Person PM2" in evidence  # scope people by name


def test_an_unknown_finding_is_404(signed_in: Callable[[Role], TestClient]) -> None:
    assert signed_in(Role.EXECUTIVE).get("/findings/power_gap-000000000000").status_code == 404


def test_the_walk_page_reflects_an_import_at_once(signed_in: Callable[[Role], TestClient]) -> None:
    executive, admin = signed_in(Role.EXECUTIVE), signed_in(Role.ADMIN)
    assert SEARCH_GAP in executive.get("/").text
    people = [p if p["id"] != "em2" else {**p, "level": "5"} for p in web_org_people()]
    admin.post(
        "/admin/import",
        data={"csrf_token": csrf(admin)},
        files={"people": ("people.csv", to_csv(people)), "teams": ("teams.csv", to_csv(web_org_teams(), TEAMS_HEADER))},
    )
    assert SEARCH_GAP not in executive.get("/").text  # the cached walk is never served past a change


def test_the_api_walks_a_stretch_of_time(anonymous: TestClient, tokens: dict[Role, str]) -> None:
    auth = {"Authorization": f"Bearer {tokens[Role.EXECUTIVE]}"}
    report = anonymous.get("/api/v1/walk?since=2026-01-05T00:00:00Z&until=2026-03-31T23:59:59Z", headers=auth)
    assert report.status_code == 200, report.text
    assert report.json()["window"] == {"since": "2026-01-05T00:00:00Z", "until": "2026-03-31T23:59:59Z"}
    backwards = anonymous.get("/api/v1/walk?since=2026-03-01T00:00:00Z&until=2026-02-01T00:00:00Z", headers=auth)
    assert backwards.status_code == 422
    assert "after it ends" in backwards.text
