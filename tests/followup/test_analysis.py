"""Comparing two walks, pure: each finding's status and its boundaries, the actions, the scorecards' changes."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tandem.followup import render
from tandem.followup.analysis import (
    ActionFacts,
    ActionStatus,
    FindingStatus,
    ScoreChange,
    WalkRef,
    compare,
    scorecard_changes,
    status_of,
)
from tandem.walk.findings import Finding, Practice, Recommendation, Scope, Scorecard, WalkReport, finding_id

BEFORE = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
AFTER = datetime(2026, 11, 16, 9, 0, tzinfo=UTC)
P = Practice


def finding(team: str, severity: float, kind: str = "power_gap", practice: Practice = P.EQUAL_POWER) -> Finding:
    return Finding(
        id=finding_id(kind, f"team:{team}"),
        kind=kind,
        practice=practice,
        severity=severity,
        title=f"{team}: {kind}",
        scope=Scope(teams=[team]),
        evidence={},
        recommendation=Recommendation(practice=practice, step="do it"),
    )


def walk(at: datetime, findings: list[Finding], cards: list[Scorecard] | None = None) -> WalkReport:
    return WalkReport.model_validate(
        {
            "tandem_version": "t",
            "generated_at": at,
            "org": {"people": 0, "active_people": 0, "teams": 0, "active_teams": 0, "by_function": {}},
            "findings": findings,
            "scorecards": cards or [],
        }
    )


def card(team: str, overall: int | None, **scores: int | None) -> Scorecard:
    return Scorecard(
        team=team,
        product_lead=None,
        engineering_lead=None,
        scores={Practice(k): v for k, v in scores.items()},
        overall=overall,
    )


def action(
    action_id: int,
    finding: Finding,
    *,
    status: ActionStatus = ActionStatus.OPEN,
    created: datetime = BEFORE,
    closed: datetime | None = None,
    due: date = date(2026, 11, 30),
) -> ActionFacts:
    return ActionFacts(
        id=action_id,
        finding_id=finding.id,
        title=finding.title,
        team=finding.scope.teams[0],
        owner="pm1",
        owner_name="Person PM1",
        due=due,
        status=status,
        created_at=created,
        closed_at=closed,
    )


@pytest.mark.parametrize(
    ("previous", "current", "expected"),
    [
        (None, 0.3, FindingStatus.NEW),
        (0.3, None, FindingStatus.RESOLVED),
        (0.4, 0.4, FindingStatus.PERSISTING),
        (0.75, 0.70, FindingStatus.PERSISTING),  # a fall of exactly 0.05 is the same finding
        (0.80, 0.75, FindingStatus.PERSISTING),  # 0.80 - 0.75 is 0.05000000000000004 in floating point
        (0.75, 0.69, FindingStatus.IMPROVED),
        (0.50, 0.55, FindingStatus.PERSISTING),  # a rise of exactly 0.05 too
        (0.50, 0.56, FindingStatus.WORSENED),
        (1.0, 0.0, FindingStatus.IMPROVED),
    ],
)
def test_a_findings_status_follows_its_severity(
    previous: float | None, current: float | None, expected: FindingStatus
) -> None:
    assert status_of(previous, current) is expected


def test_a_finding_in_neither_walk_has_no_status() -> None:
    with pytest.raises(ValueError, match="at least one"):
        status_of(None, None)


def test_every_finding_of_both_walks_is_listed_once_with_its_status() -> None:
    before = walk(BEFORE, [finding("Search", 0.75), finding("Growth", 1.0), finding("Ledger", 0.9)])
    after = walk(AFTER, [finding("Ledger", 0.9), finding("Mobile", 0.8), finding("Growth", 0.5)])
    comparison = compare(before, after)
    assert [(c.title, c.status, c.previous_severity, c.current_severity, c.change) for c in comparison.findings] == [
        ("Ledger: power_gap", FindingStatus.PERSISTING, 0.9, 0.9, 0.0),
        ("Mobile: power_gap", FindingStatus.NEW, None, 0.8, None),
        ("Growth: power_gap", FindingStatus.IMPROVED, 1.0, 0.5, -0.5),
        ("Search: power_gap", FindingStatus.RESOLVED, 0.75, None, None),
    ]
    assert comparison.counts == {
        FindingStatus.NEW: 1,
        FindingStatus.PERSISTING: 1,
        FindingStatus.IMPROVED: 1,
        FindingStatus.WORSENED: 0,
        FindingStatus.RESOLVED: 1,
    }


def test_the_same_walk_compared_with_itself_only_persists() -> None:
    report = walk(BEFORE, [finding("Search", 0.75), finding("Growth", 1.0)])
    comparison = compare(report, report)
    assert {c.status for c in comparison.findings} == {FindingStatus.PERSISTING}


severities = st.dictionaries(
    st.sampled_from(["A", "B", "C", "D", "E", "F"]), st.floats(0, 1, allow_nan=False).map(lambda x: round(x, 3))
)


@given(severities, severities)
def test_statuses_partition_the_findings_of_both_walks(before: dict[str, float], after: dict[str, float]) -> None:
    comparison = compare(
        walk(BEFORE, [finding(t, s) for t, s in before.items()]),
        walk(AFTER, [finding(t, s) for t, s in after.items()]),
    )
    teams = {c.teams[0]: c.status for c in comparison.findings}
    assert len(comparison.findings) == len(teams) == len(before.keys() | after.keys())
    assert sum(comparison.counts.values()) == len(teams)
    assert {t for t, s in teams.items() if s is FindingStatus.NEW} == after.keys() - before.keys()
    assert {t for t, s in teams.items() if s is FindingStatus.RESOLVED} == before.keys() - after.keys()
    for team in before.keys() & after.keys():
        moved = after[team] - before[team]
        expected = {FindingStatus.IMPROVED: moved < -0.05, FindingStatus.WORSENED: moved > 0.05}
        assert teams[team] in ([s for s, holds in expected.items() if holds] or [FindingStatus.PERSISTING]), (
            before[team],
            after[team],
        )


def test_an_action_says_whether_its_finding_went_away() -> None:
    fixed, left = finding("Search", 0.75), finding("Ledger", 0.9)
    comparison = compare(
        walk(BEFORE, [fixed, left]),
        walk(AFTER, [left]),
        actions=[
            action(1, fixed, status=ActionStatus.DONE, closed=datetime(2026, 11, 10, tzinfo=UTC)),
            action(2, left, due=date(2026, 11, 13)),
        ],
    )
    assert [(a.id, a.status, a.finding_status, a.finding_resolved, a.overdue) for a in comparison.actions] == [
        (2, ActionStatus.OPEN, FindingStatus.PERSISTING, False, True),  # open ones first; due before the walk
        (1, ActionStatus.DONE, FindingStatus.RESOLVED, True, False),
    ]


def test_only_the_actions_live_between_the_two_walks_are_listed() -> None:
    gap = finding("Search", 0.75)
    comparison = compare(
        walk(BEFORE, [gap]),
        walk(AFTER, [gap]),
        actions=[
            action(1, gap, status=ActionStatus.DONE, created=datetime(2026, 10, 1, tzinfo=UTC), closed=BEFORE),
            action(2, gap, status=ActionStatus.DROPPED, closed=datetime(2026, 11, 1, tzinfo=UTC)),  # before it
            action(3, gap, created=datetime(2026, 11, 17, tzinfo=UTC)),  # taken after the current walk
            action(4, gap, created=datetime(2026, 9, 1, tzinfo=UTC)),  # open all along
            action(5, gap, status=ActionStatus.DONE, created=AFTER, closed=AFTER),
        ],
    )
    assert [a.id for a in comparison.actions] == [4, 1, 5]


def test_an_action_whose_finding_was_in_neither_walk_counts_as_gone() -> None:
    old = finding("Search", 0.75)
    comparison = compare(
        walk(BEFORE, []), walk(AFTER, []), actions=[action(1, old, created=datetime(2026, 1, 1, tzinfo=UTC))]
    )
    assert [(a.finding_status, a.finding_resolved) for a in comparison.actions] == [(None, True)]


def test_scorecard_changes_keep_missing_scores_missing() -> None:
    changes = scorecard_changes(
        [card("Search", 62, equal_power=25, common_manager=100, trust=None), card("Gone", 50, equal_power=50)],
        [card("Search", 80, equal_power=100, common_manager=100, trust=60), card("New", None, trust=None)],
    )
    assert changes["Search"] == {
        "equal_power": ScoreChange(previous=25, current=100, delta=75),
        "trust": ScoreChange(previous=None, current=60, delta=None),
        "common_manager": ScoreChange(previous=100, current=100, delta=0),
        "overall": ScoreChange(previous=62, current=80, delta=18),
    }
    assert changes["Gone"]["equal_power"] == ScoreChange(previous=50, current=None, delta=None)
    assert changes["New"] == {
        "trust": ScoreChange(previous=None, current=None, delta=None),
        "overall": ScoreChange(previous=None, current=None, delta=None),
    }
    assert list(changes) == ["Gone", "New", "Search"]


def test_the_text_lists_each_finding_with_its_arrow_then_the_actions_and_the_scores_that_moved() -> None:
    fixed, better, worse, left, new = (
        finding("Search", 0.75),
        finding("Growth", 1.0),
        finding("Core", 0.5),
        finding("Ledger", 0.9, "missing_counterpart"),
        finding("Mobile", 0.8, "missing_counterpart"),
    )
    comparison = compare(
        walk(BEFORE, [better, left, fixed, worse], [card("Search", 62, equal_power=25)]),
        walk(
            AFTER,
            [new, left, finding("Core", 0.7), finding("Growth", 0.5)],
            [card("Search", 100, equal_power=100)],
        ),
        previous_ref=WalkRef(label="snapshot 3", snapshot_id=3, generated_at=BEFORE),
        actions=[action(7, fixed, status=ActionStatus.DONE, closed=datetime(2026, 11, 9, tzinfo=UTC))],
    )
    assert render.text(comparison) == (
        "Compared with snapshot 3 (walked 2026-11-02 09:00 UTC): "
        "1 new, 1 persisting, 1 improved, 1 worsened, 1 resolved.\n"
        f"  + new         0.80         Mobile: missing_counterpart  [{new.id}]\n"
        f"  = persisting  0.90         Ledger: missing_counterpart  [{left.id}]\n"
        f"  ↑ worsened    0.50 → 0.70  Core: power_gap  [{worse.id}]\n"
        f"  ↓ improved    1.00 → 0.50  Growth: power_gap  [{better.id}]\n"
        f"  ✓ resolved    0.75         Search: power_gap  [{fixed.id}]\n"
        "Actions: 1 (0 open, 1 done, 0 dropped); 1 with the finding gone.\n"
        "  #7 done, due 2026-11-30, Person PM1: Search: power_gap → finding gone\n"
        "Scores that moved:\n"
        "  Search: equal_power 25 → 100 (+75), overall 62 → 100 (+38)\n"
    )
    markdown = render.markdown(comparison)
    assert markdown.startswith("## Compared with snapshot 3 (walked 2026-11-02 09:00 UTC)\n\n1 new, 1 persisting")
    assert f"| ✓ | resolved | 0.75 | Search: power_gap | `{fixed.id}` |" in markdown
    assert "| #7 | done | 2026-11-30 | Person PM1 | Search: power_gap | finding gone |" in markdown
