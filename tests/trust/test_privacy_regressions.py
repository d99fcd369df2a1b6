"""One test per privacy hole found in review of the trust pulses, each failing on the code before the fix:
(a) live figures over an open pulse let two reads a few answers apart isolate one person's answers;
(b) a lead sitting in another team was invited to both teams' pulses; (c) a pulse's answer count rose while it was
open, telling when each person answered; (d) a re-import of a longer file made a second pulse of the same
answers; (e) a superscript digit passed as a score; (f) pulse tokens under a root path, and in the 500-error log
line, were not redacted; (g) web answers wrote a respondent mark whose row order lines up with the answers', and a
second submit of the same link must store nothing."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select, update
from sqlalchemy.orm import Session

from tandem.accounts.models import Role
from tandem.config import Thresholds
from tandem.db import session_factory, transaction, utcnow
from tandem.org.models import Function, Person, Team
from tandem.trust import analysis, service
from tandem.trust.models import (
    Pulse,
    PulseAnswer,
    PulseComment,
    PulseInvitation,
    PulseRespondentMark,
    PulseResponse,
)
from tandem.trust.service import PulseError, PulseImportError
from webfixtures import csrf

API = "/api/v1/teams/Payments/trust"
PULSES = "/api/v1/teams/Payments/pulses"
SCORES = {"respect": 3, "positive_intent": 4, "safety": 4, "reliability": 3, "openness": 4}
CSV_HEADER = "submitted_at,team,function,item,score,respondent\n"
ITEMS = ("respect", "positive_intent", "safety", "reliability", "openness")


def team(session: Session, name: str) -> Team:
    return session.scalars(select(Team).where(Team.name == name)).one()


def scores(i: int) -> dict[str, int]:
    """Respondent i's answers: a mean of 3.6, 3.8 or 4.0."""
    return {**SCORES, "respect": 3 + i % 3}


def close(engine: Engine) -> None:
    with transaction(engine) as session:
        session.execute(update(Pulse).values(closes_at=utcnow() - timedelta(minutes=1)))


def engineering_figures(client: TestClient) -> Any:
    return {d["direction"]: d for d in client.get(API).json()["directions"]}["engineering_to_product"]["figures"]


@pytest.fixture
def engineers(engine: Engine, web_org: None) -> list[str]:
    """Eight more engineers on Payments (ten engineering invitees with em1 and dev1) and an open pulse; their
    tokens."""
    with transaction(engine) as session:
        payments = team(session, "Payments")
        for n in range(2, 10):
            session.add(
                Person(
                    id=f"dev{n}",
                    name=f"Dev {n}",
                    email=f"dev{n}@example.com",
                    function=Function.ENGINEERING,
                    level=4,
                    manager_id="em1",
                    team_id=payments.id,
                    active=True,
                )
            )
        session.flush()
        _pulse, links = service.open_pulse(session, payments, actor_label="test")
        tokens = [link.token for link in links if link.person_id != "pm1"]
    assert len(tokens) == 10
    return tokens


def answer(engine: Engine, tokens: list[str], first: int = 0) -> None:
    for i, token in enumerate(tokens, start=first):
        with transaction(engine) as session:
            service.answer(session, token, scores(i))


# (a) -------------------------------------------------------------------------------------------------------------


def test_no_figure_while_a_pulse_is_open_so_two_reads_cannot_isolate_one_answer(
    app: FastAPI, signed_in: Callable[[Role], TestClient], engineers: list[str], engine: Engine
) -> None:
    member = signed_in(Role.MEMBER)
    answer(engine, engineers[:5])
    assert engineering_figures(member) is None
    assert [p["answered"] for p in member.get(PULSES).json()] == [None]
    answer(engine, engineers[5:6], first=5)
    assert engineering_figures(member) is None  # the sixth answer alone would be 6 x (mean6) - 5 x (mean5)
    assert [p["answered"] for p in member.get(PULSES).json()] == [None]
    close(engine)
    app.state.walk_cache = None  # closing does not change the walk's key; the cache may be a minute behind
    figures = engineering_figures(member)
    assert figures is not None
    assert figures["respondents"] == 6
    assert figures["trust_index"] == pytest.approx(3.8)  # means 3.6, 3.8, 4.0, 3.6, 3.8, 4.0: all six at once


# (b) -------------------------------------------------------------------------------------------------------------


def test_a_person_who_leads_two_teams_is_invited_only_to_their_own_teams_pulse(engine: Engine, web_org: None) -> None:
    with transaction(engine) as session:
        search = team(session, "Search")
        search.product_lead_id = "pm1"  # pm1 sits in Payments and now leads Search's product side too
        session.flush()
        _, search_links = service.open_pulse(session, search, actor_label="test")
        _, payments_links = service.open_pulse(session, team(session, "Payments"), actor_label="test")
    assert sorted(link.person_id for link in search_links) == ["em2", "pm2"]
    assert sorted(link.person_id for link in payments_links) == ["dev1", "em1", "pm1"]
    with transaction(engine) as session:
        assert session.scalar(select(func.count()).where(PulseInvitation.person_id == "pm1")) == 1


# (c) -------------------------------------------------------------------------------------------------------------


def test_a_pulses_answer_count_is_null_while_it_is_open(
    app: FastAPI, signed_in: Callable[[Role], TestClient], engineers: list[str], engine: Engine
) -> None:
    answer(engine, engineers[:5])
    admin = signed_in(Role.ADMIN)
    listed = admin.get(PULSES).json()
    assert [(p["open"], p["invited"], p["answered"]) for p in listed] == [(True, 11, None)]
    thresholds = service.trust_thresholds(Thresholds())
    with transaction(engine) as session:
        pulse = session.scalars(select(Pulse)).one()
        assert service.response_counts(session, pulse, thresholds) == (11, None)
    close(engine)
    with transaction(engine) as session:
        pulse = session.scalars(select(Pulse)).one()
        assert service.response_counts(session, pulse, thresholds) == (11, 5)
    app.state.walk_cache = None
    assert [p["answered"] for p in admin.get(PULSES).json()] == [5]


# (d) -------------------------------------------------------------------------------------------------------------


def answers_csv(respondents: int) -> bytes:
    rows = "".join(
        f"2026-11-02T10:00:00Z,Payments,engineering,{item},{3 + n % 3 if item == 'respect' else 4},r{n}\n"
        for n in range(respondents)
        for item in ITEMS
    )
    return (CSV_HEADER + rows).encode()


def test_a_reimport_with_one_more_respondent_adds_one_response_to_the_same_pulse(engine: Engine, org: None) -> None:
    with transaction(engine) as session:
        first = service.import_answers(session, answers_csv(5), name="a.csv", actor_label="t")
    assert (first.pulses_created, first.responses) == (1, 5)
    with transaction(engine) as session:
        again = service.import_answers(session, answers_csv(6), name="b.csv", actor_label="t")
    assert (again.pulses_created, again.pulses_already_imported) == (0, 1)
    assert (again.responses, again.responses_already_imported, again.answers) == (1, 5, 5)
    with transaction(engine) as session:
        assert session.scalar(select(func.count()).select_from(Pulse)) == 1
        assert session.scalar(select(func.count()).select_from(PulseResponse)) == 6
        assert session.scalar(select(func.count()).select_from(PulseRespondentMark)) == 6
        facts = service.load_trust_facts(session)
    assert len({response.pulse_id for response in facts.responses}) == 1
    figures = analysis.trust_metrics(facts, service.trust_thresholds(Thresholds()))["Payments"]
    assert figures["engineering_to_product"]["respondents"] == 6
    assert figures["engineering_to_product"].get("trend") is None  # one pulse, not two of the same answers


# (e) -------------------------------------------------------------------------------------------------------------


def test_a_superscript_digit_score_is_refused_naming_its_line(engine: Engine, org: None) -> None:
    bad = answers_csv(1) + "2026-11-02T10:00:00Z,Payments,engineering,respect,\u00b2,x\n".encode()
    with transaction(engine) as session, pytest.raises(PulseImportError) as refused:
        service.import_answers(session, bad, name="sup.csv", actor_label="t")
    assert any(problem.startswith("sup.csv:7: score '\u00b2'") for problem in refused.value.problems)
    with transaction(engine) as session:
        assert session.scalar(select(func.count()).select_from(Pulse)) == 0


# (f) -------------------------------------------------------------------------------------------------------------


def test_a_pulse_token_under_a_root_path_is_redacted() -> None:
    from tandem.web.security import redacted_path  # imported here: before the fix there was no such function

    redacted = redacted_path("/root/pulse/s3cr3t-T0ken?x=1")
    assert "s3cr3t-T0ken" not in redacted
    assert redacted == "/root/pulse/[redacted]?x=1"
    assert redacted_path("/pulse/s3cr3t-T0ken") == "/pulse/[redacted]"
    assert redacted_path("/root/pulse/thanks") == "/root/pulse/thanks"


def test_the_500_error_log_line_never_prints_a_pulse_token(
    app: FastAPI, web_org: None, caplog: pytest.LogCaptureFixture
) -> None:
    def boom(token: str) -> None:
        raise RuntimeError("boom")

    app.add_api_route("/root/pulse/{token}", boom, methods=["GET"])
    caplog.set_level(logging.ERROR)
    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get("/root/pulse/s3cr3t-T0ken?x=1")
    assert response.status_code == 500
    assert "s3cr3t-T0ken" not in response.text
    logged = [record for record in caplog.records if "unhandled error" in record.getMessage()]
    assert len(logged) == 1
    assert "/root/pulse/[redacted]" in logged[0].getMessage()
    assert "s3cr3t-T0ken" not in caplog.text


# (g) -------------------------------------------------------------------------------------------------------------


def stored(engine: Engine) -> tuple[int, int, int, int]:
    with transaction(engine) as session:
        return (
            session.scalar(select(func.count()).select_from(PulseResponse)) or 0,
            session.scalar(select(func.count()).select_from(PulseAnswer)) or 0,
            session.scalar(select(func.count()).select_from(PulseComment)) or 0,
            session.scalar(select(func.count()).select_from(PulseRespondentMark)) or 0,
        )


def test_a_second_submit_of_a_used_link_is_refused_and_stores_nothing(
    anonymous: TestClient, engineers: list[str], engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = engineers[0]
    form = {**{f"item_{item}": str(value) for item, value in SCORES.items()}, "comment": "first"}
    # A second submit that read the link as unused before the first one committed (a double click, two tabs).
    with session_factory(engine)() as racing:
        stale = service.invitation_for(racing, token)
        racing.expunge_all()
        racing.rollback()
    sent = anonymous.post(f"/pulse/{token}", data={**form, "csrf_token": csrf(anonymous)}, follow_redirects=False)
    assert sent.status_code == 303
    assert stored(engine) == (1, 5, 1, 0)  # no respondent mark: its row order would line up with the answers'
    again = anonymous.post(f"/pulse/{token}", data={**form, "comment": "second", "csrf_token": csrf(anonymous)})
    assert again.status_code == 404
    monkeypatch.setattr(service, "invitation_for", lambda session, token, now=None: stale)
    with pytest.raises(PulseError), transaction(engine) as session:
        service.answer(session, token, scores(1), comment="racing")
    assert stored(engine) == (1, 5, 1, 0)
