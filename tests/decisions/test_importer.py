"""Importing a decision log on real databases: states and history, every problem located, all or nothing,
re-imports that change nothing, and dry runs."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from conftest import database_fingerprint
from factories import load_org, small_org, small_teams
from tandem.db import transaction
from tandem.decisions.facts import DecisionState, Factor, Stance
from tandem.decisions.importer import DecisionImportReport, import_decision_log
from tandem.decisions.models import Decision, DecisionEvent
from tandem.decisions.service import load_facts, preferred_option
from tandem.org.importer import ImportRejectedError, Problem

S = DecisionState
A, B = "Ship the new checkout", "Keep the old checkout"


def at(day: int, hour: int = 9) -> str:
    return f"2025-03-{day:02d}T{hour:02d}:00:00Z"


def when(day: int, hour: int = 9) -> datetime:
    return datetime(2025, 3, day, hour, tzinfo=UTC)


def decision(title: str, **fields: Any) -> dict[str, Any]:
    record: dict[str, Any] = {
        "team": "Payments",
        "title": title,
        "opened_at": at(3),
        "decide_by": at(14),
        "options": [A, B],
    }
    record.update(fields)
    return record


def sign(by: str, day: int, option: str, stance: object = "agree") -> dict[str, Any]:
    return {"by": by, "at": at(day), "option": option, "stance": stance}


def good_log() -> list[dict[str, Any]]:
    """One decision in each state; people named by id, e-mail (any case) and alias (any case)."""
    return [
        decision(
            "Agreed",
            scores=[
                {"by": "PM1@Example.COM", "option": A, "factor": "user_experience", "score": 2, "rationale": "Faster"},
                {"by": "pm1", "option": B, "factor": "user_experience", "score": -1},
                {"by": "EmOne", "option": A, "factor": "system_robustness", "score": 1},
                {"by": "em1", "option": B, "factor": "system_robustness", "score": 2},
            ],
            signoffs=[sign("pm1", 5, A), sign("em1", 6, A)],
        ),
        decision("Contested", signoffs=[sign("pm1", 4, A), sign("em1@example.com", 5, B)]),
        decision(
            "Escalated",
            preferences=[{"by": "557058:AA", "option": A}, {"by": "emone", "option": B}],
            escalated_at=at(14, 17),
        ),
        decision(
            "Decided",
            signoffs=[sign("pm1", 4, A), sign("em1", 6, B)],
            escalated_at=at(10),
            decided_at=at(11),
            decided_by="GM@example.com",
            chosen_option=B,
            rationale="Robustness first this quarter",
        ),
        decision(
            "Closed",
            signoffs=[sign("pm1", 4, B, "disagree_and_commit"), sign("em1", 4, B)],
            closed_at=at(20),
        ),
        decision(
            "Open",
            opened_at="2025-03-03T10:00:00+01:00",
            scores=[{"by": "pm1", "option": A, "factor": "team_morale", "score": 0}],
            colour="blue",
        ),
    ]


def encode(records: list[Any]) -> bytes:
    return json.dumps(records, indent=2).encode()


def starts(data: bytes) -> list[int]:
    """The line each top-level element starts on, for json.dumps(indent=2) output."""
    lines = enumerate(data.decode().split("\n"), start=1)
    return [number for number, line in lines if line.startswith("  ") and line[2] not in " }"]


def run(engine: Engine, data: bytes, *, name: str = "log.json", dry_run: bool = False) -> DecisionImportReport:
    with transaction(engine) as session:
        return import_decision_log(session, data=data, name=name, actor="cli:tester", dry_run=dry_run)


def rejected(engine: Engine, data: bytes) -> list[Problem]:
    before = database_fingerprint(engine)
    with pytest.raises(ImportRejectedError) as caught:
        run(engine, data)
    assert database_fingerprint(engine) == before
    return caught.value.problems


def by_title(session: Session) -> dict[str, Decision]:
    return {d.title: d for d in session.scalars(select(Decision))}


@pytest.mark.usefixtures("org")
def test_a_good_log_creates_decisions_in_each_state(engine: Engine, session: Session) -> None:
    report = run(engine, encode(good_log()))
    assert (report.created, report.unchanged) == (6, 0)
    line = starts(encode(good_log()))[5]
    assert report.warnings == [Problem("log.json", line, 1, "[5].colour: unknown key is ignored")]
    decisions = by_title(session)
    assert {title: d.state for title, d in decisions.items()} == {
        "Agreed": S.AGREED,
        "Contested": S.CONTESTED,
        "Escalated": S.ESCALATED,
        "Decided": S.DECIDED,
        "Closed": S.CLOSED,
        "Open": S.OPEN,
    }
    agreed = decisions["Agreed"]
    assert (agreed.resolved_at, agreed.chosen_option, agreed.contested_at) == (when(6), A, None)
    assert (agreed.created_by, agreed.created_at, agreed.opened_at, agreed.decide_by) == (
        "cli:tester",
        when(3),
        when(3),
        when(14),
    )
    assert agreed.import_key is not None and len(agreed.import_key) == 64
    assert agreed.version == 1
    assert sorted((s.person_id, s.option, s.factor, s.score) for s in agreed.scores) == sorted(
        [
            ("pm1", A, Factor.USER_EXPERIENCE, 2),
            ("pm1", B, Factor.USER_EXPERIENCE, -1),
            ("em1", A, Factor.SYSTEM_ROBUSTNESS, 1),
            ("em1", B, Factor.SYSTEM_ROBUSTNESS, 2),
        ]
    )
    assert next(s.rationale for s in agreed.scores if s.score == 2 and s.person_id == "pm1") == "Faster"
    assert all(s.scored_at == when(3) for s in agreed.scores)
    assert sorted((s.person_id, s.option, s.stance, s.signed_at) for s in agreed.signoffs) == [
        ("em1", A, Stance.AGREE, when(6)),
        ("pm1", A, Stance.AGREE, when(5)),
    ]
    contested = decisions["Contested"]
    assert (contested.contested_at, contested.resolved_at, contested.chosen_option) == (when(5), None, None)
    escalated = decisions["Escalated"]
    assert (escalated.escalated_at, escalated.escalation_reason) == (when(14, 17), "imported")
    assert escalated.stated_preferences == {"pm1": A, "em1": B}
    assert (preferred_option(escalated, "pm1"), preferred_option(escalated, "em1")) == (A, B)
    decided = decisions["Decided"]
    assert (decided.decided_by_id, decided.chosen_option, decided.resolved_at) == ("gm", B, when(11))
    assert (decided.contested_at, decided.escalated_at) == (when(6), when(10))
    assert decided.rationale == "Robustness first this quarter"
    closed = decisions["Closed"]
    assert (closed.closed_at, closed.resolved_at, closed.chosen_option) == (when(20), when(4), B)
    opened = decisions["Open"]
    assert opened.opened_at == when(3)  # 10:00+01:00
    assert decisions["Agreed"].stated_preferences == {}
    assert preferred_option(opened, "pm1") == A  # no sign-off or stated preference: the highest-scored option
    facts = {f.title: f for f in load_facts(session)}
    assert facts["Decided"].decided_by_function == "manager"
    assert facts["Decided"].contested
    assert facts["Agreed"].decided_by_function == "joint"


@pytest.mark.usefixtures("org")
def test_each_decision_gets_its_history_in_time_order(engine: Engine, session: Session) -> None:
    before = datetime.now(UTC)
    run(engine, encode(good_log()))
    decisions = by_title(session)

    def history(title: str) -> list[tuple[str, str, S]]:
        return [(e.kind, e.actor, e.state) for e in decisions[title].events]

    for item in decisions.values():
        times = [event.at for event in item.events]
        assert times == sorted(times)
        assert item.events[-1].kind == "imported"
        assert item.events[-1].data == {"file": "log.json"}
        assert item.events[-1].at >= before
        assert item.events[-1].state == item.state
    assert history("Agreed") == [
        ("created", "cli:tester", S.DRAFT),
        ("opened", "cli:tester", S.OPEN),
        ("scored", "person:pm1", S.OPEN),
        ("scored", "person:pm1", S.OPEN),
        ("scored", "person:em1", S.OPEN),
        ("scored", "person:em1", S.OPEN),
        ("signed", "person:pm1", S.OPEN),
        ("signed", "person:em1", S.AGREED),
        ("imported", "cli:tester", S.AGREED),
    ]
    assert history("Decided") == [
        ("created", "cli:tester", S.DRAFT),
        ("opened", "cli:tester", S.OPEN),
        ("signed", "person:pm1", S.OPEN),
        ("signed", "person:em1", S.CONTESTED),
        ("escalated", "cli:tester", S.ESCALATED),
        ("decided", "person:gm", S.DECIDED),
        ("imported", "cli:tester", S.DECIDED),
    ]
    assert [(e.kind, e.state) for e in decisions["Closed"].events][-3:] == [
        ("signed", S.AGREED),
        ("closed", S.CLOSED),
        ("imported", S.CLOSED),
    ]
    events = decisions["Decided"].events
    assert [e.at for e in events[:-1]] == [when(3), when(3), when(4), when(6), when(10), when(11)]
    assert events[3].data == {"option": B, "stance": "agree"}
    assert events[5].data == {"option": B}
    assert events[4].data == {"reason": "imported"}
    assert decisions["Agreed"].events[2].data == {"option": A, "factor": "user_experience", "score": 2}


@pytest.mark.usefixtures("org")
def test_decided_at_without_decided_by_counts_as_agreed(engine: Engine, session: Session) -> None:
    """decided_at without decided_by is when both leads signed the same option."""
    signoffs = [sign("em1", 6, B), sign("pm1", 7, B, "disagree_and_commit")]
    run(engine, encode([decision("By the leads", signoffs=signoffs, decided_at=at(7), chosen_option=B)]))
    (item,) = by_title(session).values()
    assert (item.state, item.resolved_at, item.chosen_option, item.decided_by_id) == (S.AGREED, when(7), B, None)
    assert [(e.kind, e.actor, e.state) for e in item.events][-2:] == [
        ("decided", "cli:tester", S.AGREED),
        ("imported", "cli:tester", S.AGREED),
    ]


@pytest.mark.usefixtures("org")
def test_reimporting_the_same_file_changes_nothing(engine: Engine, session: Session) -> None:
    data = encode(good_log())
    run(engine, data)
    before = database_fingerprint(engine)
    report = run(engine, data)
    assert (report.created, report.unchanged) == (0, 6)
    assert database_fingerprint(engine) == before


@pytest.mark.usefixtures("org")
def test_reimporting_after_the_org_changed_changes_nothing(engine: Engine) -> None:
    """Decisions already imported are not checked against today's leads and manager: pm1 left, the CPO leads
    product now and the CTO is the accountable manager. New decisions are."""
    data = encode(good_log())
    run(engine, data)
    teams = small_teams()
    teams[0].update(product_lead="cpo", accountable_manager="cto")
    load_org(engine, [row for row in small_org() if row["id"] != "pm1"], teams)
    before = database_fingerprint(engine)
    for dry_run in (True, False):
        report = run(engine, data, dry_run=dry_run)
        assert (report.created, report.unchanged) == (0, 6)
    assert database_fingerprint(engine) == before
    # A new decision is checked against today's org; one already imported is still checked on its own.
    new = decision("New one", opened_at=at(12), signoffs=[sign("pm1", 12, A)])
    known = {**good_log()[3], "decide_by": "soon", "signoffs": [sign("pm1", 4, A), sign("em1", 12, B)]}
    data = encode([new, *good_log()[:3], known])
    lines = starts(data)
    assert [(p.line, p.message) for p in rejected(engine, data)] == [
        (lines[0], "[0].signoffs[0].by: 'pm1' is not one of team Payments's leads (cpo, em1)"),
        (lines[4], "[4].decide_by: 'soon' is not an ISO 8601 time (like 2025-03-14T09:30:00Z)"),
        (lines[4], f"[4].signoffs[1].at: '{at(12)}' is after escalated_at: an escalated decision takes no sign-off"),
    ]


@pytest.mark.usefixtures("org")
def test_a_lead_never_decides(engine: Engine) -> None:
    """With no accountable manager (the CEO leads engineering: pm1 and the CEO have no common manager)."""
    teams = small_teams()
    teams[0].update(engineering_lead="ceo")
    load_org(engine, small_org(), teams)
    record = decision("Imposed", signoffs=[sign("pm1", 4, A), sign("ceo", 5, B)], decided_at=at(6), decided_by="ceo")
    assert [p.message for p in rejected(engine, encode([{**record, "chosen_option": B}]))] == [
        "[0].decided_by: 'ceo' is one of team Payments's leads; only the accountable manager decides, never a lead",
        "[0].decided_by: requires escalated_at: only the accountable manager decides, and only an escalated decision",
    ]


@pytest.mark.usefixtures("org")
def test_a_missing_stance_means_agree(engine: Engine, session: Session) -> None:
    absent = {"by": "pm1", "at": at(4), "option": A}
    run(engine, encode([decision("No stance", signoffs=[absent, {**absent, "by": "em1", "stance": None}])]))
    (item,) = by_title(session).values()
    assert item.state == S.AGREED
    assert [s.stance for s in item.signoffs] == [Stance.AGREE, Stance.AGREE]


@pytest.mark.usefixtures("org")
def test_a_grown_log_adds_only_its_new_decisions(engine: Engine, session: Session) -> None:
    run(engine, encode(good_log()))
    first_events = {e.id: (e.decision_id, e.kind) for e in session.scalars(select(DecisionEvent))}
    # The same decision spelled differently (team case, opened_at in another zone) is the same decision.
    same = decision("Agreed", team="PAYMENTS", opened_at="2025-03-03T10:00:00+01:00")
    report = run(engine, encode([same, *good_log()[1:], decision("New one", opened_at=at(12))]))
    assert (report.created, report.unchanged) == (1, 6)
    session.expire_all()
    assert len(by_title(session)) == 7
    later_events = {e.id: (e.decision_id, e.kind) for e in session.scalars(select(DecisionEvent))}
    assert {k: v for k, v in later_events.items() if k in first_events} == first_events


@pytest.mark.usefixtures("org")
def test_a_dry_run_counts_and_writes_nothing(engine: Engine) -> None:
    before = database_fingerprint(engine)
    report = run(engine, encode(good_log()), dry_run=True)
    assert (report.created, report.unchanged) == (6, 0)
    assert len(report.warnings) == 1
    assert database_fingerprint(engine) == before
    run(engine, encode(good_log()[:2]))
    before = database_fingerprint(engine)
    report = run(engine, encode(good_log()), dry_run=True)
    assert (report.created, report.unchanged) == (4, 2)
    assert database_fingerprint(engine) == before


def bad_log() -> tuple[list[Any], list[tuple[int, str]]]:
    """A log with a good first record and one (or a few) problems in every other: (records, expected
    (record index, message) pairs, every message exact)."""
    records: list[Any] = [decision("Good")]
    expected: list[tuple[int, str]] = []

    def add(record: Any, *messages: str) -> None:
        expected.extend((len(records), f"[{len(records)}]{message}") for message in messages)
        records.append(record)

    factors = "user_experience, product_clarity, system_robustness, future_maintainability, team_morale"
    add({"title": "No team", "opened_at": at(3), "decide_by": at(14), "options": [A, B]}, ".team: is required")
    add(decision("Unknown team", team="Lending"), ".team: unknown team 'Lending'")
    add(
        decision("One option", options=[A, f" {A} "]),
        ".options: a decision needs at least two different options",
    )
    add(
        decision("Unknown people", scores=[{"by": "nobody", "option": A, "factor": "team_morale", "score": 1}]),
        ".scores[0].by: unknown person 'nobody' (not the id, e-mail or alias of anyone in the org)",
    )
    add(
        decision(
            "Not a lead",
            scores=[{"by": "dev1@example.com", "option": A, "factor": "team_morale", "score": 1}],
            signoffs=[sign("gm", 4, A)],
            preferences=[{"by": "ceo", "option": A}],
        ),
        ".scores[0].by: 'dev1' is not one of team Payments's leads (pm1, em1)",
        ".signoffs[0].by: 'gm' is not one of team Payments's leads (pm1, em1)",
        ".preferences[0].by: 'ceo' is not one of team Payments's leads (pm1, em1)",
    )
    add(
        decision(
            "Not an option",
            signoffs=[sign("pm1", 4, "C")],
            scores=[{"by": "em1", "option": "D", "factor": "team_morale", "score": 1}],
        ),
        f".signoffs[0].option: 'C' is not one of this decision's options: {A}, {B}",
        f".scores[0].option: 'D' is not one of this decision's options: {A}, {B}",
    )
    add(
        decision("Bad factor", scores=[{"by": "pm1", "option": A, "factor": "ux", "score": 1}]),
        f".scores[0].factor: 'ux' is not one of {factors}",
    )
    add(
        decision(
            "Bad scores",
            scores=[
                {"by": "pm1", "option": A, "factor": "team_morale", "score": 3},
                {"by": "pm1", "option": B, "factor": "team_morale", "score": 1.5},
                {"by": "em1", "option": A, "factor": "team_morale", "score": True},
                {"by": "em1", "option": B, "factor": "team_morale", "score": "2"},
            ],
        ),
        ".scores[0].score: '3' is not a whole number from -2 to 2",
        ".scores[1].score: '1.5' is not a whole number from -2 to 2",
        ".scores[2].score: 'true' is not a whole number from -2 to 2",
        ".scores[3].score: '2' is not a whole number from -2 to 2",
    )
    add(
        decision("Bad stance", signoffs=[sign("pm1", 4, A, "maybe")]),
        ".signoffs[0].stance: 'maybe' is not one of agree, disagree_and_commit",
    )
    add(
        decision("Naive time", opened_at="2025-03-03T09:00:00", decide_by="next friday"),
        ".opened_at: '2025-03-03T09:00:00' has no time zone; end it with Z or an offset such as +01:00",
        ".decide_by: 'next friday' is not an ISO 8601 time (like 2025-03-14T09:30:00Z)",
    )
    add(
        decision(
            "Out of order",
            opened_at=at(10),
            decide_by=at(9),
            escalated_at=at(8),
            decided_at=at(7),
            decided_by="gm",
            chosen_option=A,
            signoffs=[sign("pm1", 6, A)],
        ),
        f".decide_by: '{at(9)}' is before opened_at",
        f".escalated_at: '{at(8)}' is before opened_at",
        f".decided_at: '{at(7)}' is before opened_at",
        f".decided_at: '{at(7)}' is before escalated_at",
        f".signoffs[0].at: '{at(6)}' is before opened_at",
    )
    add(
        decision("Chosen but not decided", chosen_option=A, decided_by="gm"),
        ".chosen_option: requires decided_at",
        ".decided_by: requires decided_at",
        ".decided_by: requires escalated_at: only the accountable manager decides, and only an escalated decision",
    )
    add(
        decision("Chosen elsewhere", escalated_at=at(5), decided_at=at(6), decided_by="gm", chosen_option="Z"),
        f".chosen_option: 'Z' is not one of this decision's options: {A}, {B}",
    )
    add(
        decision("Wrong decider", escalated_at=at(5), decided_at=at(6), decided_by="pm1", chosen_option=A),
        ".decided_by: 'pm1' is not team Payments's accountable manager (gm), who decides an escalated decision",
    )
    line_of_good = 2
    add(decision("Good"), f": a duplicate of [0] on line {line_of_good} (the same team, title and opened_at)")
    add(
        {"team": "Payments", "options": "A or B", "closed_at": "2025-13-01T00:00:00Z"},
        ".title: is required",
        ".opened_at: is required",
        ".decide_by: is required",
        ".options: must be an array of option names, not a string",
        ".closed_at: '2025-13-01T00:00:00Z' is not an ISO 8601 time (like 2025-03-14T09:30:00Z)",
    )
    add("just a title", ": a decision must be a JSON object, not a string")
    add(
        decision(
            "Closed unresolved",
            signoffs=[sign("pm1", 4, A), sign("em1", 5, B), sign("pm1", 6, B)],
            closed_at=at(2),
        ),
        ".signoffs[2].by: a second sign-off by pm1",
        f".closed_at: '{at(2)}' is before opened_at",
        f".closed_at: '{at(2)}' is before the last sign-off",
    )
    add(
        decision("Closed, never agreed", signoffs=[sign("pm1", 4, A), sign("em1", 5, B)], closed_at=at(20)),
        ".closed_at: only an agreed or decided decision can be closed (no decided_at, and the leads' sign-offs differ)",
    )
    index = len(records)
    add(
        decision(
            "Duplicates inside",
            scores=[
                {"by": "pm1", "option": A, "factor": "team_morale", "score": 1},
                {"by": "pmone", "option": A, "factor": "TEAM_MORALE", "score": 2},
            ],
            preferences=[{"by": "pm1", "option": A}, {"by": "pm1", "option": B}],
            signoffs="none",
        ),
        f".scores[1]: a second score by pm1 of '{A}' on team_morale (first at [{index}].scores[0])",
        ".preferences[1].by: a second preference by pm1",
        ".signoffs: must be an array, not a string",
    )
    add(
        decision("Future", opened_at="2999-01-01T00:00:00Z", decide_by="2999-02-01T00:00:00Z"),
        ".opened_at: '2999-01-01T00:00:00Z' is in the future",
    )
    add(
        decision("Agreed then escalated", signoffs=[sign("pm1", 4, A), sign("em1", 5, A)], escalated_at=at(6)),
        f".escalated_at: '{at(6)}' is after both leads had agreed (2025-03-05T09:00:00+00:00)",
    )
    add(
        decision("Decided without option", escalated_at=at(5), decided_at=at(6), decided_by="gm"),
        ".chosen_option: is required when decided_at is set",
    )
    add(
        decision(
            "Decided against agreement",
            signoffs=[sign("pm1", 4, A), sign("em1", 5, A)],
            decided_at=at(5),
            chosen_option=B,
        ),
        f".chosen_option: '{B}' is not the option both leads signed ('{A}')",
    )
    stances = "is not one of agree, disagree_and_commit"
    add(
        decision("Loose stances", signoffs=[sign("pm1", 4, A, []), sign("em1", 5, A, 0)]),
        f".signoffs[0].stance: '[]' {stances}",
        f".signoffs[1].stance: '0' {stances}",
    )
    add(
        decision("Almost stances", signoffs=[sign("pm1", 4, A, ""), sign("em1", 5, A, "Agree")]),
        f".signoffs[0].stance: '' {stances}",
        f".signoffs[1].stance: 'Agree' {stances}",
    )
    # States the app could never reach.
    add(
        decision(
            "Disagreement agreed", signoffs=[sign("pm1", 4, A), sign("em1", 5, B)], decided_at=at(6), chosen_option=A
        ),
        ".decided_by: is required: the leads signed different options, and only the accountable manager decides "
        "a disagreement (after escalated_at)",
    )
    add(
        decision("Agreed by no one", signoffs=[sign("pm1", 4, A)], decided_at=at(6), chosen_option=A),
        ".decided_by: is required with decided_at unless both leads signed the same option "
        "(decided_at is then when they agreed)",
    )
    add(
        decision(
            "A lead decides alone",
            signoffs=[sign("pm1", 4, A), sign("em1", 5, B)],
            decided_at=at(6),
            decided_by="pm1",
            chosen_option=A,
        ),
        ".decided_by: requires escalated_at: only the accountable manager decides, and only an escalated decision",
        ".decided_by: 'pm1' is not team Payments's accountable manager (gm), who decides an escalated decision",
    )
    add(
        decision(
            "The manager decides without an escalation",
            signoffs=[sign("pm1", 4, A), sign("em1", 5, B)],
            decided_at=at(6),
            decided_by="gm",
            chosen_option=A,
        ),
        ".decided_by: requires escalated_at: only the accountable manager decides, and only an escalated decision",
    )
    add(
        decision(
            "Signed after the escalation",
            signoffs=[sign("pm1", 4, A), sign("em1", 7, B)],
            escalated_at=at(6),
            decided_at=at(8),
            decided_by="gm",
            chosen_option=A,
        ),
        f".signoffs[1].at: '{at(7)}' is after escalated_at: an escalated decision takes no sign-off",
    )
    add(
        decision("Signed after the decision", signoffs=[sign("pm1", 4, A), sign("em1", 7, A)], decided_at=at(6)),
        f".signoffs[1].at: '{at(7)}' is after decided_at",
    )
    add(
        decision("Agreed earlier", signoffs=[sign("pm1", 4, A), sign("em1", 5, A)], decided_at=at(6)),
        f".decided_at: '{at(6)}' is after both leads had agreed (2025-03-05T09:00:00+00:00); without decided_by, "
        "decided_at is when they agreed (the later sign-off)",
    )
    add(
        decision("Escalated as agreed", signoffs=[sign("pm1", 4, A), sign("em1", 5, A)], escalated_at=at(5)),
        f".escalated_at: '{at(5)}' is when both leads agreed: an agreed decision is not escalated",
    )
    add(
        decision("Agreed after the escalation", signoffs=[sign("pm1", 4, A), sign("em1", 6, A)], escalated_at=at(5)),
        f".signoffs[1].at: '{at(6)}' is after escalated_at: an escalated decision takes no sign-off",
    )
    return records, expected


@pytest.mark.usefixtures("org")
def test_every_problem_is_reported_with_its_line_and_path_and_nothing_is_written(engine: Engine) -> None:
    records, expected = bad_log()
    data = encode(records)
    lines = starts(data)
    problems = rejected(engine, data)
    assert all((p.file, p.column) == ("log.json", 1) for p in problems)
    assert sorted((p.line, p.message) for p in problems) == sorted(
        (lines[index], message) for index, message in expected
    )


@pytest.mark.usefixtures("org")
def test_a_record_start_is_found_whatever_the_layout(engine: Engine) -> None:
    good = json.dumps(decision("Fine"))
    bad = json.dumps(decision("Bad", team="Nope"))
    data = f"\ufeff \n[ {good} ,\n\n\n  {bad}\r\n,{good.replace('Fine', 'Also fine')}, \n {bad}]\n".encode()
    problems = rejected(engine, data)
    assert [(p.line, p.message) for p in problems] == [
        (5, "[1].team: unknown team 'Nope'"),
        (7, "[3].team: unknown team 'Nope'"),
    ]


@pytest.mark.usefixtures("org")
def test_invalid_json_is_reported_at_jsons_own_line_and_column(engine: Engine) -> None:
    data = b'[\n  {"team": "Payments",\n   "title": "x" "options": []}\n]\n'
    with pytest.raises(json.JSONDecodeError) as caught:
        json.loads(data)
    problems = rejected(engine, data)
    assert problems == [Problem("log.json", 3, 17, "invalid JSON: Expecting ',' delimiter")]
    assert (caught.value.lineno, caught.value.colno) == (3, 17)
    assert rejected(engine, b"") == [Problem("log.json", 1, 1, "invalid JSON: Expecting value")]
    assert rejected(engine, b"[]\n[]") == [Problem("log.json", 2, 1, "invalid JSON: Extra data")]


@pytest.mark.usefixtures("org")
def test_numbers_too_long_times_out_of_range_and_lone_surrogates_are_problems(engine: Engine) -> None:
    huge, digits = "9" * 5000, "is a whole number of 5000 digits; the most is 4300"
    records: list[Any] = [
        decision("Huge", scores=[{"by": "pm1", "option": A, "factor": "team_morale", "score": "HUGE"}], n=["-HUGE"]),
        "HUGE",
        decision("Far", opened_at="0001-01-01T00:00:00+01:00", decide_by="9999-12-31T23:59:59-23:59"),
        decision(
            "\ud800 title",
            context="fine \udfff",
            notes={"\ud800": 1, "ok": ["\udc00"]},
            signoffs=[sign("pm1", 4, A, ["\ud800"]), sign("em1", 5, A, "\ud800")],
        ),
    ]
    data = encode(records).replace(b'"HUGE"', huge.encode()).replace(b'"-HUGE"', f"-{huge}".encode())
    with pytest.raises(ValueError, match="4300"):
        json.loads(data)
    lines = starts(encode(records))
    assert [(p.line, p.message) for p in rejected(engine, data)] == sorted(
        [
            (lines[0], f"[0].scores[0].score: {digits}"),
            (lines[0], f"[0].n[0]: {digits}"),
            (lines[1], f"[1]: {digits}"),
            (lines[2], "[2].opened_at: '0001-01-01T00:00:00+01:00' is out of range"),
            (lines[2], "[2].decide_by: '9999-12-31T23:59:59-23:59' is out of range"),
            (lines[3], "[3].title: is not valid Unicode"),
            (lines[3], "[3].context: is not valid Unicode"),
            (lines[3], "[3].notes.\\ud800: the key is not valid Unicode"),
            (lines[3], "[3].notes.ok[0]: is not valid Unicode"),
            (lines[3], "[3].signoffs[0].stance[0]: is not valid Unicode"),
            (lines[3], "[3].signoffs[1].stance: is not valid Unicode"),
            (lines[3], """[3].signoffs[0].stance: '["\\ud800"]' is not one of agree, disagree_and_commit"""),
        ]
    )
    assert all(p.message.encode() for p in rejected(engine, data))  # every message can be printed
    assert rejected(engine, huge.encode()) == [
        Problem("log.json", 1, 1, "the file must hold a JSON array of decisions, not a number")
    ]


@pytest.mark.usefixtures("org")
def test_a_file_that_is_not_utf8_or_not_an_array_is_rejected(engine: Engine) -> None:
    assert rejected(engine, b'[\n{"title": "caf\xe9"}]') == [
        Problem("log.json", 2, 15, "the file is not UTF-8 (byte 0xe9); save it as UTF-8")
    ]
    assert rejected(engine, b'\n  {"team": "Payments"}') == [
        Problem("log.json", 2, 3, "the file must hold a JSON array of decisions, not an object")
    ]


@pytest.mark.usefixtures("org")
def test_an_empty_log_imports_nothing_with_a_warning(engine: Engine) -> None:
    before = database_fingerprint(engine)
    report = run(engine, b"[]")
    assert (report.created, report.unchanged) == (0, 0)
    assert report.warnings == [Problem("log.json", 1, 1, "the file has no decisions")]
    assert database_fingerprint(engine) == before
