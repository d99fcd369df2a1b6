"""The constraints board page and /api/v1/teams/{team}/constraints on both databases: who may post, acknowledge and
resolve, ages, filters, CSRF, and the link from the team page."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from tandem.accounts.models import Role
from tandem.accounts.service import set_role, user_by_email
from tandem.constraints import service
from tandem.constraints.facts import ConstraintKind
from tandem.db import transaction, utcnow
from tandem.decisions.service import Actor
from tandem.notifications.models import Notification
from tandem.org.models import Team
from webfixtures import EMAILS, Headers, csrf

BOARD = "/teams/Payments/constraints"
API = "/api/v1/teams/Payments/constraints"
DEV = Actor("user:dev1@example.com", "dev1")


def payments(session: Session) -> Team:
    return session.scalars(select(Team).where(Team.name == "Payments")).one()


def plant(engine: Engine, *, days_ago: int = 0, actor: Actor = DEV, text: str = "Waiting on the sandbox") -> int:
    """A constraint posted through the service some days ago; its id."""
    with transaction(engine) as session:
        return service.post(
            session,
            team=payments(session),
            actor=actor,
            kind=ConstraintKind.BLOCKED,
            text=text,
            now=utcnow() - timedelta(days=days_ago),
        ).id


def post(client: TestClient, headers: dict[str, str], **extra: Any) -> Any:
    body = {"kind": "blocked", "text": "Waiting on the sandbox", "help": "An account by Thursday", **extra}
    return client.post(API, json=body, headers=headers)


# --- the JSON API --------------------------------------------------------------------------------------------


def test_a_member_posts_their_own_constraint_without_a_csrf_token(anonymous: TestClient, api: Headers) -> None:
    response = post(anonymous, api["member"])
    assert response.status_code == 201, response.text
    body = response.json()
    assert (body["state"], body["posted_by"], body["function"], body["counterparts"]) == (
        "open",
        "dev1",
        "engineering",
        ["pm1"],
    )
    assert (body["help"], body["age"], [e["kind"] for e in body["events"]]) == (
        "An account by Thursday",
        "less than a working day unacknowledged",
        ["posted"],
    )


def test_the_counterpart_lead_is_notified(anonymous: TestClient, api: Headers, engine: Engine) -> None:
    post(anonymous, api["em1"])
    with transaction(engine) as session:
        note = session.scalars(select(Notification)).one()
        assert (note.topic, note.recipients) == ("constraint.posted", ["pm1"])


@pytest.mark.parametrize(("who", "detail"), [("executive", "your role reads the board but does not post on it")])
def test_an_executive_reads_but_does_not_post(who: str, detail: str, anonymous: TestClient, api: Headers) -> None:
    response = post(anonymous, api[who])
    assert (response.status_code, response.json()["detail"]) == (403, detail)
    assert anonymous.get(API, headers=api[who]).status_code == 200


def test_an_admin_outside_the_org_cannot_post_for_someone(anonymous: TestClient, api: Headers) -> None:
    response = post(anonymous, api["admin"])
    assert response.status_code == 403
    assert "for themselves" in response.json()["detail"]


def test_a_member_cannot_post_on_another_teams_board(anonymous: TestClient, api: Headers) -> None:
    response = anonymous.post(
        "/api/v1/teams/Search/constraints", json={"kind": "blocked", "text": "x"}, headers=api["member"]
    )
    assert response.status_code == 403


def test_the_whole_flow_answers_with_the_right_statuses(anonymous: TestClient, api: Headers) -> None:
    constraint = post(anonymous, api["member"]).json()["id"]

    def step(who: str, what: str, body: dict[str, str] | None = None) -> Any:
        return anonymous.post(f"{API}/{constraint}/{what}", json=body, headers=api[who])

    assert step("member", "acknowledge").status_code == 403
    assert step("em1", "acknowledge").status_code == 403  # the poster's own side
    acknowledged = step("pm1", "acknowledge")
    assert (acknowledged.status_code, acknowledged.json()["state"], acknowledged.json()["acknowledged_by"]) == (
        200,
        "acknowledged",
        "pm1",
    )
    assert step("pm1", "acknowledge").status_code == 409
    assert step("executive", "resolve").status_code == 403
    resolved = step("member", "resolve", {"note": "Sandbox arrived"})
    assert (resolved.status_code, resolved.json()["resolved_jointly"], resolved.json()["resolution"]) == (
        200,
        True,
        "Sandbox arrived",
    )
    assert step("member", "resolve").status_code == 409


def test_resolving_needs_no_body(anonymous: TestClient, api: Headers) -> None:
    constraint = post(anonymous, api["member"]).json()["id"]
    response = anonymous.post(f"{API}/{constraint}/resolve", headers=api["pm1"])
    assert (response.status_code, response.json()["state"], response.json()["acknowledged_by"]) == (
        200,
        "resolved",
        "pm1",
    )


def test_bad_input_is_422(anonymous: TestClient, api: Headers) -> None:
    assert post(anonymous, api["member"], text="").status_code == 422
    assert post(anonymous, api["member"], kind="stuck").status_code == 422
    blank = post(anonymous, api["member"], text="   ")
    assert (blank.status_code, blank.json()["detail"]) == (422, "a constraint needs its text")


def test_constraints_are_listed_newest_first_with_filters(anonymous: TestClient, api: Headers, engine: Engine) -> None:
    old = plant(engine, days_ago=3, text="old")
    new = plant(engine, text="new")
    anonymous.post(f"{API}/{old}/acknowledge", headers=api["pm1"])
    listed = anonymous.get(API, headers=api["member"]).json()
    assert ([c["id"] for c in listed["items"]], listed["total"]) == ([new, old], 2)
    only = anonymous.get(f"{API}?state=acknowledged", headers=api["member"]).json()
    assert [c["text"] for c in only["items"]] == ["old"]
    assert anonymous.get(f"{API}/{new}", headers=api["member"]).json()["text"] == "new"


def test_who_reads_which_board(anonymous: TestClient, api: Headers, engine: Engine) -> None:
    constraint = plant(engine)
    assert anonymous.get("/api/v1/teams/Search/constraints", headers=api["member"]).status_code == 403
    assert anonymous.get("/api/v1/teams/Nowhere/constraints", headers=api["pm1"]).status_code == 404
    assert anonymous.get(f"/api/v1/teams/Search/constraints/{constraint}", headers=api["pm1"]).status_code == 404
    assert anonymous.get(f"{API}/999999", headers=api["pm1"]).status_code == 404
    assert anonymous.get(API).status_code == 401


def test_a_lead_whose_role_only_reads_cannot_acknowledge(anonymous: TestClient, api: Headers, engine: Engine) -> None:
    constraint = plant(engine)
    with transaction(engine) as session:
        user = user_by_email(session, EMAILS[Role.LEAD])
        assert user is not None
        set_role(session, user=user, role=Role.EXECUTIVE, actor="t")
    response = anonymous.post(f"{API}/{constraint}/acknowledge", headers=api["pm1"])
    assert (response.status_code, "does not act on it" in response.json()["detail"]) == (403, True)


# --- the page ---------------------------------------------------------------------------------------------------


def test_the_board_shows_ages_in_working_days_and_flags_the_overdue(
    signed_in: Callable[[Role], TestClient], engine: Engine
) -> None:
    plant(engine, days_ago=14, text="Old and unanswered")
    page = signed_in(Role.MEMBER).get(BOARD)
    assert page.status_code == 200
    assert "Old and unanswered" in page.text
    assert re.search(r'<span class="missing">\d+ working days unacknowledged</span>', page.text)
    assert "awaits" in page.text and "Person PM1" in page.text


def test_a_member_posts_through_the_form(signed_in: Callable[[Role], TestClient], engine: Engine) -> None:
    client = signed_in(Role.MEMBER)
    assert 'action="/teams/Payments/constraints"' in client.get(BOARD).text
    form = {"kind": "overloaded", "text": "Two releases at once", "help": "Move one", "csrf_token": csrf(client)}
    response = client.post(BOARD, data=form, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith(f"{BOARD}?done=posted#constraint-")
    page = client.get(response.headers["location"])
    assert "Posted. Your counterpart lead has been asked to acknowledge it." in page.text
    assert "Two releases at once" in page.text and "What would help: Move one" in page.text


def test_a_form_without_the_csrf_token_is_refused(signed_in: Callable[[Role], TestClient], engine: Engine) -> None:
    response = signed_in(Role.MEMBER).post(BOARD, data={"kind": "blocked", "text": "x"}, follow_redirects=False)
    assert response.status_code == 403
    with transaction(engine) as session:
        assert service.listing(session)[1] == 0


def test_the_counterpart_lead_acknowledges_and_resolves_from_the_board(
    signed_in: Callable[[Role], TestClient], engine: Engine
) -> None:
    constraint = plant(engine)
    member, lead = signed_in(Role.MEMBER), signed_in(Role.LEAD)
    assert f"{BOARD}/{constraint}/acknowledge" not in member.get(BOARD).text
    assert f"{BOARD}/{constraint}/resolve" in member.get(BOARD).text  # the poster may resolve their own
    assert f"{BOARD}/{constraint}/acknowledge" in lead.get(BOARD).text
    acknowledged = lead.post(
        f"{BOARD}/{constraint}/acknowledge", data={"csrf_token": csrf(lead)}, follow_redirects=False
    )
    assert acknowledged.status_code == 303
    again = lead.post(f"{BOARD}/{constraint}/acknowledge", data={"csrf_token": csrf(lead)})
    assert again.status_code == 409 and "already acknowledged" in again.text
    resolved = lead.post(
        f"{BOARD}/{constraint}/resolve", data={"csrf_token": csrf(lead), "note": "Done"}, follow_redirects=False
    )
    assert resolved.status_code == 303
    page = lead.get(f"{BOARD}?show=resolved")
    assert "resolved jointly after less than a working day" in page.text and "Resolution: Done" in page.text
    assert "Waiting on the sandbox" not in lead.get(BOARD).text  # the live board hides what is resolved


def test_someone_else_acknowledging_sees_why_not(signed_in: Callable[[Role], TestClient], engine: Engine) -> None:
    constraint = plant(engine)
    member = signed_in(Role.MEMBER)
    response = member.post(f"{BOARD}/{constraint}/acknowledge", data={"csrf_token": csrf(member)})
    assert response.status_code == 403
    assert "your counterpart lead acknowledges your constraint, not you" in response.text


def test_an_executive_reads_the_board_without_a_post_form(
    signed_in: Callable[[Role], TestClient], engine: Engine
) -> None:
    plant(engine)
    page = signed_in(Role.EXECUTIVE).get(BOARD)
    assert page.status_code == 200 and "Waiting on the sandbox" in page.text
    assert "Post a constraint of your own" not in page.text


def test_a_member_cannot_read_another_teams_board(signed_in: Callable[[Role], TestClient]) -> None:
    assert signed_in(Role.MEMBER).get("/teams/Search/constraints").status_code == 403


def test_a_bad_filter_is_422(signed_in: Callable[[Role], TestClient]) -> None:
    assert signed_in(Role.LEAD).get(f"{BOARD}?show=everything").status_code == 422


def test_the_team_page_links_to_the_board(signed_in: Callable[[Role], TestClient]) -> None:
    page = signed_in(Role.MEMBER).get("/teams/Payments")
    assert 'href="/teams/Payments/constraints"' in page.text


def test_the_board_has_no_inline_script_or_style(signed_in: Callable[[Role], TestClient], engine: Engine) -> None:
    plant(engine)
    page = signed_in(Role.LEAD).get(BOARD).text
    assert "<script" not in page and "style=" not in page and "<style" not in page


def test_the_engineering_lead_sees_the_board_figures(browser_of: Callable[[str], TestClient], engine: Engine) -> None:
    constraint = plant(engine, days_ago=0)
    with transaction(engine) as session:
        found = service.get(session, constraint)
        assert found is not None
        service.acknowledge(
            session, constraint=found, actor=Actor("user:pm1", "pm1"), now=found.posted_at + timedelta(hours=1)
        )
    page = browser_of("em1@example.com").get(BOARD)
    assert page.status_code == 200
    assert "Median time to acknowledge" in page.text
