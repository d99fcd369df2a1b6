"""Snapshots, actions and the trend page over HTTP on both databases: who may do what, the JSON, the forms."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from factories import import_small_org, person
from followup.factories import in_days
from tandem.accounts.models import Role
from tandem.accounts.permissions import Viewer
from tandem.accounts.service import create_api_token, create_user, set_password
from tandem.config import Thresholds
from tandem.db import transaction
from tandem.walk.service import run_walk
from webfixtures import PASSWORD, SEARCH_GAP, Headers, csrf, web_org_people, web_org_teams

SNAPSHOTS = "/api/v1/walk/snapshots"
ACTIONS = "/api/v1/actions"


def account(engine: Engine, email: str, role: Role) -> dict[str, str]:
    """A user (who signs in with PASSWORD) and the Authorization header of their token."""
    with transaction(engine) as session:
        user = create_user(session, email=email, role=role, actor="test")
        set_password(session, user=user, password=PASSWORD, actor="test")
        return {"Authorization": f"Bearer {create_api_token(session, user=user, name='test', actor='test')}"}


@pytest.fixture
def who(engine: Engine, api: Headers) -> Headers:
    """``api`` plus Search's engineering lead (em2, a lead) and its product lead (pm2, a member)."""
    return {
        **api,
        "em2": account(engine, "em2@example.com", Role.LEAD),
        "pm2": account(engine, "pm2@example.com", Role.MEMBER),
    }


def fix_search(engine: Engine) -> None:
    """Re-import the web org with Search's product lead promoted level with its engineering lead."""
    people = [p for p in web_org_people() if p["id"] != "pm2"] + [person("pm2", "gm", "product", 7, team="Search")]
    with transaction(engine) as session:
        import_small_org(session, people, web_org_teams())


def take(client: TestClient, headers: dict[str, str], **extra: Any) -> Any:
    body = {"finding_id": SEARCH_GAP, "owner": "pm2", "due": str(in_days(14)), **extra}
    return client.post(ACTIONS, json=body, headers=headers)


# --- snapshots -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("role", "status"), [("admin", 201), ("executive", 201), ("pm1", 403), ("member", 403)])
def test_saving_a_snapshot_is_for_admins_and_executives(
    anonymous: TestClient, api: Headers, role: str, status: int
) -> None:
    response = anonymous.post(SNAPSHOTS, headers=api[role])
    assert response.status_code == status, response.text
    if status == 201:
        body = response.json()
        assert (body["id"], body["findings"], body["by_practice"]) == (1, 1, {"equal_power": 1})
        assert body["taken_by"] == {"admin": "user:admin@example.com", "executive": "user:exec@example.com"}[role]


def test_viewing_the_walk_saves_nothing(signed_in: Callable[[Role], TestClient], api: Headers) -> None:
    client = signed_in(Role.ADMIN)
    assert client.get("/").status_code == 200
    assert client.get("/api/v1/walk").status_code == 200
    assert client.get(SNAPSHOTS).json()["total"] == 0


def test_a_snapshot_reads_back_as_the_walk_it_was(anonymous: TestClient, api: Headers) -> None:
    walk = anonymous.get("/api/v1/walk", headers=api["admin"]).json()
    anonymous.post(SNAPSHOTS, headers=api["admin"])
    assert anonymous.get(f"{SNAPSHOTS}/1", headers=api["pm1"]).json() == walk
    listing = anonymous.get(SNAPSHOTS, headers=api["pm1"]).json()
    assert (listing["total"], [s["id"] for s in listing["items"]]) == (1, [1])
    assert anonymous.get(SNAPSHOTS, headers=api["member"]).status_code == 403
    assert anonymous.get(f"{SNAPSHOTS}/2", headers=api["admin"]).status_code == 404


def test_two_snapshots_with_a_fix_between_them_compare(anonymous: TestClient, api: Headers, engine: Engine) -> None:
    anonymous.post(SNAPSHOTS, headers=api["admin"])
    assert anonymous.get(f"{SNAPSHOTS}/1/comparison", headers=api["admin"]).json() == {
        "detail": "No earlier snapshot to compare with."
    }
    fix_search(engine)
    anonymous.post(SNAPSHOTS, headers=api["admin"])
    comparison = anonymous.get(f"{SNAPSHOTS}/2/comparison", headers=api["executive"]).json()
    assert [(f["id"], f["status"]) for f in comparison["findings"]] == [(SEARCH_GAP, "resolved")]
    assert (comparison["previous"]["label"], comparison["current"]["label"]) == ("snapshot 1", "snapshot 2")
    trend = anonymous.get("/api/v1/walk/trend", headers=api["pm1"]).json()
    assert [(s["id"], s["findings"], s["by_practice"]) for s in trend["snapshots"]] == [
        (1, 1, {"equal_power": 1}),
        (2, 0, {}),
    ]
    assert trend["practices"]["equal_power"] == "Equal power"


# --- actions ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "status"),
    [("admin", 201), ("executive", 201), ("em2", 201), ("pm1", 403), ("member", 403), ("pm2", 403)],
)
def test_an_action_is_taken_by_admins_executives_and_the_findings_leads(
    anonymous: TestClient, who: Headers, role: str, status: int
) -> None:
    response = take(anonymous, who[role])
    assert response.status_code == status, response.text


def test_an_action_answers_with_its_finding_and_owner(anonymous: TestClient, who: Headers) -> None:
    anonymous.post(SNAPSHOTS, headers=who["admin"])
    body = take(anonymous, who["em2"], step="Promote pm2").json()
    assert {k: body[k] for k in ("id", "finding_id", "team", "owner", "owner_name", "status", "step")} == {
        "id": 1,
        "finding_id": SEARCH_GAP,
        "team": "Search",
        "owner": "pm2",
        "owner_name": "Person PM2",
        "status": "open",
        "step": "Promote pm2",
    }
    assert (body["snapshot_id"], body["finding_present"], body["created_by"]) == (1, True, "user:em2@example.com")


@pytest.mark.parametrize(
    ("extra", "status", "detail"),
    [
        ({"finding_id": "power_gap-000000000000"}, 404, "no finding 'power_gap-000000000000' in today's walk"),
        ({"owner": "nobody"}, 422, "owner: nobody active in the org is 'nobody' (by id, e-mail or alias)"),
        ({"due": "2020-01-01"}, 422, "due: 2020-01-01 has passed; give today or a later date"),
    ],
)
def test_a_bad_action_is_refused_with_a_reason(
    anonymous: TestClient, api: Headers, extra: dict[str, str], status: int, detail: str
) -> None:
    response = take(anonymous, api["admin"], **extra)
    assert response.status_code == status
    assert response.json()["detail"].startswith(detail)


def test_the_owner_marks_their_action_done_once(anonymous: TestClient, who: Headers, engine: Engine) -> None:
    take(anonymous, who["admin"])
    assert anonymous.post(f"{ACTIONS}/1/done", headers=who["pm1"]).status_code == 403  # Payments' lead, not Search's
    done = anonymous.post(f"{ACTIONS}/1/done", json={"note": "promoted"}, headers=who["pm2"])
    assert done.status_code == 200, done.text
    assert (done.json()["status"], done.json()["note"], done.json()["closed_by"]) == (
        "done",
        "promoted",
        "user:pm2@example.com",
    )
    again = anonymous.post(f"{ACTIONS}/1/drop", headers=who["admin"])
    assert (again.status_code, again.json()) == (409, {"detail": "action 1 is already done"})
    assert anonymous.post(f"{ACTIONS}/9/done", headers=who["admin"]).status_code == 404


def test_actions_are_listed_with_whether_their_finding_is_still_there(
    anonymous: TestClient, api: Headers, engine: Engine
) -> None:
    take(anonymous, api["admin"])
    listing = anonymous.get(ACTIONS, headers=api["pm1"]).json()
    assert [(a["id"], a["finding_present"]) for a in listing["items"]] == [(1, None)]  # no walk saved yet
    anonymous.post(SNAPSHOTS, headers=api["admin"])
    assert anonymous.get(ACTIONS, headers=api["pm1"]).json()["items"][0]["finding_present"] is True
    fix_search(engine)
    anonymous.post(SNAPSHOTS, headers=api["admin"])
    assert anonymous.get(ACTIONS, headers=api["pm1"]).json()["items"][0]["finding_present"] is False
    assert anonymous.get(f"{ACTIONS}?status=done", headers=api["pm1"]).json()["total"] == 0
    assert anonymous.get(ACTIONS, headers=api["member"]).status_code == 403


# --- pages -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "status"), [(Role.ADMIN, 200), (Role.EXECUTIVE, 200), (Role.LEAD, 200), (Role.MEMBER, 403)]
)
def test_the_trend_page_is_for_those_who_read_the_walk(
    signed_in: Callable[[Role], TestClient], role: Role, status: int
) -> None:
    assert signed_in(role).get("/walk/trend").status_code == status


def test_the_trend_page_draws_the_saved_walks_with_a_static_script(
    signed_in: Callable[[Role], TestClient], api: Headers, anonymous: TestClient
) -> None:
    client = signed_in(Role.EXECUTIVE)
    empty = client.get("/walk/trend").text
    assert "No walk has been saved yet" in empty
    assert 'id="trend-chart"' not in empty
    saved = client.post("/walk/trend/snapshots", data={"csrf_token": csrf(client)}, follow_redirects=False)
    assert (saved.status_code, saved.headers["location"]) == (303, "/walk/trend?done=snapshot")
    page = client.get(saved.headers["location"]).text
    assert "Saved today&#39;s walk as a snapshot." in page
    assert 'id="trend-chart" class="trend-chart" data-src="/api/v1/walk/trend"' in page
    assert '<script src="/static/trend.js" defer></script>' in page
    assert "<script>" not in page and "style=" not in page  # nothing inline under the CSP
    assert client.get("/static/trend.js").status_code == 200


def test_a_lead_cannot_save_a_snapshot_from_the_page(signed_in: Callable[[Role], TestClient]) -> None:
    client = signed_in(Role.LEAD)
    assert client.post("/walk/trend/snapshots", data={"csrf_token": csrf(client)}).status_code == 403


def test_a_finding_turns_into_an_action_from_its_form(signed_in: Callable[[Role], TestClient]) -> None:
    client = signed_in(Role.ADMIN)
    form = client.get(f"/findings/{SEARCH_GAP}/action")
    assert form.status_code == 200
    assert f'action="/findings/{SEARCH_GAP}/actions"' in form.text
    assert '<option value="pm2">Person PM2</option>' in form.text
    response = client.post(
        f"/findings/{SEARCH_GAP}/actions",
        data={"csrf_token": csrf(client), "owner": "pm2", "due": str(in_days(10)), "step": "Promote pm2"},
        follow_redirects=False,
    )
    assert (response.status_code, response.headers["location"]) == (303, "/walk/trend?done=action#action-1")
    page = client.get("/walk/trend").text
    assert 'id="action-1"' in page and "Promote pm2" in page and 'action="/walk/actions/1/done"' in page
    done = client.post("/walk/actions/1/done", data={"csrf_token": csrf(client)}, follow_redirects=False)
    assert (done.status_code, done.headers["location"]) == (303, "/walk/trend?done=done#action-1")
    assert 'action="/walk/actions/1/done"' not in client.get("/walk/trend").text


def test_a_bad_form_shows_the_problem_and_keeps_what_was_typed(signed_in: Callable[[Role], TestClient]) -> None:
    client = signed_in(Role.ADMIN)
    response = client.post(
        f"/findings/{SEARCH_GAP}/actions",
        data={"csrf_token": csrf(client), "owner": "nobody", "due": str(in_days(3)), "step": "Talk"},
    )
    assert response.status_code == 400
    assert "owner: nobody active in the org is &#39;nobody&#39;" in response.text
    assert 'value="nobody"' in response.text and ">Talk</textarea>" in response.text


def test_a_lead_of_another_team_gets_no_form(signed_in: Callable[[Role], TestClient]) -> None:
    client = signed_in(Role.LEAD)  # pm1 leads Payments; the finding is Search's
    assert client.get(f"/findings/{SEARCH_GAP}/action").status_code == 403
    refused = client.post(
        f"/findings/{SEARCH_GAP}/actions", data={"csrf_token": csrf(client), "owner": "pm2", "due": str(in_days(3))}
    )
    assert refused.status_code == 403


def test_the_form_for_the_finding_page_shows_only_to_who_may_act(app: FastAPI, engine: Engine, web_org: None) -> None:
    """``followup_action_form.html`` is what the finding page includes: the form for admins, executives and the
    finding's leads, nothing for anyone else."""
    with transaction(engine) as session:
        finding = run_walk(session, Thresholds()).findings[0]
    template = app.state.templates.env.get_template("followup_action_form.html")

    def rendered(role: Role, led: frozenset[str] = frozenset()) -> str:
        viewer = Viewer(user_id=1, email="x@example.com", role=role, led_teams=led)
        return template.render(finding=finding, viewer=viewer, names={"pm2": "Person PM2"}, csrf_token="t")

    for allowed in (rendered(Role.ADMIN), rendered(Role.EXECUTIVE), rendered(Role.LEAD, frozenset({"Search"}))):
        assert f'<form method="post" action="/findings/{SEARCH_GAP}/actions"' in allowed
        assert '<input type="hidden" name="csrf_token" value="t">' in allowed
    assert "<form" not in rendered(Role.LEAD, frozenset({"Payments"}))
    assert "<form" not in rendered(Role.MEMBER)
