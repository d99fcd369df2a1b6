"""The demo decisions: deterministic, in the import format, and the detectors find exactly what was planted."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime
from typing import Any

import pytest

from tandem.config import Thresholds
from tandem.decisions.analysis import decision_paralysis, factor_blind_spots, one_sided_decisions
from tandem.decisions.facts import DecisionFacts, DecisionState, Factor
from tandem.demo.decisions import DemoDecisions, generate_decisions
from tandem.demo.generator import DemoOrg, generate_org
from tandem.walk.findings import Finding
from tandem.workdays import working_days_between

NOW = datetime(2026, 11, 20, 14, 0, tzinfo=UTC)  # a Friday afternoon
SATURDAY = datetime(2027, 3, 13, 8, 30, tzinfo=UTC)
KEYS = {
    "team",
    "title",
    "opened_at",
    "decide_by",
    "options",
    "scores",
    "preferences",
    "signoffs",
    "escalated_at",
    "decided_at",
    "decided_by",
    "chosen_option",
    "closed_at",
}
TIMES = ("opened_at", "decide_by", "escalated_at", "decided_at", "closed_at")
CASES = [(7, NOW), (3, SATURDAY), (21, NOW)]


def _at(value: object) -> datetime | None:
    if value is None:
        return None
    assert isinstance(value, str) and value.endswith("+00:00"), value
    return datetime.fromisoformat(value)


def _when(record: dict[str, Any], key: str) -> datetime:
    moment = _at(record[key])
    assert moment is not None
    return moment


def to_facts(records: list[dict[str, Any]], org: DemoOrg) -> list[DecisionFacts]:
    """The records as the detectors see them.

    A lead's preference is their sign-off, else their highest-scored option. A disagree-and-commit
    sign-off is not a preference (it is by definition not the option its author preferred) and a stated
    preference comes before the scores.
    """
    function_of = {person["id"]: person["function"] for person in org.people}
    leads = {row["team"]: (row["product_lead"], row["engineering_lead"]) for row in org.teams}
    facts = []
    for number, record in enumerate(records, start=1):
        product_lead, engineering_lead = leads[record["team"]]
        scores: dict[str, dict[Factor, list[int]]] = defaultdict(lambda: defaultdict(list))
        totals: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        for score in record["scores"]:
            scores[function_of[score["by"]]][Factor(score["factor"])].append(score["score"])
            totals[score["by"]][score["option"]] += score["score"]
        stated = {p["by"]: p["option"] for p in record.get("preferences") or []}
        agreed = {s["by"]: s["option"] for s in record["signoffs"] if s["stance"] == "agree"}
        preferences = {}
        for function, lead in (("product", product_lead), ("engineering", engineering_lead)):
            preference = agreed.get(lead) or stated.get(lead)
            if preference is None and totals[lead]:
                preference = max(totals[lead], key=totals[lead].__getitem__)
            if preference is not None:
                preferences[function] = preference
        contested = len(preferences) == 2 and preferences["product"] != preferences["engineering"]
        decided_at, closed_at, escalated_at = (
            _at(record["decided_at"]),
            _at(record["closed_at"]),
            _at(record["escalated_at"]),
        )
        if decided_at is not None:
            state = (
                DecisionState.CLOSED
                if closed_at
                else DecisionState.DECIDED
                if record["decided_by"]
                else DecisionState.AGREED
            )
            by = record["decided_by"]
            decided_by_function = function_of[by] if by else "joint"
        else:
            state = (
                DecisionState.CLOSED
                if closed_at
                else DecisionState.ESCALATED
                if escalated_at
                else DecisionState.CONTESTED
                if contested
                else DecisionState.OPEN
            )
            decided_by_function = None
        facts.append(
            DecisionFacts(
                id=number,
                team=record["team"],
                title=record["title"],
                state=state,
                opened_at=_when(record, "opened_at"),
                decide_by=_when(record, "decide_by"),
                resolved_at=decided_at,
                escalated_at=escalated_at,
                contested=contested,
                chosen_option=record["chosen_option"],
                decided_by_function=decided_by_function,
                preferences=preferences,
                scores={function: dict(by_factor) for function, by_factor in scores.items()},
            )
        )
    return facts


def _generate(seed: int, now: datetime) -> tuple[DemoOrg, DemoDecisions]:
    org = generate_org(seed)
    return org, generate_decisions(org, seed, now=now)


def _findings(org: DemoOrg, demo: DemoDecisions, now: datetime) -> list[Finding]:
    facts, thresholds = to_facts(demo.records, org), Thresholds()
    return [
        *decision_paralysis(facts, thresholds, now),
        *one_sided_decisions(facts, thresholds, now),
        *factor_blind_spots(facts, thresholds, now),
    ]


def test_same_seed_gives_identical_decisions() -> None:
    org = generate_org(7)
    assert generate_decisions(org, 7, now=NOW) == generate_decisions(org, 7, now=NOW)


def test_another_seed_gives_other_decisions() -> None:
    org = generate_org(7)
    assert generate_decisions(org, 7, now=NOW).records != generate_decisions(org, 8, now=NOW).records


@pytest.mark.parametrize(("seed", "now"), CASES)
def test_records_are_in_the_import_format(seed: int, now: datetime) -> None:
    org, demo = _generate(seed, now)
    people = {person["id"] for person in org.people}
    assert demo.records
    for record in demo.records:
        assert set(record) == KEYS
        for key in TIMES:
            moment = _at(record[key])
            assert moment is None or moment <= now or key == "decide_by"
        options = record["options"]
        assert isinstance(options, list) and 2 <= len(options) <= 3 and len(set(options)) == len(options)
        assert isinstance(record["scores"], list) and isinstance(record["signoffs"], list)
        for score in record["scores"]:
            assert score["by"] in people and score["option"] in options
            assert score["factor"] in set(Factor) and score["score"] in range(-2, 3)
        for signoff in record["signoffs"]:
            assert signoff["by"] in people and signoff["option"] in options
            assert signoff["stance"] in ("agree", "disagree_and_commit")
            assert _when(record, "opened_at") <= _when(signoff, "at") <= now
        assert record["chosen_option"] is None or record["chosen_option"] in options
        assert (record["decided_at"] is None) == (record["chosen_option"] is None)
        assert record["decided_by"] is None or record["decided_by"] in people
        decided = _at(record["decided_at"])
        assert decided is None or decided > _when(record, "opened_at")
        assert working_days_between(_when(record, "opened_at"), _when(record, "decide_by")) == 5


def test_every_team_with_two_leads_has_decisions_and_is_either_planted_or_healthy() -> None:
    org, demo = _generate(7, NOW)
    two_leads = {
        row["team"]
        for row in org.teams
        if row["product_lead"] and row["engineering_lead"] and row["product_lead"] != row["engineering_lead"]
    }
    planted = {problem.team for problem in demo.planted}
    assert {record["team"] for record in demo.records} == two_leads
    assert planted | set(demo.healthy_teams) == two_leads
    assert not planted & set(demo.healthy_teams)
    assert planted <= set(org.healthy_teams)
    assert len(planted) == len(demo.planted) == 6
    assert sorted(problem.kind for problem in demo.planted) == sorted(
        ["decision_paralysis", "one_sided_decisions", "factor_blind_spot"] * 2
    )


def test_each_lead_scores_every_option_on_every_factor_unless_blind() -> None:
    _, demo = _generate(7, NOW)
    blind = {problem.team for problem in demo.planted if problem.kind == "factor_blind_spot"}
    records: list[dict[str, Any]] = demo.records
    for record in records:
        options, scores = len(record["options"]), len(record["scores"])
        if record["team"] in blind and scores != 2 * options * len(Factor):
            assert scores == 2 * options * len(Factor) - options  # one factor skipped by one lead
        else:
            assert scores == 2 * options * len(Factor)


@pytest.mark.parametrize(("seed", "now"), CASES)
def test_detectors_find_exactly_what_was_planted(seed: int, now: datetime) -> None:
    """Preferences as the app reads them: a "disagree and commit" sign-off is a commitment, not a preference."""
    org, demo = _generate(seed, now)

    findings = _findings(org, demo, now)

    assert not [f for f in findings if f.evidence.get("scope") == "org"]
    found = {(f.kind, f.scope.teams[0]) for f in findings}
    assert found == {(problem.kind, problem.team) for problem in demo.planted}
    assert not {team for _, team in found} & set(demo.healthy_teams)


@pytest.mark.parametrize(("seed", "now"), CASES)
def test_healthy_teams_decide_inside_their_timebox_and_escalations_get_answered_in_a_day(
    seed: int, now: datetime
) -> None:
    _, demo = _generate(seed, now)
    healthy = set(demo.healthy_teams)
    for record in demo.records:
        if record["team"] not in healthy:
            continue
        decided, escalated = _at(record["decided_at"]), _at(record["escalated_at"])
        assert (decided or now) < _when(record, "decide_by")
        if escalated is not None:
            assert working_days_between(escalated, decided or now) < 1


def test_healthy_teams_wins_are_balanced() -> None:
    org, demo = _generate(7, NOW)
    facts = to_facts(demo.records, org)
    for team in demo.healthy_teams:
        won = [f for f in facts if f.team == team and f.contested and f.chosen_option]
        wins = sum(1 for f in won if f.chosen_option == f.preferences["product"])
        assert abs(2 * wins - len(won)) <= 2, team  # each way of settling a disagreement alternates winners


def test_paralysis_is_found_for_the_reason_it_was_planted() -> None:
    org, demo = _generate(7, NOW)
    reasons = {
        f.scope.teams[0]: f.evidence["reasons"] for f in _findings(org, demo, NOW) if f.kind == "decision_paralysis"
    }
    for problem in demo.planted:
        if problem.kind == "decision_paralysis" and problem.team is not None:
            assert problem.detail in reasons[problem.team]


def test_a_tiny_org_keeps_two_healthy_teams() -> None:
    org = generate_org(5, groups=1, teams_per_group=3, plant=False)
    demo = generate_decisions(org, 5, now=NOW)
    assert len(demo.planted) == 1
    assert len(demo.healthy_teams) == 2
    found = {(f.kind, f.scope.teams[0]) for f in _findings(org, demo, NOW)}
    assert found == {(problem.kind, problem.team) for problem in demo.planted}
