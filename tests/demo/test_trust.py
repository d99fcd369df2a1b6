"""The demo's pulses: deterministic, importable, planted where they say, steady where healthy."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from datetime import UTC, datetime

from tandem.demo.generator import generate_org
from tandem.demo.trust import TRUST_ASYMMETRY, TRUST_BREAKDOWN, generate_pulses

NOW = datetime(2026, 11, 20, 14, 0, tzinfo=UTC)


def managers_of(org_teams: list[dict[str, str]]) -> dict[str, str | None]:
    """A stand-in pooling unit: the first five teams under one manager, the rest each under their own."""
    return {row["team"]: "m1" if index < 5 else f"m{index}" for index, row in enumerate(org_teams)}


def test_same_seed_same_pulses() -> None:
    org = generate_org(7)
    managers = managers_of(org.teams)
    first = generate_pulses(org, 7, now=NOW, managers=managers, avoid=set())
    assert first == generate_pulses(org, 7, now=NOW, managers=managers, avoid=set())


def test_a_breakdown_is_planted_outside_the_avoided_teams() -> None:
    org = generate_org(7)
    avoid = {row["team"] for row in org.teams[:10]}
    pulses = generate_pulses(org, 7, now=NOW, managers=managers_of(org.teams), avoid=avoid)
    [breakdown] = [p for p in pulses.planted if p.kind == TRUST_BREAKDOWN]
    assert breakdown.team not in avoid


def test_healthy_respondents_answer_the_same_every_pulse_so_no_trend_is_invented() -> None:
    org = generate_org(7)
    pulses = generate_pulses(org, 7, now=NOW, managers=managers_of(org.teams), avoid=set())
    planted = set(pulses.affected_teams)
    seen: dict[tuple[str, str], set[str]] = defaultdict(set)
    for row in csv.DictReader(io.StringIO(pulses.csv)):
        if row["team"] not in planted:
            seen[(row["respondent"], row["item"])].add(row["score"])
    assert seen and all(len(scores) == 1 for scores in seen.values())


def test_an_asymmetry_is_planted_on_a_whole_group_when_one_can_be_shown() -> None:
    org = generate_org(7)
    pulses = generate_pulses(org, 7, now=NOW, managers=managers_of(org.teams), avoid=set())
    kinds = {p.kind for p in pulses.planted}
    assert TRUST_ASYMMETRY in kinds
    group = {row["team"] for row in org.teams[:5]}
    assert group <= set(pulses.affected_teams) | {row["team"] for row in org.teams if not row["product_lead"]}
