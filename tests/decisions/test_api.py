"""Decisions through the REST API with personal tokens: leads act, the accountable manager decides."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from tandem.accounts.models import Role
from tandem.accounts.service import create_api_token, create_user, set_role, user_by_email
from tandem.db import transaction

A, B = "Now, behind a flag", "After the rewrite"


@pytest.fixture
def api(anonymous: TestClient, engine: Engine, tokens: dict[Role, str]) -> dict[str, dict[str, str]]:
    """Authorization headers for pm1 (product lead), em1 (engineering lead), gm (their manager), and others."""
    with transaction(engine) as session:
        extra = {
            email: create_api_token(
                session, user=create_user(session, email=email, role=Role.LEAD, actor="t"), name="t", actor="t"
            )
            for email in ("em1@example.com", "gm@example.com")
        }
    raw = {
        "pm1": tokens[Role.LEAD],
        "em1": extra["em1@example.com"],
        "gm": extra["gm@example.com"],
        "member": tokens[Role.MEMBER],
        "executive": tokens[Role.EXECUTIVE],
    }
    return {who: {"Authorization": f"Bearer {token}"} for who, token in raw.items()}


def create(client: TestClient, headers: dict[str, str], **extra: Any) -> Any:
    body = {"team": "Payments", "title": "Offline mode", "options": [A, B], "open": True, **extra}
    return client.post("/api/v1/decisions", json=body, headers=headers)


def test_a_lead_records_and_opens_a_decision_without_a_csrf_token(
    anonymous: TestClient, api: dict[str, dict[str, str]]
) -> None:
    response = create(anonymous, api["pm1"])
    assert response.status_code == 201, response.text
    assert (response.json()["state"], [e["kind"] for e in response.json()["events"]]) == ("open", ["created", "opened"])


@pytest.mark.parametrize("who", ["member", "executive", "gm"])
def test_only_the_teams_leads_record_its_decisions(
    who: str, anonymous: TestClient, api: dict[str, dict[str, str]]
) -> None:
    assert create(anonymous, api[who]).status_code == 403


def test_the_whole_flow_answers_with_the_right_statuses(anonymous: TestClient, api: dict[str, dict[str, str]]) -> None:
    decision = create(anonymous, api["pm1"]).json()["id"]
    post = lambda who, step, body=None: anonymous.post(  # noqa: E731
        f"/api/v1/decisions/{decision}/{step}", json=body, headers=api[who]
    )
    assert post("pm1", "scores", {"option": A, "factor": "user_experience", "score": 3}).status_code == 422
    assert post("pm1", "scores", {"option": A, "factor": "user_experience", "score": 2}).status_code == 200
    assert post("pm1", "signoffs", {"option": A}).json()["state"] == "open"
    assert post("em1", "signoffs", {"option": B}).json()["state"] == "contested"
    assert post("gm", "decision", {"option": B, "rationale": "x"}).status_code == 409  # not escalated yet
    assert post("em1", "escalate").json()["state"] == "escalated"
    assert post("pm1", "decision", {"option": A, "rationale": "mine"}).status_code == 403
    decided = post("gm", "decision", {"option": B, "rationale": "Sync first."})
    assert (decided.status_code, decided.json()["state"], decided.json()["decided_by"]) == (200, "decided", "gm")
    assert post("pm1", "signoffs", {"option": A}).status_code == 409
    assert post("pm1", "close").json()["state"] == "closed"


def test_decisions_are_listed_with_filters(anonymous: TestClient, api: dict[str, dict[str, str]]) -> None:
    create(anonymous, api["pm1"], title="first")
    create(anonymous, api["pm1"], title="second", open=False)
    listed = anonymous.get("/api/v1/decisions?team=Payments&state=draft", headers=api["executive"]).json()
    assert [d["title"] for d in listed["items"]] == ["second"]
    assert listed["total"] == 1


def test_a_member_reads_their_teams_decisions_but_not_the_orgs(
    anonymous: TestClient, api: dict[str, dict[str, str]]
) -> None:
    decision = create(anonymous, api["pm1"]).json()["id"]
    assert anonymous.get(f"/api/v1/decisions/{decision}", headers=api["member"]).status_code == 200
    assert anonymous.get("/api/v1/decisions?team=Payments", headers=api["member"]).status_code == 200
    assert anonymous.get("/api/v1/decisions", headers=api["member"]).status_code == 403
    assert anonymous.get("/api/v1/decisions?team=Search", headers=api["member"]).status_code == 403


def test_an_unknown_decision_is_404(anonymous: TestClient, api: dict[str, dict[str, str]]) -> None:
    assert anonymous.get("/api/v1/decisions/999999", headers=api["pm1"]).status_code == 404


@pytest.mark.parametrize("role", [Role.MEMBER, Role.EXECUTIVE])
def test_a_lead_whose_role_only_reads_cannot_act(
    role: Role, anonymous: TestClient, engine: Engine, api: dict[str, dict[str, str]]
) -> None:
    decision = create(anonymous, api["pm1"]).json()["id"]
    with transaction(engine) as session:
        user = user_by_email(session, "em1@example.com")
        assert user is not None
        set_role(session, user=user, role=role, actor="t")
    response = anonymous.post(f"/api/v1/decisions/{decision}/signoffs", json={"option": A}, headers=api["em1"])
    assert response.status_code == 403
    assert "does not act on them" in response.json()["detail"]


def test_an_accountable_manager_with_the_member_role_reads_and_decides(
    anonymous: TestClient, engine: Engine, api: dict[str, dict[str, str]]
) -> None:
    decision = create(anonymous, api["pm1"]).json()["id"]
    anonymous.post(f"/api/v1/decisions/{decision}/escalate", headers=api["em1"])
    with transaction(engine) as session:
        user = user_by_email(session, "gm@example.com")
        assert user is not None
        set_role(session, user=user, role=Role.MEMBER, actor="t")
    assert anonymous.get(f"/api/v1/decisions/{decision}", headers=api["gm"]).status_code == 200
    decided = anonymous.post(
        f"/api/v1/decisions/{decision}/decision", json={"option": B, "rationale": "Go."}, headers=api["gm"]
    )
    assert decided.json()["state"] == "decided"


def test_a_naive_decide_by_is_422(anonymous: TestClient, api: dict[str, dict[str, str]]) -> None:
    response = create(anonymous, api["pm1"], decide_by="2099-01-01T09:00:00")
    assert response.status_code == 422
    assert "time zone" in response.json()["detail"]
