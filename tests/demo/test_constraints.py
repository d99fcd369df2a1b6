"""The demo's blockers log: deterministic, valid for the importer's rules, planted where it says."""

from __future__ import annotations

from datetime import UTC, datetime

from tandem.constraints.importer import to_csv
from tandem.demo.constraints import PRODUCT_NEVER_POSTS, SLOW_ACKNOWLEDGEMENT, generate_constraints
from tandem.demo.generator import generate_org

NOW = datetime(2026, 11, 20, 14, 0, tzinfo=UTC)


def test_same_seed_same_log() -> None:
    org = generate_org(7)
    first, _ = generate_constraints(org, 7, now=NOW, avoid=set())
    second, _ = generate_constraints(org, 7, now=NOW, avoid=set())
    assert to_csv(first) == to_csv(second)


def test_two_problems_on_distinct_teams_outside_avoid() -> None:
    org = generate_org(7)
    avoid = {row["team"] for row in org.teams[:10]}
    _, planted = generate_constraints(org, 7, now=NOW, avoid=avoid)
    assert sorted(p.detail for p in planted) == sorted([PRODUCT_NEVER_POSTS, SLOW_ACKNOWLEDGEMENT])
    assert len({p.team for p in planted}) == 2 and not {p.team for p in planted} & avoid


def test_nothing_is_in_the_future_and_nothing_is_acknowledged_by_its_poster() -> None:
    rows, _ = generate_constraints(generate_org(7), 7, now=NOW, avoid=set())
    for row in rows:
        assert isinstance(row.posted_at, datetime) and row.posted_at < NOW
        assert row.acknowledged_by != row.by
        assert row.acknowledged_at is None or row.posted_at <= row.acknowledged_at  # type: ignore[operator]


def test_the_silent_team_has_no_product_posts() -> None:
    org = generate_org(7)
    rows, planted = generate_constraints(org, 7, now=NOW, avoid=set())
    [silent] = [p.team for p in planted if p.detail == PRODUCT_NEVER_POSTS]
    product = {p["id"] for p in org.people if p["function"] == "product"}
    posts = [row for row in rows if row.team == silent]
    assert len(posts) >= 3 and not any(row.by in product for row in posts)
