"""The pulse answer page, the trust results page and /api/v1 trust routes on both databases: anonymity through
every route (page, API, CLI, walk), one answer per link, CSRF, and who may open a pulse (an admin; each link is
sent to its person through ``[trust] invitation_url``, here the test's own webhook receiver, and never returned).

Figures, counts and comments come from closed pulses only, so the tests close a pulse (``close``) before the
first results read that must see them: the results read the cached walk, whose key closing does not change."""

from __future__ import annotations

import json
import logging
import re
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select, update
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from http_receiver import Receiver
from tandem.accounts.models import Role
from tandem.cli import app as cli_app
from tandem.config import Settings
from tandem.db import transaction, utcnow
from tandem.org.models import Function, Person, Team
from tandem.trust import service
from tandem.trust.models import Pulse, PulseInvitation
from tandem.web.security import RedactSecretsInAccessLog
from webfixtures import csrf

PAGE = "/teams/Payments/trust"
API = "/api/v1/teams/Payments/trust"
PULSES = "/api/v1/teams/Payments/pulses"
SCORES = {"respect": 3, "positive_intent": 4, "safety": 4, "reliability": 3, "openness": 4}
"""A respondent mean of 3.6; respondent i adds a little to ``respect`` so the groups vary."""
WITHHELD = "Not shown: fewer than 5 respondents."


@pytest.fixture
def settings(settings: Settings, receiver: Receiver) -> Settings:
    """Pulse links go to the test's webhook receiver, each with its person's e-mail in the payload's ``to``."""
    settings.trust.invitation_url = f"{receiver.url}?:to={{email}}"
    return settings


def close(engine: Engine, *, reopen: bool = False) -> None:
    """Close every pulse (a minute ago), or open them again for a day."""
    closes_at = utcnow() + (timedelta(days=1) if reopen else -timedelta(minutes=1))
    with transaction(engine) as session:
        session.execute(update(Pulse).values(closes_at=closes_at))


def payments(session: Session) -> Team:
    return session.scalars(select(Team).where(Team.name == "Payments")).one()


def scores(i: int) -> dict[str, int]:
    return {**SCORES, "respect": 3 + i % 3}


@pytest.fixture
def tokens_by_side(engine: Engine, web_org: None) -> dict[str, list[str]]:
    """Eight more engineers on Payments (ten engineering invitees with em1 and dev1, one product: pm1) and an open
    pulse; the personal tokens per side, engineering first by person id."""
    with transaction(engine) as session:
        team = payments(session)
        for n in range(2, 10):
            session.add(
                Person(
                    id=f"dev{n}",
                    name=f"Dev {n}",
                    email=f"dev{n}@example.com",
                    function=Function.ENGINEERING,
                    level=4,
                    manager_id="em1",
                    team_id=team.id,
                    active=True,
                )
            )
        session.flush()
        _pulse, links = service.open_pulse(session, team, actor_label="test")
        return {
            "engineering": [link.token for link in links if link.person_id != "pm1"],
            "product": [link.token for link in links if link.person_id == "pm1"],
        }


@pytest.fixture
def engineers(tokens_by_side: dict[str, list[str]]) -> list[str]:
    assert len(tokens_by_side["engineering"]) == 10
    return tokens_by_side["engineering"]


def answer(engine: Engine, tokens: list[str], comment: str = "") -> None:
    for i, token in enumerate(tokens):
        with transaction(engine) as session:
            service.answer(session, token, scores(i), comment=comment and f"{comment} {i}")


def form(client: TestClient, values: dict[str, Any], comment: str = "") -> dict[str, str]:
    return {
        **{f"item_{item}": str(value) for item, value in values.items()},
        "comment": comment,
        "csrf_token": csrf(client),
    }


def main_of(html: str) -> str:
    return html.split('<main id="main">', 1)[1].split("</main>", 1)[0]


# --- the answer page --------------------------------------------------------------------------------------------


def test_the_answer_page_needs_no_account_and_speaks_to_the_respondent(
    anonymous: TestClient, engineers: list[str]
) -> None:
    response = anonymous.get(f"/pulse/{engineers[0]}")
    assert response.status_code == 200
    html = response.text
    assert "Payments: trust pulse" in html
    assert "My product counterparts deliver what they commit to." in html  # an engineer rates product
    assert "engineering counterparts" not in html
    assert len(re.findall(r'<fieldset class="pulse-item"', html)) == 5
    assert len(re.findall(r'type="radio"', html)) == 35
    assert "Strongly disagree" in html and "Strongly agree" in html
    assert "anonymous" in html and "groups of at least 5 people" in html
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["Cache-Control"] == "no-store"
    assert 'name="csrf_token"' in html


def test_answering_through_the_page_works_once(anonymous: TestClient, engineers: list[str], engine: Engine) -> None:
    sent = anonymous.post(f"/pulse/{engineers[0]}", data=form(anonymous, SCORES, "Good work"), follow_redirects=False)
    assert sent.status_code == 303
    assert sent.headers["location"] == "/pulse/thanks"
    thanks = anonymous.get("/pulse/thanks")
    assert "Thank you" in thanks.text and thanks.headers["Referrer-Policy"] == "no-referrer"
    assert engineers[0] not in thanks.text
    again = anonymous.post(f"/pulse/{engineers[0]}", data=form(anonymous, SCORES))
    assert again.status_code == 404
    assert "has been used already, has expired, or is not a pulse link" in again.text
    assert anonymous.get(f"/pulse/{engineers[0]}").status_code == 404
    close(engine)
    with transaction(engine) as session:
        facts = service.load_trust_facts(session)
    assert [r.scores for r in facts.responses] == [SCORES]


@pytest.mark.parametrize("token", ["unknown-token", "x" * 32])
def test_an_unknown_link_is_a_plain_404(anonymous: TestClient, engineers: list[str], token: str) -> None:
    response = anonymous.get(f"/pulse/{token}")
    assert response.status_code == 404
    assert "has been used already, has expired, or is not a pulse link" in response.text
    assert response.headers["Referrer-Policy"] == "no-referrer"


def test_a_bad_score_shows_the_message_and_keeps_the_answers(
    anonymous: TestClient, engineers: list[str], engine: Engine
) -> None:
    bad = {**SCORES, "respect": 6, "safety": 9}
    response = anonymous.post(f"/pulse/{engineers[0]}", data=form(anonymous, bad, "keep me"))
    assert response.status_code == 400
    assert "Answers go from 1 to 7" in response.text
    assert re.search(r'name="item_respect" value="6" required checked', response.text)
    assert re.search(r'name="item_openness" value="4" required checked', response.text)
    assert ">keep me</textarea>" in response.text
    assert response.headers["Referrer-Policy"] == "no-referrer"
    done = anonymous.post(f"/pulse/{engineers[0]}", data=form(anonymous, SCORES), follow_redirects=False)
    assert done.status_code == 303  # the refused attempt did not use the link up


def test_a_missing_answer_is_refused_with_the_others_kept(anonymous: TestClient, engineers: list[str]) -> None:
    partial = {k: v for k, v in SCORES.items() if k != "safety"}
    response = anonymous.post(f"/pulse/{engineers[0]}", data=form(anonymous, partial))
    assert response.status_code == 400
    assert "Answer every statement" in response.text
    assert re.search(r'name="item_respect" value="3" required checked', response.text)


def test_answering_needs_the_csrf_token(anonymous: TestClient, engineers: list[str]) -> None:
    data = form(anonymous, SCORES)
    del data["csrf_token"]
    response = anonymous.post(f"/pulse/{engineers[0]}", data=data)
    assert response.status_code == 403
    assert anonymous.get(f"/pulse/{engineers[0]}").status_code == 200  # still unused


def test_the_access_log_never_prints_a_pulse_token() -> None:
    record = logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        "",
        0,
        '%s - "%s %s HTTP/%s" %d',
        ("1.2.3.4:5", "GET", "/pulse/s3cr3t?a=1", "1.1", 200),
        None,
    )
    RedactSecretsInAccessLog().filter(record)
    assert "s3cr3t" not in record.getMessage()
    assert "/pulse/[redacted]" in record.getMessage()
    thanks = logging.LogRecord("uvicorn.access", logging.INFO, "", 0, "%s %s %s", ("a", "GET", "/pulse/thanks"), None)
    RedactSecretsInAccessLog().filter(thanks)
    assert thanks.getMessage().endswith("/pulse/thanks")


# --- results: nothing below the minimum, through any route -----------------------------------------------------


@pytest.fixture
def cli(cli_env: str) -> Callable[..., Any]:
    runner = CliRunner()

    def run(*args: str) -> Any:
        result = runner.invoke(cli_app, list(args))
        assert result.exit_code == 0, result.output
        return result

    return run


def test_a_team_of_four_never_yields_a_figure_through_any_route(
    signed_in: Callable[[Role], TestClient], engineers: list[str], engine: Engine, cli: Callable[..., Any]
) -> None:
    answer(engine, engineers[:4], comment="four")
    close(engine)  # closed, so the group size alone holds the figures back
    admin = signed_in(Role.ADMIN)
    html = main_of(admin.get(PAGE).text)
    assert html.count(WITHHELD) == 2
    assert "Respondents" not in html and 'class="figure"' not in html and "interval" not in html
    assert "fewer than 5" in html
    figures_only = re.sub(r"<time[^>]*>.*?</time>", "", html)  # a pulse's time (…03.631990) is not a figure
    assert ">4<" not in figures_only and "3.6" not in figures_only and "four" not in figures_only
    assert 'id="trust-chart"' not in html
    body = admin.get(API).json()
    assert [d["released"] for d in body["directions"]] == [False, False]
    assert [d["figures"] for d in body["directions"]] == [None, None]
    assert [d["comments"] for d in body["directions"]] == [None, None]
    assert [p["answered"] for p in admin.get(PULSES).json()] == [None]
    assert "3.6" not in json.dumps(body)
    results = cli("pulse", "results", "--json")
    assert json.loads(results.output) == {}
    walk = json.loads(cli("walk", "--format", "json").output)
    assert walk["metrics"]["trust"] == {}
    assert not [f for f in walk["findings"] if f["practice"] == "trust"]
    assert "Payments" not in json.dumps(walk["metrics"]["trust"])


def test_figures_appear_once_five_have_answered(
    signed_in: Callable[[Role], TestClient], engineers: list[str], engine: Engine
) -> None:
    answer(engine, engineers[:5])
    close(engine)
    member = signed_in(Role.MEMBER)
    body = member.get(API).json()
    engineering = {d["direction"]: d for d in body["directions"]}["engineering_to_product"]
    assert engineering["released"] is True
    figures = engineering["figures"]
    assert figures["respondents"] == 5
    assert figures["trust_index"] == pytest.approx(3.76)  # means 3.6, 3.8, 4.0, 3.6, 3.8
    assert figures["ci_low"] < figures["trust_index"] < figures["ci_high"]
    assert figures["response_rate"] == 0.5
    assert set(figures["alpha"]) == {"cognitive", "affective"}
    assert figures["trend"] is None
    assert engineering["comments"] is None
    product = {d["direction"]: d for d in body["directions"]}["product_to_engineering"]
    assert product["figures"] is None
    html = main_of(member.get(PAGE).text)
    assert "3.76" in html and "Respondents" in html and "50%" in html
    assert html.count(WITHHELD) == 1
    assert 'id="trust-chart"' in html
    assert [p["answered"] for p in member.get(PULSES).json()] == [5]


def test_a_pulse_count_that_would_expose_a_held_back_side_is_not_shown(
    signed_in: Callable[[Role], TestClient], tokens_by_side: dict[str, list[str]], engine: Engine
) -> None:
    answer(engine, tokens_by_side["engineering"][:5] + tokens_by_side["product"])
    close(engine)
    admin = signed_in(Role.ADMIN)
    assert [p["answered"] for p in admin.get(PULSES).json()] == [None]  # 6 less the released 5 would count pm1
    html = main_of(admin.get(PAGE).text)
    assert ">6<" not in html and "not shown" in html


def test_comments_appear_only_from_ten_respondents(
    signed_in: Callable[[Role], TestClient], engineers: list[str], engine: Engine
) -> None:
    answer(engine, engineers[:9], comment="Remark")
    close(engine)  # nine respondents in a closed pulse: below the comment minimum
    member = signed_in(Role.MEMBER)
    assert "Remark" not in member.get(API).text
    assert "Remark" not in member.get(PAGE).text
    close(engine, reopen=True)
    answer(engine, engineers[9:], comment="Remark")
    close(engine)  # the tenth answer changes the walk's key, so the next read sees the closed pulse afresh
    body = member.get(API).json()
    comments = {d["direction"]: d["comments"] for d in body["directions"]}
    assert comments["product_to_engineering"] is None
    assert sorted(comments["engineering_to_product"]) == sorted([f"Remark {i}" for i in range(9)] + ["Remark 0"])
    assert "Remark 0" in member.get(PAGE).text


def test_an_admin_sees_no_more_than_a_member(
    signed_in: Callable[[Role], TestClient], engineers: list[str], engine: Engine
) -> None:
    answer(engine, engineers[:7], comment="note")
    close(engine)
    admin, member = signed_in(Role.ADMIN), signed_in(Role.MEMBER)
    assert admin.get(API).json() == member.get(API).json()
    assert admin.get(PULSES).json() == member.get(PULSES).json()
    assert main_of(admin.get(PAGE).text) == main_of(member.get(PAGE).text)


def test_the_results_need_a_reader_of_the_team(
    anonymous: TestClient, signed_in: Callable[[Role], TestClient], engineers: list[str]
) -> None:
    assert anonymous.get(API).status_code == 401
    assert anonymous.get(PAGE, follow_redirects=False).status_code == 303
    member = signed_in(Role.MEMBER)
    assert member.get("/api/v1/teams/Search/trust").status_code == 403
    assert member.get("/teams/Search/trust").status_code == 403
    assert member.get("/api/v1/teams/Nowhere/trust").status_code == 404


def test_the_team_page_links_to_the_trust_page(signed_in: Callable[[Role], TestClient]) -> None:
    assert 'href="/teams/Payments/trust"' in signed_in(Role.MEMBER).get("/teams/Payments").text


# --- opening a pulse ----------------------------------------------------------------------------------------------


@pytest.fixture
def bearer(tokens: dict[Role, str]) -> Iterator[dict[Role, dict[str, str]]]:
    yield {role: {"Authorization": f"Bearer {token}"} for role, token in tokens.items()}


def test_an_admin_opens_a_pulse_and_each_link_is_sent_to_its_person_never_returned(
    anonymous: TestClient, bearer: dict[Role, dict[str, str]], engine: Engine, receiver: Receiver
) -> None:
    response = anonymous.post(PULSES, json={"open_working_days": 3}, headers=bearer[Role.ADMIN])
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["pulse"]["open"] is True and body["pulse"]["invited"] == 3
    assert body["pulse"]["answered"] is None
    assert body["sent"] == 3 and body["failed"] == []
    assert "links" not in body and "/pulse/" not in response.text
    assert Counter(message["to"] for message in receiver.received) == {
        "pm1@example.com": 1,
        "em1@example.com": 1,
        "dev1@example.com": 1,
    }
    tokens = []
    for message in receiver.received:
        found = re.findall(r"http://127\.0\.0\.1:8000/pulse/([A-Za-z0-9_-]+)", message["message"])
        assert len(found) == 1, message
        tokens.append(found[0])
    assert len(set(tokens)) == 3  # each person their own link
    with transaction(engine) as session:
        stored = session.scalars(select(PulseInvitation.token_hash)).all()
    for token in tokens:
        assert token not in response.text
        assert token not in stored and not any(token in value for value in stored)
        assert anonymous.get(f"/pulse/{token}").status_code == 200
    listed = anonymous.get(PULSES, headers=bearer[Role.ADMIN]).json()
    assert [p["id"] for p in listed] == [body["pulse"]["id"]]
    assert "links" not in json.dumps(listed) and not any(token in json.dumps(listed) for token in tokens)


def test_opening_a_pulse_without_an_invitation_url_is_refused_and_opens_nothing(
    anonymous: TestClient, bearer: dict[Role, dict[str, str]], settings: Settings, engine: Engine, receiver: Receiver
) -> None:
    settings.trust.invitation_url = None
    response = anonymous.post(PULSES, json={}, headers=bearer[Role.ADMIN])
    assert response.status_code == 409
    assert "invitation_url" in response.text and "/pulse/" not in response.text
    with transaction(engine) as session:
        assert session.scalar(select(func.count()).select_from(Pulse)) == 0
    assert receiver.received == []


@pytest.mark.parametrize(
    ("role", "status"), [(Role.ADMIN, 201), (Role.LEAD, 403), (Role.EXECUTIVE, 403), (Role.MEMBER, 403)]
)
def test_only_an_admin_opens_a_pulse(
    anonymous: TestClient, bearer: dict[Role, dict[str, str]], engine: Engine, role: Role, status: int
) -> None:
    assert anonymous.post(PULSES, json={}, headers=bearer[role]).status_code == status
    with transaction(engine) as session:
        assert session.scalar(select(func.count()).select_from(Pulse)) == (1 if status == 201 else 0)


def test_a_lead_of_another_team_cannot_open_its_pulse(
    anonymous: TestClient, bearer: dict[Role, dict[str, str]]
) -> None:
    assert anonymous.post("/api/v1/teams/Search/pulses", json={}, headers=bearer[Role.LEAD]).status_code == 403


def test_opening_a_pulse_from_the_browser_needs_the_csrf_token(signed_in: Callable[[Role], TestClient]) -> None:
    admin = signed_in(Role.ADMIN)
    assert admin.post(PULSES, json={}).status_code == 403
    assert admin.post(PULSES, json={}, headers={"X-CSRF-Token": csrf(admin)}).status_code == 201


def test_a_bad_pulse_length_is_refused(anonymous: TestClient, bearer: dict[Role, dict[str, str]]) -> None:
    assert anonymous.post(PULSES, json={"open_working_days": 0}, headers=bearer[Role.ADMIN]).status_code == 422
