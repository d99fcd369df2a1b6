"""The org through the web app: the admin import, the pages' figures, and the REST API."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from conftest import database_fingerprint
from factories import TEAMS_HEADER, person, to_csv
from tandem.accounts.models import Role
from webfixtures import csrf, web_org_people, web_org_teams


def upload(client: TestClient, people: bytes, teams: bytes | None = None, dry_run: bool = False) -> str:
    files = {"people": ("people.csv", people)}
    if teams is not None:
        files["teams"] = ("teams.csv", teams)
    data = {"csrf_token": csrf(client), **({"dry_run": "true"} if dry_run else {})}
    response = client.post("/admin/import", data=data, files=files)
    return f"{response.status_code}\n{response.text}"


def test_a_bad_upload_lists_every_problem_by_line_and_writes_nothing(
    signed_in: Callable[[Role], TestClient], engine: Engine
) -> None:
    admin = signed_in(Role.ADMIN)
    before = database_fingerprint(engine)
    bad = to_csv([*web_org_people(), person("x", "nobody"), person("y", "em1", level=0)])
    answer = upload(admin, bad)
    assert answer.startswith("422\n")
    assert "<code>people.csv:11:6</code> manager_id: unknown manager &#39;nobody&#39;" in answer
    assert "<code>people.csv:12:5</code> level: &#39;0&#39; is not a whole number from 1 to 999" in answer
    assert "2 problems; nothing was written" in answer
    assert database_fingerprint(engine) == before


def test_a_dry_run_upload_shows_the_changes_and_writes_nothing(
    signed_in: Callable[[Role], TestClient], engine: Engine
) -> None:
    admin = signed_in(Role.ADMIN)
    before = database_fingerprint(engine)
    answer = upload(admin, to_csv([*web_org_people(), person("dev9", "em1")]), dry_run=True)
    assert answer.startswith("200\n")
    assert "Dry run: nothing was written" in answer
    assert "+ person dev9 Person DEV9 (engineering, level 5)" in answer
    assert database_fingerprint(engine) == before


def test_a_good_upload_is_applied(signed_in: Callable[[Role], TestClient]) -> None:
    admin = signed_in(Role.ADMIN)
    people = to_csv([*web_org_people(), person("dev9", "em1", team="Payments")])
    answer = upload(admin, people, to_csv(web_org_teams(), TEAMS_HEADER))
    assert "People: 1 created, 0 updated, 0 deactivated, 9 unchanged." in answer
    assert "Person DEV9" in admin.get("/teams/Payments").text


def test_the_org_page_shows_each_pairs_figures(signed_in: Callable[[Role], TestClient]) -> None:
    page = signed_in(Role.EXECUTIVE).get("/org").text
    search = page[page.index('href="/teams/Search"') :].split("</tr>")[0]
    cells = [cell.split(">")[-1] for cell in search.split("</td>")]
    assert cells[-3:-1] == ["1", "3"]  # escalation distance 1 (both report to the GM), level gap 3


def test_the_team_page_lists_its_findings(signed_in: Callable[[Role], TestClient]) -> None:
    page = signed_in(Role.LEAD).get("/teams/Search").text
    assert "Search: the engineering lead is 3 levels above the product lead" in page


def test_a_member_sees_their_team_without_org_findings(signed_in: Callable[[Role], TestClient]) -> None:
    page = signed_in(Role.MEMBER).get("/teams/Payments").text
    assert "Person DEV1" in page
    assert "Findings" not in page


def test_people_are_paginated(anonymous: TestClient, tokens: dict[Role, str]) -> None:
    headers = {"Authorization": f"Bearer {tokens[Role.EXECUTIVE]}"}
    first = anonymous.get("/api/v1/people?limit=4", headers=headers).json()
    rest = anonymous.get("/api/v1/people?limit=4&offset=4", headers=headers).json()
    assert (first["total"], first["limit"], first["offset"], len(first["items"])) == (9, 4, 0, 4)
    ids = [p["id"] for p in first["items"] + rest["items"]]
    assert ids == sorted(ids)
    assert len(set(ids)) == 8


def test_a_limit_over_1000_is_refused(anonymous: TestClient, tokens: dict[Role, str]) -> None:
    response = anonymous.get("/api/v1/people?limit=5000", headers={"Authorization": f"Bearer {tokens[Role.ADMIN]}"})
    assert response.status_code == 422


def test_a_team_in_the_api_has_its_structure(anonymous: TestClient, tokens: dict[Role, str]) -> None:
    team = anonymous.get("/api/v1/teams/Search", headers={"Authorization": f"Bearer {tokens[Role.LEAD]}"}).json()
    assert {k: team[k] for k in ("product_lead", "engineering_lead", "accountable_manager", "escalation_distance")} == {
        "product_lead": "pm2",
        "engineering_lead": "em2",
        "accountable_manager": "gm",
        "escalation_distance": 1,
    }
    assert (team["level_gap"], team["accountable_manager_source"]) == (-3, "lowest_common_manager")


def test_the_openapi_document_describes_the_api(anonymous: TestClient) -> None:
    paths = anonymous.get("/openapi.json").json()["paths"]
    assert {"/api/v1/walk", "/api/v1/org", "/api/v1/people", "/api/v1/teams", "/api/v1/teams/{name}"} <= set(paths)
    assert not any(path.startswith("/admin") for path in paths)


def test_teams_with_slashes_and_accents_have_reachable_pages(signed_in: Callable[[Role], TestClient]) -> None:
    admin = signed_in(Role.ADMIN)
    people = [
        *web_org_people(),
        person("pm3", "gm", "product", 6, team="Billing/Payments"),
        person("em3", "gm", "engineering", 6, team="Billing/Payments"),
        person("pm4", "gm", "product", 6, team="Équipe Messaging"),
    ]
    teams = [
        *web_org_teams(),
        {"team": "Billing/Payments", "product_lead": "pm3", "engineering_lead": "em3"},
        {"team": "Équipe Messaging", "product_lead": "pm4", "engineering_lead": ""},
    ]
    assert upload(admin, to_csv(people), to_csv(teams, TEAMS_HEADER)).startswith("200\n")
    assert admin.get("/teams/Billing%2FPayments").status_code == 200
    assert admin.get("/teams/Billing/Payments").status_code == 200
    assert admin.get("/api/v1/teams/Billing%2FPayments").json()["engineering_lead"] == "em3"
    assert admin.get("/teams/%C3%A9QUIPE%20messaging").status_code == 200  # case-insensitive beyond ASCII


def test_ids_that_cannot_exist_are_404(signed_in: Callable[[Role], TestClient]) -> None:
    admin = signed_in(Role.ADMIN)
    for path in ("/people/%00", "/teams/%00", "/api/v1/people/%00", "/api/v1/teams/%00", "/teams/" + "x" * 300):
        assert admin.get(path).status_code == 404, path


def test_a_member_sees_no_one_outside_their_team_on_a_person_page(signed_in: Callable[[Role], TestClient]) -> None:
    page = signed_in(Role.MEMBER).get("/people/em1").text
    assert "Person DEV1" in page  # a teammate, reporting to em1
    assert "Person GM" not in page  # em1's manager is outside the member's team
    assert "Person CEO" not in page
