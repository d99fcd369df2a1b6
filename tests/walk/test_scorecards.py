"""Team scorecards and model pairs on plain findings and metrics: no database."""

from __future__ import annotations

from typing import Any

from tandem.config import Thresholds
from tandem.walk.findings import Finding, Practice, Recommendation, Scope, finding_id
from tandem.walk.scorecards import Pair, model_pairs, scorecards

T = Thresholds()
PAIRS = [Pair("Payments", "pm1", "em1", "Pat", "Em"), Pair("Search", "pm2", "em2"), Pair("Ads", "pm3", "em3")]


def finding(kind: str, practice: Practice, severity: float, teams: list[str]) -> Finding:
    return Finding(
        id=finding_id(kind, ",".join(teams) or "org"),
        kind=kind,
        practice=practice,
        severity=severity,
        title=kind,
        scope=Scope(teams=teams),
        evidence={},
        recommendation=Recommendation(practice=practice, step="do it"),
    )


def rich_metrics(*teams: str, joint: float = 0.9) -> dict[str, dict[str, Any]]:
    """Metrics giving every practice evidence for these teams."""
    return {
        "decisions": {t: {"decisions": 10, "decided_jointly": joint, "escalation_rate": 0.1} for t in teams},
        "schedule": {t: {"schedule_changes": 10, "joint_share": joint, "commitments_in_force": 1} for t in teams},
        "trust": {t: {"product_to_engineering": {"trust_index": 6.0}} for t in teams},
        "overlap": {
            t: {"discovery_occurrences": 10, "discovery_with_engineer": 0.8, "joint": joint, "by_kind": {"standup": 20}}
            for t in teams
        },
        "pressure": {t: {"measures": {"joint_rituals": {}}} for t in teams},
    }


def card(cards: list[Any], team: str) -> Any:
    return next(c for c in cards if c.team == team)


def test_a_practice_without_evidence_is_missing_never_healthy() -> None:
    [payments, *_] = [c for c in scorecards(PAIRS, [], {}, T) if c.team == "Payments"]
    assert payments.scores[Practice.TRUST] is None
    assert payments.scores[Practice.OVERLAP] is None
    assert Practice.ONE_TEAM in payments.missing
    assert payments.scores[Practice.EQUAL_POWER] == 100  # the org chart is always evidence


def test_a_finding_scores_its_practice_by_its_severity() -> None:
    cards = scorecards(PAIRS, [finding("power_gap", Practice.EQUAL_POWER, 0.75, ["Search"])], {}, T)
    assert card(cards, "Search").scores[Practice.EQUAL_POWER] == 25
    assert card(cards, "Payments").scores[Practice.EQUAL_POWER] == 100


def test_a_finding_is_evidence_even_where_the_metrics_say_nothing() -> None:
    cards = scorecards(PAIRS, [finding("trust_breakdown", Practice.TRUST, 0.6, ["Ads"])], {}, T)
    assert card(cards, "Ads").scores[Practice.TRUST] == 40


def test_relationships_is_the_share_of_joint_work() -> None:
    cards = scorecards(PAIRS, [], rich_metrics("Payments", joint=0.8), T)
    assert card(cards, "Payments").scores[Practice.RELATIONSHIPS] == 80


def test_the_worst_team_comes_first() -> None:
    cards = scorecards(PAIRS, [finding("power_gap", Practice.EQUAL_POWER, 1.0, ["Ads"])], rich_metrics(*"x"), T)
    assert cards[0].team == "Ads"


def test_a_healthy_pair_with_evidence_everywhere_is_a_model() -> None:
    metrics = rich_metrics("Payments", "Search", "Ads")
    metrics["decisions"]["Payments"]["decided_jointly"] = 1.0
    cards = scorecards(PAIRS, [], metrics, T)
    pairs = model_pairs(cards, metrics)
    assert {p.team for p in pairs} == {"Payments", "Search", "Ads"}
    payments = next(p for p in pairs if p.team == "Payments")
    assert (payments.product_lead, payments.engineering_lead) == ("pm1", "em1")
    assert "100% of decisions agreed jointly vs 90% org median" in payments.why


def test_a_team_with_any_finding_is_no_model() -> None:
    metrics = rich_metrics("Payments", "Search", "Ads")
    findings = [finding("siloed_schedule", Practice.JOINT_SCHEDULE, 0.5, ["Search"])]
    pairs = model_pairs(scorecards(PAIRS, findings, metrics, T), metrics)
    assert "Search" not in [p.team for p in pairs]


def test_a_team_with_too_little_evidence_is_no_model() -> None:
    pairs = model_pairs(scorecards(PAIRS, [], rich_metrics("Payments"), T), rich_metrics("Payments"))
    assert [p.team for p in pairs] == ["Payments"]  # Search and Ads: only the org chart is known


def test_an_empty_seat_is_no_model() -> None:
    metrics = rich_metrics("Payments")
    pairs = model_pairs(scorecards([Pair("Payments", "pm1", None)], [], metrics, T), metrics)
    assert pairs == []


def test_a_misaligned_top_does_not_hide_a_model_pair_and_says_so() -> None:
    metrics = rich_metrics("Payments")
    org_gap = finding("power_gap", Practice.EQUAL_POWER, 0.8, [])
    pairs = model_pairs(scorecards(PAIRS, [org_gap], metrics, T), metrics, org_findings=[org_gap])
    assert [p.team for p in pairs] == ["Payments"]
    assert pairs[0].why[-1] == "healthy although the org's senior leaders are misaligned (power_gap at org scope)"
