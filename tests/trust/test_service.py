"""Pulses on real databases: links, anonymous answers, one answer per person, imports, and facts for the walk."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, func, inspect, select
from sqlalchemy.orm import Session

from tandem.audit.models import AuditEvent
from tandem.config import Thresholds
from tandem.db import transaction
from tandem.org.models import Function, Person, Team
from tandem.trust import analysis, service
from tandem.trust.instrument import Direction, Item
from tandem.trust.models import Pulse, PulseAnswer, PulseInvitation, PulseResponse, PulseSchedule
from tandem.trust.service import PulseError, PulseImportError

MONDAY = datetime(2026, 11, 23, 9, tzinfo=UTC)
ALL_SEVEN = dict.fromkeys(("respect", "positive_intent", "safety", "reliability", "openness"), 7)


def payments(session: Session) -> Team:
    return session.scalars(select(Team).where(Team.name == "Payments")).one()


def opened(engine: Engine) -> dict[str, str]:
    """A Payments pulse opened on Monday; person id -> their token."""
    with transaction(engine) as session:
        _, links = service.open_pulse(session, payments(session), actor_label="test", now=MONDAY)
        return {link.person_id: link.token for link in links}


def test_the_teams_product_and_engineering_people_are_invited_in_their_direction(engine: Engine, org: None) -> None:
    tokens = opened(engine)
    assert sorted(tokens) == ["dev1", "em1", "pm1"]
    with transaction(engine) as session:
        directions = dict(session.execute(select(PulseInvitation.person_id, PulseInvitation.direction)).all())
    assert directions == {
        "pm1": "product_to_engineering",
        "em1": "engineering_to_product",
        "dev1": "engineering_to_product",
    }


def test_tokens_are_stored_only_as_hashes(engine: Engine, org: None) -> None:
    tokens = opened(engine)
    with transaction(engine) as session:
        stored = set(session.scalars(select(PulseInvitation.token_hash)))
    assert not stored & set(tokens.values())


def test_an_answer_is_stored_with_no_way_back_to_the_person(engine: Engine, org: None) -> None:
    tokens = opened(engine)
    with transaction(engine) as session:
        service.answer(session, tokens["pm1"], ALL_SEVEN, comment="Good sprint", now=MONDAY + timedelta(hours=1))
    with transaction(engine) as session:
        response = session.scalars(select(PulseResponse)).one()
        assert (response.direction, response.submitted_on) == ("product_to_engineering", MONDAY.date())
        columns = {c["name"] for c in inspect(session.get_bind()).get_columns("pulse_responses")}
        assert columns == {"id", "pulse_id", "direction", "submitted_on"}
        assert session.scalar(select(func.count()).select_from(PulseAnswer)) == 5
        assert session.scalars(select(PulseInvitation.used).where(PulseInvitation.person_id == "pm1")).one()


def test_a_link_works_once(engine: Engine, org: None) -> None:
    tokens = opened(engine)
    with transaction(engine) as session:
        service.answer(session, tokens["em1"], ALL_SEVEN, now=MONDAY)
    with transaction(engine) as session, pytest.raises(PulseError, match="has been used, has expired"):
        service.answer(session, tokens["em1"], ALL_SEVEN, now=MONDAY)


def test_a_reissued_link_replaces_the_old_one(engine: Engine, org: None) -> None:
    tokens = opened(engine)
    with transaction(engine) as session:
        pulse = session.get_one(Pulse, session.scalars(select(PulseInvitation.pulse_id)).first())
        [link] = [link for link in service.reissue_links(session, pulse) if link.person_id == "em1"]
    with transaction(engine) as session, pytest.raises(PulseError, match="has been used, has expired"):
        service.answer(session, tokens["em1"], ALL_SEVEN, now=MONDAY)
    with transaction(engine) as session:
        service.answer(session, link.token, ALL_SEVEN, now=MONDAY)
    with transaction(engine) as session, pytest.raises(PulseError):
        service.answer(session, link.token, ALL_SEVEN, now=MONDAY)


def test_a_lead_who_sits_in_another_team_is_not_invited_twice(engine: Engine, org: None) -> None:
    with transaction(engine) as session:
        session.get_one(Person, "em1").team_id = None  # em1 still leads Payments but belongs to no team
    assert sorted(opened(engine)) == ["dev1", "pm1"]


def test_an_open_pulse_gives_no_figures_and_no_answered_count(engine: Engine, org: None) -> None:
    with transaction(engine) as session:
        for n in range(5):
            session.add(Person(id=f"eng{n}", name=f"E{n}", email=f"eng{n}@example.com", function=Function.ENGINEERING,
                               level=4, manager_id="em1", team_id=payments(session).id))  # fmt: skip
    tokens = opened(engine)
    with transaction(engine) as session:
        for person in ("em1", "dev1", "eng0", "eng1", "eng2", "eng3"):
            service.answer(session, tokens[person], ALL_SEVEN, now=MONDAY)
    thresholds = service.trust_thresholds(Thresholds())
    with transaction(engine) as session:
        assert analysis.trust_metrics(service.load_trust_facts(session, MONDAY + timedelta(days=1)), thresholds) == {}
        pulse = session.get_one(Pulse, session.scalars(select(PulseInvitation.pulse_id)).first())
        assert service.response_counts(session, pulse, thresholds)[1] is None
        closed = service.load_trust_facts(session, pulse.closes_at)
        assert analysis.trust_metrics(closed, thresholds)["Payments"]["engineering_to_product"]["respondents"] == 6


def test_an_expired_pulse_refuses_answers(engine: Engine, org: None) -> None:
    tokens = opened(engine)
    with transaction(engine) as session, pytest.raises(PulseError):
        service.answer(session, tokens["pm1"], ALL_SEVEN, now=MONDAY + timedelta(days=14))


@pytest.mark.parametrize(
    "answers",
    [{**ALL_SEVEN, "respect": 8}, {k: v for k, v in ALL_SEVEN.items() if k != "safety"}, {**ALL_SEVEN, "extra": 3}],
)
def test_incomplete_or_out_of_scale_answers_are_refused_and_nothing_is_kept(
    engine: Engine, org: None, answers: dict[str, int]
) -> None:
    tokens = opened(engine)
    with transaction(engine) as session, pytest.raises(PulseError):
        service.answer(session, tokens["pm1"], answers, now=MONDAY)
    with transaction(engine) as session:
        assert session.scalar(select(func.count()).select_from(PulseResponse)) == 0


def test_a_custom_item_makes_a_new_version_used_by_later_pulses(engine: Engine, org: None) -> None:
    item = Item(
        "workload",
        "affective",
        {Direction.PRODUCT_TO_ENGINEERING: "They are overloaded.", Direction.ENGINEERING_TO_PRODUCT: "They are."},
        reverse=True,
    )
    with transaction(engine) as session:
        assert service.add_custom_item(session, item, actor_label="admin").version == 2
    tokens = opened(engine)
    with transaction(engine) as session:
        assert "workload" in service.invitation_for(session, tokens["pm1"], now=MONDAY).instrument.item_ids


def test_a_schedule_opens_due_pulses_and_moves_on(engine: Engine, org: None) -> None:
    with transaction(engine) as session:
        service.schedule(session, payments(session), every_working_days=10, first_at=MONDAY, actor_label="t")
    with transaction(engine) as session:
        assert len(service.open_due_pulses(session, now=MONDAY + timedelta(hours=1))) == 1
        assert service.open_due_pulses(session, now=MONDAY + timedelta(hours=2)) == []
        assert session.get_one(PulseSchedule, payments(session).id).next_at == MONDAY + timedelta(days=14)


CSV_HEADER = "submitted_at,team,function,item,score,respondent\n"


def answers_csv(respondents: int, *, score: int = 6, day: str = "2026-11-02", function: str = "engineering") -> str:
    items = ("respect", "positive_intent", "safety", "reliability", "openness")
    return "".join(
        f"{day}T10:00:00Z,Payments,{function},{item},{score},r{n}\n" for n in range(respondents) for item in items
    )


def test_import_groups_answers_into_responses_and_is_idempotent(engine: Engine, org: None) -> None:
    data = (CSV_HEADER + answers_csv(6)).encode()
    with transaction(engine) as session:
        report = service.import_answers(session, data, name="a.csv", actor_label="t")
        assert (report.pulses_created, report.responses, report.answers) == (1, 6, 30)
    with transaction(engine) as session:
        again = service.import_answers(session, data, name="a.csv", actor_label="t")
        assert (again.pulses_created, again.pulses_already_imported, again.responses) == (0, 1, 0)
        assert again.responses_already_imported == 6
        assert session.scalar(select(func.count()).select_from(PulseResponse)) == 6


def test_a_longer_file_adds_only_its_new_respondents_to_the_same_pulse(engine: Engine, org: None) -> None:
    with transaction(engine) as session:
        service.import_answers(session, (CSV_HEADER + answers_csv(5)).encode(), name="a.csv", actor_label="t")
    with transaction(engine) as session:
        report = service.import_answers(session, (CSV_HEADER + answers_csv(6)).encode(), name="b.csv", actor_label="t")
        assert (report.pulses_created, report.responses, report.responses_already_imported) == (0, 1, 5)
        assert session.scalar(select(func.count()).select_from(Pulse)) == 1
        assert session.scalar(select(func.count()).select_from(PulseResponse)) == 6


def test_a_superscript_digit_is_not_a_score(engine: Engine, org: None) -> None:
    bad = CSV_HEADER + "2026-11-02T10:00:00Z,Payments,engineering,respect,\u00b2,x\n"
    with transaction(engine) as session, pytest.raises(PulseImportError) as refused:
        service.import_answers(session, bad.encode(), name="sup.csv", actor_label="t")
    assert refused.value.problems[0].startswith("sup.csv:2: score")


def test_import_reports_every_bad_line_and_writes_nothing(engine: Engine, org: None) -> None:
    bad = (
        CSV_HEADER
        + answers_csv(1)
        + "yesterday,Payments,engineering,respect,6,x\n"
        + "2026-11-02,Nope,product,respect,9,y\n"
    )
    with transaction(engine) as session, pytest.raises(PulseImportError) as refused:
        service.import_answers(session, bad.encode(), name="bad.csv", actor_label="t")
    assert refused.value.problems[0].startswith("bad.csv:7: submitted_at 'yesterday'")
    assert any(p.startswith("bad.csv:8: no team is called 'Nope'") for p in refused.value.problems)
    assert any("score '9'" in p for p in refused.value.problems)
    with transaction(engine) as session:
        assert session.scalar(select(func.count()).select_from(PulseResponse)) == 0


def test_respondents_are_never_stored(engine: Engine, org: None) -> None:
    with transaction(engine) as session:
        service.import_answers(session, (CSV_HEADER + answers_csv(5)).encode(), name="a.csv", actor_label="t")
    with transaction(engine) as session:
        dump = " ".join(
            str(value) for table in ("pulse_responses", "pulse_answers", "pulse_respondent_marks") for row in
            session.execute(select(PulseResponse.__table__.metadata.tables[table])) for value in row
        )  # fmt: skip
    assert not any(f"r{n}" == word for n in range(5) for word in dump.split())


def test_facts_and_metrics_release_a_team_of_five_and_not_of_four(engine: Engine, org: None) -> None:
    thresholds = service.trust_thresholds(Thresholds())
    with transaction(engine) as session:
        service.import_answers(session, (CSV_HEADER + answers_csv(4)).encode(), name="four.csv", actor_label="t")
        assert analysis.trust_metrics(service.load_trust_facts(session), thresholds) == {}
    with transaction(engine) as session:
        five = CSV_HEADER + answers_csv(5, day="2026-11-16")
        service.import_answers(session, five.encode(), name="five.csv", actor_label="t")
        figures = analysis.trust_metrics(service.load_trust_facts(session), thresholds)
    assert figures["Payments"]["engineering_to_product"]["respondents"] == 5
    assert figures["Payments"]["engineering_to_product"]["trust_index"] == 6.0


def test_opening_scheduling_and_importing_are_audited_and_answers_are_not(engine: Engine, org: None) -> None:
    tokens = opened(engine)
    with transaction(engine) as session:
        service.answer(session, tokens["pm1"], ALL_SEVEN, now=MONDAY)
        service.schedule(session, payments(session), every_working_days=10, actor_label="admin")
        service.import_answers(session, (CSV_HEADER + answers_csv(5)).encode(), name="a.csv", actor_label="admin")
    with transaction(engine) as session:
        actions = list(session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))
    assert [a for a in actions if a.startswith("pulse.")] == ["pulse.open", "pulse.schedule", "pulse.import"]


def test_a_configured_key_keys_the_marks(engine: Engine, org: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TANDEM_PULSE_KEY", "ab" * 32)
    with transaction(engine) as session:
        configured = service.respondent_mark(session, 1, "r1")
    monkeypatch.delenv("TANDEM_PULSE_KEY")
    with transaction(engine) as session:
        assert service.respondent_mark(session, 1, "r1") != configured
    monkeypatch.setenv("TANDEM_PULSE_KEY", "not-hex")
    with transaction(engine) as session, pytest.raises(PulseError, match="64 hexadecimal"):
        service.respondent_mark(session, 1, "r1")
