"""The plan page and /api/v1/teams/{team}/plan on both databases: who may do what, commitments, CSRF."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from tandem.accounts.models import Role
from tandem.db import transaction
from tandem.decisions.service import Actor
from tandem.org.models import Team
from tandem.schedule import service
from tandem.schedule.api import PLOTLY_CSS_FALLBACK, PLOTLY_JS, moved, plotly_css, plotly_style_ids
from tandem.schedule.models import Commitment, PlanItem
from tandem.schedule.service import ScheduleError
from webfixtures import Headers, csrf

PM = Actor("user:pm1@example.com", "pm1")
EM = Actor("user:em1@example.com", "em1")
PLAN = "/teams/Payments/plan"
API = "/api/v1/teams/Payments/plan"
LATER = (date.today() + timedelta(days=120)).isoformat()
LATER_STILL = (date.today() + timedelta(days=150)).isoformat()


def payments(session: Session) -> Team:
    return session.scalars(select(Team).where(Team.name == "Payments")).one()


def seed(engine: Engine, *estimates: tuple[float, float, float] | None) -> list[int]:
    """A Payments plan with one item per estimate (None: unestimated), in rank order; their ids."""
    with transaction(engine) as session:
        team = payments(session)
        ids = []
        for number, estimate in enumerate(estimates, start=1):
            item = service.add_item(session, team, PM, title=f"Item {number}")
            if estimate is not None:
                service.estimate(session, item, EM, optimistic=estimate[0], likely=estimate[1], pessimistic=estimate[2])
            ids.append(item.id)
        return ids


def order_of(engine: Engine) -> list[int]:
    with transaction(engine) as session:
        return [item.id for item in service.open_items(session, payments(session))]


def propose(client: TestClient, headers: dict[str, str], scope: list[int], **extra: Any) -> Any:
    body = {"title": "Checkout v2", "target_date": LATER, "scope": scope, "confidence": 0.85, **extra}
    return client.post(f"{API}/commitments", json=body, headers=headers)


# --- the JSON API --------------------------------------------------------------------------------------------


def test_a_lead_adds_items_and_the_product_lead_ranks_them(anonymous: TestClient, api: Headers) -> None:
    added = [anonymous.post(f"{API}/items", json={"title": t}, headers=api["em1"]) for t in ("A", "B", "C")]
    assert [r.status_code for r in added] == [201, 201, 201]
    a, b, c = (r.json()["id"] for r in added)
    ranked = anonymous.put(f"{API}/order", json={"order": [c, a, b]}, headers=api["pm1"])
    assert ranked.status_code == 200, ranked.text
    items = ranked.json()["items"]
    assert [(i["id"], i["rank"]) for i in items] == [(c, 1), (a, 2), (b, 3)]
    assert {i["ranked_by"] for i in items} == {"user:pm1@example.com"}


def test_post_ranks_as_well_as_put(anonymous: TestClient, api: Headers, engine: Engine) -> None:
    first, second = seed(engine, None, None)
    response = anonymous.post(f"{API}/order", json={"order": [second, first]}, headers=api["pm1"])
    assert response.status_code == 200
    assert order_of(engine) == [second, first]


@pytest.mark.parametrize("who", ["em1", "member", "executive"])
def test_only_the_product_lead_ranks(who: str, anonymous: TestClient, api: Headers, engine: Engine) -> None:
    first, second = seed(engine, None, None)
    response = anonymous.put(f"{API}/order", json={"order": [second, first]}, headers=api[who])
    assert response.status_code == 403
    assert order_of(engine) == [first, second]


def test_a_stale_order_is_409_and_a_repeated_item_400(anonymous: TestClient, api: Headers, engine: Engine) -> None:
    first, second, third = seed(engine, None, None, None)
    stale = anonymous.put(f"{API}/order", json={"order": [second, first]}, headers=api["pm1"])
    assert (stale.status_code, "reload and retry" in stale.json()["detail"]) == (409, True)
    twice = anonymous.put(f"{API}/order", json={"order": [first, first, third]}, headers=api["pm1"])
    assert (twice.status_code, twice.json()["detail"]) == (400, "the order lists an item more than once")


def test_the_engineering_lead_estimates_and_the_product_lead_cannot(
    anonymous: TestClient, api: Headers, engine: Engine
) -> None:
    [item] = seed(engine, None)
    body = {"optimistic": 1, "likely": 2, "pessimistic": 5}
    refused = anonymous.post(f"{API}/items/{item}/estimate", json=body, headers=api["pm1"])
    assert (refused.status_code, refused.json()["detail"]) == (403, "estimating is the engineering lead's call")
    estimated = anonymous.post(f"{API}/items/{item}/estimate", json=body, headers=api["em1"])
    assert estimated.status_code == 200
    assert (estimated.json()["likely"], estimated.json()["estimated_by"]) == (2.0, "user:em1@example.com")


def test_an_estimate_out_of_order_is_400_with_the_reason(anonymous: TestClient, api: Headers, engine: Engine) -> None:
    [item] = seed(engine, None)
    body = {"optimistic": 5, "likely": 2, "pessimistic": 8}
    response = anonymous.post(f"{API}/items/{item}/estimate", json=body, headers=api["em1"])
    assert response.status_code == 400
    assert "optimistic <= most likely <= pessimistic" in response.json()["detail"]


@pytest.mark.parametrize("who", ["member", "executive"])
def test_members_and_executives_read_the_plan_but_do_not_write(
    who: str, anonymous: TestClient, api: Headers, engine: Engine
) -> None:
    [item] = seed(engine, (1, 2, 3))
    assert anonymous.get(API, headers=api[who]).status_code == 200
    assert anonymous.get(f"{API}/commitments", headers=api[who]).status_code == 200
    assert anonymous.post(f"{API}/items", json={"title": "x"}, headers=api[who]).status_code == 403
    body = {"optimistic": 1, "likely": 1, "pessimistic": 1}
    assert anonymous.post(f"{API}/items/{item}/estimate", json=body, headers=api[who]).status_code == 403
    assert anonymous.post(f"{API}/items/{item}/close", json={"status": "done"}, headers=api[who]).status_code == 403


def test_a_member_cannot_read_another_teams_plan(anonymous: TestClient, api: Headers) -> None:
    assert anonymous.get("/api/v1/teams/Search/plan", headers=api["member"]).status_code == 403
    assert anonymous.get("/api/v1/teams/Search/plan", headers=api["executive"]).status_code == 200


def test_unknown_teams_items_and_commitments_are_404(anonymous: TestClient, api: Headers, engine: Engine) -> None:
    [item] = seed(engine, None)
    body = {"optimistic": 1, "likely": 1, "pessimistic": 1}
    assert anonymous.get("/api/v1/teams/Nowhere/plan", headers=api["pm1"]).status_code == 404
    assert anonymous.post(f"{API}/items/999999/estimate", json=body, headers=api["em1"]).status_code == 404
    assert anonymous.post(f"{API}/items/{2**40}/estimate", json=body, headers=api["em1"]).status_code == 404
    elsewhere = "/api/v1/teams/Search/plan"
    assert anonymous.post(f"{elsewhere}/items/{item}/estimate", json=body, headers=api["admin"]).status_code == 404
    assert anonymous.get(f"{API}/commitments/999999", headers=api["pm1"]).status_code == 404


def test_the_api_needs_a_token_or_a_session(anonymous: TestClient) -> None:
    assert anonymous.get(API).status_code == 401


def test_the_forecast_goes_in_work_order_and_stops_at_the_first_unestimated_item(
    anonymous: TestClient, api: Headers, engine: Engine
) -> None:
    first, second, third, fourth = seed(engine, (1, 2, 3), (2, 3, 4), None, (1, 1, 1))
    anonymous.post(f"{API}/items/{first}/dependencies", json={"depends_on": [second]}, headers=api["pm1"])
    forecast = anonymous.get(API, headers=api["member"]).json()["forecast"]
    assert forecast["work_order"] == [second, first, third, fourth]
    assert [row["id"] for row in forecast["items"]] == [second, first]
    assert (forecast["stops_at"], forecast["unestimated"]) == (third, [third])
    for row in forecast["items"]:
        assert row["p50"] <= row["p70"] <= row["p85"] <= row["p95"]
    assert forecast["items"][0]["p95"] <= forecast["items"][1]["p95"]


def test_the_cut_line_counts_the_items_that_fit_by_the_target(
    anonymous: TestClient, api: Headers, engine: Engine
) -> None:
    seed(engine, (1, 1, 1), (1, 1, 1), (400, 500, 600))
    far = (date.today() + timedelta(days=60)).isoformat()
    forecast = anonymous.get(f"{API}?target={far}&confidence=0.9", headers=api["pm1"]).json()["forecast"]
    assert (forecast["cut_line"], forecast["cut_line_is_lower_bound"], forecast["confidence"]) == (2, False, 0.9)


def test_only_the_engineering_lead_sets_the_capacity(anonymous: TestClient, api: Headers) -> None:
    body = {"capacity_per_day": 3, "unit": "points"}
    assert anonymous.put(f"{API}/capacity", json=body, headers=api["pm1"]).status_code == 403
    saved = anonymous.put(f"{API}/capacity", json=body, headers=api["em1"])
    assert saved.status_code == 200
    assert (saved.json()["capacity_per_day"], saved.json()["unit"], saved.json()["capacity_set_by"]) == (
        3.0,
        "points",
        "user:em1@example.com",
    )


def test_closing_an_item_takes_it_out_of_the_ranking(anonymous: TestClient, api: Headers, engine: Engine) -> None:
    first, second = seed(engine, None, None)
    closed = anonymous.post(f"{API}/items/{first}/close", json={"status": "done"}, headers=api["em1"])
    assert (closed.status_code, closed.json()["status"], closed.json()["rank"]) == (200, "done", None)
    again = anonymous.post(f"{API}/items/{first}/close", json={"status": "done"}, headers=api["em1"])
    assert again.status_code == 409
    plan = anonymous.get(API, headers=api["pm1"]).json()
    assert ([i["id"] for i in plan["items"]], [i["id"] for i in plan["closed"]]) == ([second], [first])


def test_a_proposal_is_in_force_once_the_counterpart_signs(anonymous: TestClient, api: Headers, engine: Engine) -> None:
    scope = seed(engine, (1, 2, 3), (2, 3, 5))
    proposed = propose(anonymous, api["pm1"], scope)
    assert proposed.status_code == 201, proposed.text
    commitment = proposed.json()
    assert (commitment["state"], commitment["in_force_revision"]) == ("proposed", None)
    [rev] = commitment["revisions"]
    assert [(s["function"], s["by"], s["forecast_method"]) for s in rev["signatures"]] == [
        ("product", "pm1", "estimates")
    ]
    signed = anonymous.post(
        f"{API}/commitments/{commitment['id']}/signatures", json={"revision": 1}, headers=api["em1"]
    )
    assert signed.status_code == 200, signed.text
    assert (signed.json()["state"], signed.json()["in_force_revision"]) == ("in_force", 1)
    signatures = signed.json()["revisions"][0]["signatures"]
    assert [s["function"] for s in signatures] == ["product", "engineering"]
    assert all(s["forecast_p50"] is not None for s in signatures)
    listed = anonymous.get(f"{API}/commitments", headers=api["member"]).json()
    assert [c["id"] for c in listed] == [commitment["id"]]


def test_signing_the_same_side_twice_is_409(anonymous: TestClient, api: Headers, engine: Engine) -> None:
    commitment = propose(anonymous, api["pm1"], seed(engine, (1, 2, 3))).json()["id"]
    again = anonymous.post(f"{API}/commitments/{commitment}/signatures", json={"revision": 1}, headers=api["pm1"])
    assert again.status_code == 409
    assert "already signed" in again.json()["detail"]


@pytest.mark.parametrize("who", ["member", "executive", "admin"])
def test_only_a_lead_proposes_or_signs(who: str, anonymous: TestClient, api: Headers, engine: Engine) -> None:
    scope = seed(engine, (1, 2, 3))
    assert propose(anonymous, api[who], scope).status_code == 403
    commitment = propose(anonymous, api["pm1"], scope).json()["id"]
    signed = anonymous.post(f"{API}/commitments/{commitment}/signatures", json={"revision": 1}, headers=api[who])
    assert signed.status_code == 403


def test_a_revision_needs_the_counterparts_signature(anonymous: TestClient, api: Headers, engine: Engine) -> None:
    scope = seed(engine, (1, 2, 3), (2, 3, 5))
    commitment = propose(anonymous, api["pm1"], scope).json()["id"]
    anonymous.post(f"{API}/commitments/{commitment}/signatures", json={"revision": 1}, headers=api["em1"])
    body = {"target_date": LATER_STILL, "reason": "The payment provider moved its launch."}
    revised = anonymous.post(f"{API}/commitments/{commitment}/revisions", json=body, headers=api["em1"])
    assert revised.status_code == 201, revised.text
    assert (revised.json()["state"], revised.json()["latest_revision"], revised.json()["in_force_revision"]) == (
        "revising",
        2,
        1,
    )
    signed = anonymous.post(f"{API}/commitments/{commitment}/signatures", json={"revision": 2}, headers=api["pm1"])
    assert (signed.json()["state"], signed.json()["in_force_revision"]) == ("in_force", 2)
    assert signed.json()["revisions"][1]["target_date"] == LATER_STILL


def test_signing_a_stale_revision_is_refused(anonymous: TestClient, api: Headers, engine: Engine) -> None:
    scope = seed(engine, (1, 2, 3))
    commitment = propose(anonymous, api["pm1"], scope).json()["id"]
    body = {"target_date": LATER_STILL, "reason": "More time for the audit."}
    anonymous.post(f"{API}/commitments/{commitment}/revisions", json=body, headers=api["pm1"])
    stale = anonymous.post(f"{API}/commitments/{commitment}/signatures", json={"revision": 1}, headers=api["em1"])
    assert stale.status_code == 409
    assert stale.json()["detail"] == "revision 1 is not the latest (revision 2 is); read it first"
    with transaction(engine) as session:
        assert session.get_one(Commitment, commitment).in_force_revision is None


def test_a_revision_without_a_reason_is_422_and_one_that_changes_nothing_400(
    anonymous: TestClient, api: Headers, engine: Engine
) -> None:
    commitment = propose(anonymous, api["pm1"], seed(engine, (1, 2, 3))).json()["id"]
    url = f"{API}/commitments/{commitment}/revisions"
    assert anonymous.post(url, json={"target_date": LATER_STILL}, headers=api["pm1"]).status_code == 422
    same = anonymous.post(url, json={"target_date": LATER, "reason": "no change"}, headers=api["pm1"])
    assert (same.status_code, same.json()["detail"]) == (
        400,
        "a revision must change the date, the scope or the confidence",
    )


def test_a_withdrawn_proposal_cannot_be_revised_or_signed(anonymous: TestClient, api: Headers, engine: Engine) -> None:
    commitment = propose(anonymous, api["pm1"], seed(engine, (1, 2, 3))).json()["id"]
    withdrawn = anonymous.post(f"{API}/commitments/{commitment}/withdraw", headers=api["em1"])
    assert (withdrawn.status_code, withdrawn.json()["state"]) == (200, "withdrawn")
    body = {"target_date": LATER_STILL, "reason": "again"}
    assert anonymous.post(f"{API}/commitments/{commitment}/revisions", json=body, headers=api["pm1"]).status_code == 409
    signed = anonymous.post(f"{API}/commitments/{commitment}/signatures", json={"revision": 1}, headers=api["em1"])
    assert signed.status_code == 409


def test_a_session_needs_the_csrf_header_for_the_api_and_a_token_does_not(
    browser_of: Callable[[str], TestClient], api: Headers, engine: Engine
) -> None:
    first, second = seed(engine, None, None)
    client = browser_of("pm1@example.com")
    refused = client.put(f"{API}/order", json={"order": [second, first]})
    assert (refused.status_code, refused.json()["detail"]) == (403, "missing or wrong CSRF token")
    assert order_of(engine) == [first, second]
    saved = client.put(f"{API}/order", json={"order": [second, first]}, headers={"X-CSRF-Token": csrf(client)})
    assert saved.status_code == 200
    assert order_of(engine) == [second, first]


# --- the page --------------------------------------------------------------------------------------------------


def test_the_team_page_links_to_its_plan(signed_in: Callable[[Role], TestClient]) -> None:
    assert f'href="{PLAN}"' in signed_in(Role.MEMBER).get("/teams/Payments").text


def test_the_page_shows_ranks_estimates_who_set_them_and_the_forecast(
    signed_in: Callable[[Role], TestClient], engine: Engine
) -> None:
    seed(engine, (1, 2, 3), None, (1, 1, 2))
    response = signed_in(Role.EXECUTIVE).get(PLAN)
    assert response.status_code == 200
    text = response.text
    assert text.index("Item 1") < text.index("Item 2") < text.index("Item 3")
    assert "1 / 2 / 3" in text and "pm1@example.com" in text and "em1@example.com" in text
    assert "The forecast stops at" in text and "#2 Item 2" in text
    assert len(re.findall(r"\d{4}-\d{2}-\d{2}</td>", text)) >= 4
    assert 'data-src="/teams/Payments/plan/fan.json"' in text
    assert '<script src="/assets/plotly.min.js" defer></script>' in text


@pytest.mark.parametrize(
    ("email", "present", "absent"),
    [
        (
            "pm1@example.com",
            ["Move up", "Add an item", "Propose a commitment"],
            ["Estimate an item", "Set the capacity"],
        ),
        ("em1@example.com", ["Estimate an item", "Set the capacity", "Add an item"], ["Move up", "draggable"]),
    ],
)
def test_each_lead_sees_only_the_controls_they_may_use(
    email: str, present: list[str], absent: list[str], browser_of: Callable[[str], TestClient], engine: Engine
) -> None:
    seed(engine, (1, 2, 3), None)
    text = browser_of(email).get(PLAN).text
    assert [p for p in present if p not in text] == []
    assert [a for a in absent if a in text] == []


@pytest.mark.parametrize("role", [Role.MEMBER, Role.EXECUTIVE])
def test_readers_see_no_controls(role: Role, signed_in: Callable[[Role], TestClient], engine: Engine) -> None:
    seed(engine, (1, 2, 3), None)
    text = signed_in(role).get(PLAN).text
    assert '<form method="post" action="/teams/Payments/plan' not in text
    assert "draggable" not in text


def test_a_member_of_another_team_is_refused_the_page(signed_in: Callable[[Role], TestClient]) -> None:
    assert signed_in(Role.MEMBER).get("/teams/Search/plan").status_code == 403
    assert signed_in(Role.MEMBER).get("/teams/Nowhere/plan").status_code == 404


def test_the_move_button_works_without_javascript(browser_of: Callable[[str], TestClient], engine: Engine) -> None:
    first, second, third = seed(engine, None, None, None)
    client = browser_of("pm1@example.com")
    form = {"order": f"{first},{second},{third}", "item": str(first), "direction": "down", "csrf_token": csrf(client)}
    response = client.post(f"{PLAN}/order", data=form, follow_redirects=False)
    assert (response.status_code, response.headers["location"]) == (303, f"{PLAN}?done=ranked#item-{first}")
    assert order_of(engine) == [second, first, third]
    assert "The new order is saved." in client.get(response.headers["location"]).text


def test_a_move_from_a_stale_page_is_409_and_changes_nothing(
    browser_of: Callable[[str], TestClient], engine: Engine
) -> None:
    first, second, third = seed(engine, None, None, None)
    client = browser_of("pm1@example.com")
    form = {"order": f"{first},{second}", "item": str(first), "direction": "down", "csrf_token": csrf(client)}
    response = client.post(f"{PLAN}/order", data=form)
    assert response.status_code == 409
    assert "reload and retry" in response.text
    assert order_of(engine) == [first, second, third]


def test_a_form_without_the_csrf_token_is_refused(browser_of: Callable[[str], TestClient], engine: Engine) -> None:
    first, second = seed(engine, None, None)
    client = browser_of("pm1@example.com")
    form = {"order": f"{first},{second}", "item": str(first), "direction": "down"}
    response = client.post(f"{PLAN}/order", data=form)
    assert response.status_code == 403
    assert "Request refused" in response.text
    assert order_of(engine) == [first, second]


def test_the_engineer_cannot_rank_from_the_page(signed_in: Callable[[Role], TestClient], engine: Engine) -> None:
    first, second = seed(engine, None, None)
    client = signed_in(Role.MEMBER)
    form = {"order": f"{first},{second}", "item": str(first), "direction": "down", "csrf_token": csrf(client)}
    response = client.post(f"{PLAN}/order", data=form)
    assert response.status_code == 403
    assert "your role reads the schedule" in response.text
    assert order_of(engine) == [first, second]


def test_the_product_lead_cannot_estimate_from_the_page(
    browser_of: Callable[[str], TestClient], engine: Engine
) -> None:
    [item] = seed(engine, None)
    client = browser_of("pm1@example.com")
    form = {"item": str(item), "optimistic": "1", "likely": "2", "pessimistic": "3", "csrf_token": csrf(client)}
    response = client.post(f"{PLAN}/estimate", data=form)
    assert response.status_code == 403
    assert "estimating is the engineering lead&#39;s call" in response.text


def test_the_engineering_lead_estimates_and_sets_capacity_from_the_page(
    browser_of: Callable[[str], TestClient], engine: Engine
) -> None:
    [item] = seed(engine, None)
    client = browser_of("em1@example.com")
    token = csrf(client)
    form = {"item": str(item), "optimistic": "1", "likely": "2.5", "pessimistic": "4", "csrf_token": token}
    assert client.post(f"{PLAN}/estimate", data=form, follow_redirects=False).status_code == 303
    capacity = {"capacity_per_day": "2", "unit": "points", "csrf_token": token}
    assert client.post(f"{PLAN}/capacity", data=capacity, follow_redirects=False).status_code == 303
    text = client.get(PLAN).text
    assert "1 / 2.5 / 4" in text and "2 points of estimated effort per working day" in text


def test_a_bad_number_in_a_form_is_400_with_the_field(browser_of: Callable[[str], TestClient], engine: Engine) -> None:
    [item] = seed(engine, None)
    client = browser_of("em1@example.com")
    form = {"item": str(item), "optimistic": "one", "likely": "2", "pessimistic": "3", "csrf_token": csrf(client)}
    response = client.post(f"{PLAN}/estimate", data=form)
    assert response.status_code == 400
    assert "the optimistic estimate must be a number" in response.text


def test_propose_and_sign_from_the_page_put_a_commitment_in_force(
    browser_of: Callable[[str], TestClient], engine: Engine
) -> None:
    first, second = seed(engine, (1, 2, 3), (1, 2, 3))
    product = browser_of("pm1@example.com")
    form = {
        "title": "Checkout v2",
        "target_date": LATER,
        "confidence": "85",
        "scope": [str(first), str(second)],
        "csrf_token": csrf(product),
    }
    assert product.post(f"{PLAN}/commitments", data=form, follow_redirects=False).status_code == 303
    with transaction(engine) as session:
        [commitment] = session.scalars(select(Commitment)).all()
        assert (commitment.state, service.latest(commitment).confidence) == ("proposed", 0.85)
        commitment_id = commitment.id
    page = product.get(PLAN).text
    assert "awaiting signature" in page and "Sign revision 1" not in page

    engineering = browser_of("em1@example.com")
    page = engineering.get(PLAN).text
    assert "Sign revision 1" in page
    sign = {"revision": "1", "csrf_token": csrf(engineering)}
    response = engineering.post(f"{PLAN}/commitments/{commitment_id}/sign", data=sign, follow_redirects=False)
    assert response.status_code == 303
    page = engineering.get(response.headers["location"]).text
    assert "Signed." in page and "in force" in page and "revision 1: " in page
    assert page.count("(from estimates)") == 2


def test_a_stale_signature_from_the_page_is_409(browser_of: Callable[[str], TestClient], engine: Engine) -> None:
    scope = seed(engine, (1, 2, 3))
    with transaction(engine) as session:
        commitment = service.propose(
            session, payments(session), PM, title="C", target_date=date.fromisoformat(LATER), scope=scope
        )
        service.revise(session, commitment, PM, target_date=date.fromisoformat(LATER_STILL), reason="later")
        commitment_id = commitment.id
    client = browser_of("em1@example.com")
    response = client.post(
        f"{PLAN}/commitments/{commitment_id}/sign", data={"revision": "1", "csrf_token": csrf(client)}
    )
    assert response.status_code == 409
    assert "revision 1 is not the latest" in response.text


def test_revise_from_the_page_keeps_the_signed_revision_in_force(
    browser_of: Callable[[str], TestClient], engine: Engine
) -> None:
    scope = seed(engine, (1, 2, 3), (1, 1, 1))
    with transaction(engine) as session:
        commitment = service.propose(
            session, payments(session), PM, title="C", target_date=date.fromisoformat(LATER), scope=scope
        )
        service.sign(session, commitment, EM, revision_number=1)
        commitment_id = commitment.id
    client = browser_of("em1@example.com")
    form = {
        "target_date": LATER_STILL,
        "confidence": "0.85",
        "scope": [str(scope[0])],
        "reason": "Item 2 moves to the next quarter",
        "csrf_token": csrf(client),
    }
    assert (
        client.post(f"{PLAN}/commitments/{commitment_id}/revise", data=form, follow_redirects=False).status_code == 303
    )
    with transaction(engine) as session:
        commitment = session.get_one(Commitment, commitment_id)
        assert (commitment.state, commitment.latest_revision, commitment.in_force_revision) == ("revising", 2, 1)
        assert service.latest(commitment).scope == [scope[0]]


def test_add_and_close_items_from_the_page(browser_of: Callable[[str], TestClient], engine: Engine) -> None:
    client = browser_of("em1@example.com")
    token = csrf(client)
    assert client.post(f"{PLAN}/items", data={"title": "Refunds", "csrf_token": token}).status_code == 200
    [item] = order_of(engine)
    closed = client.post(f"{PLAN}/close", data={"item": str(item), "status": "dropped", "csrf_token": token})
    assert closed.status_code == 200
    assert "Item closed." in closed.text
    with transaction(engine) as session:
        assert session.get_one(PlanItem, item).status == "dropped"


def test_the_cut_line_form_says_which_items_fit(signed_in: Callable[[Role], TestClient], engine: Engine) -> None:
    seed(engine, (1, 1, 1), (1, 1, 1), (400, 500, 600), None)
    far = (date.today() + timedelta(days=60)).isoformat()
    text = signed_in(Role.MEMBER).get(f"{PLAN}?target={far}&confidence=0.85").text
    assert f"At 85% confidence, items 1..2 in work order fit by {far}" in text
    assert "Item 1, Item 2." in text
    assert f'data-src="/teams/Payments/plan/fan.json?target={far}&amp;confidence=0.85"' in text


def test_a_bad_cut_line_date_is_400(signed_in: Callable[[Role], TestClient]) -> None:
    response = signed_in(Role.MEMBER).get(f"{PLAN}?target=soon")
    assert response.status_code == 400
    assert "the target date must be a date like 2026-12-04" in response.text


def test_the_fan_chart_json_is_a_plotly_figure(signed_in: Callable[[Role], TestClient], engine: Engine) -> None:
    seed(engine, (1, 2, 3), (2, 3, 5))
    far = (date.today() + timedelta(days=30)).isoformat()
    figure = signed_in(Role.MEMBER).get(f"{PLAN}/fan.json?target={far}").json()
    names = [trace["name"] for trace in figure["data"]]
    assert names == ["P50", "P50\u2013P70", "P70\u2013P85", "P85\u2013P95", f"Target {far}"]
    assert figure["data"][0]["customdata"] == ["Item 1", "Item 2"]


def test_plotly_is_served_from_the_package(anonymous: TestClient) -> None:
    response = anonymous.get("/assets/plotly.min.js")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/javascript")
    assert len(response.content) == PLOTLY_JS.stat().st_size


def test_moving_an_item_swaps_it_with_its_neighbour() -> None:
    assert moved([1, 2, 3], 1, "down") == [2, 1, 3]
    assert moved([1, 2, 3], 3, "up") == [1, 3, 2]
    assert moved([1, 2, 3], 1, "up") == [1, 2, 3]
    with pytest.raises(ScheduleError, match="reload and retry"):
        moved([1, 2], 3, "up")


def test_plotlys_own_rules_are_served_as_a_stylesheet(anonymous: TestClient) -> None:
    response = anonymous.get("/assets/plotly.css")
    assert response.headers["content-type"].startswith("text/css")
    assert ".js-plotly-plot .plotly .main-svg{position:absolute;top:0;left:0;pointer-events:none;}" in response.text
    assert ".plotly-notifier" in response.text


def test_a_bundle_without_readable_rules_falls_back_to_the_essential_ones() -> None:
    assert plotly_css("var x = 1;") == PLOTLY_CSS_FALLBACK
    bundle = """a={"X,X div":'font-family:"Open Sans";',"X .main-svg":"position:absolute;",Y:"top:0;"};"""
    assert plotly_css(bundle) == (
        '.js-plotly-plot .plotly,.js-plotly-plot .plotly div{font-family:"Open Sans";}\n'
        ".js-plotly-plot .plotly .main-svg{position:absolute;}\n"
        ".plotly-notifier{top:0;}\n"
    )


def test_the_page_holds_the_ids_of_the_styles_plotly_would_inject(
    signed_in: Callable[[Role], TestClient], engine: Engine
) -> None:
    seed(engine, (1, 2, 3))
    ids = plotly_style_ids(PLOTLY_JS.read_text(encoding="utf-8"))
    assert ids
    text = signed_in(Role.MEMBER).get(PLAN).text
    assert all(f'<span id="{style_id}" hidden></span>' in text for style_id in ids)
    assert 'id="plotly.js-style-global" class="no-inline-styles"' in text


def test_a_form_order_that_names_an_item_twice_is_400(browser_of: Callable[[str], TestClient], engine: Engine) -> None:
    first, second = seed(engine, None, None)
    client = browser_of("pm1@example.com")
    response = client.post(f"{PLAN}/order", data={"order": f"{first},{first},{second}", "csrf_token": csrf(client)})
    assert response.status_code == 400
    assert "the order lists an item more than once" in response.text
