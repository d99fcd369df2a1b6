"""The demo generator: deterministic, importable, and its planted problems are exactly what the detectors find."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tandem.config import Thresholds
from tandem.demo.generator import (
    DemoOrg,
    PlantedProblem,
    generate_org,
    people_csv,
    teams_csv,
    write_demo,
)
from tandem.org.analysis import OrgSnapshot, counterpart_pairs
from tandem.org.detectors import distant_accountable_manager, missing_counterpart, power_gap
from tandem.org.importer import OrgFile, read_org
from tandem.walk.findings import Finding


def _read(org: DemoOrg) -> OrgFile:
    return read_org(people_csv(org), "people.csv", teams_csv(org), "teams.csv")


def _snapshot(org: DemoOrg) -> OrgSnapshot:
    """The org as the analysis sees it, built from the CSV files after the importer has read them."""
    return _read(org).snapshot()


def _findings(org: DemoOrg) -> list[Finding]:
    snapshot, thresholds = _snapshot(org), Thresholds()
    return [
        *power_gap(snapshot, thresholds),
        *distant_accountable_manager(snapshot, thresholds),
        *missing_counterpart(snapshot, thresholds),
    ]


def _found(finding: Finding) -> PlantedProblem:
    """A finding in the vocabulary of the ground truth."""
    if finding.evidence.get("scope") == "org":
        return PlantedProblem(finding.kind, None, "senior_leaders_not_peers")
    (team,) = finding.scope.teams
    if finding.kind == "distant_accountable_manager":
        return PlantedProblem(finding.kind, team, "distant")
    reasons = finding.evidence["reasons"]
    return PlantedProblem(finding.kind, team, "+".join(reasons))


def test_same_seed_gives_identical_output() -> None:
    first, second = generate_org(11), generate_org(11)
    assert people_csv(first) == people_csv(second)
    assert teams_csv(first) == teams_csv(second)
    assert first.truth() == second.truth()


def test_different_seeds_give_different_names() -> None:
    names = {seed: {row["name"] for row in generate_org(seed).people} for seed in (1, 2)}
    assert names[1] != names[2]


@pytest.mark.parametrize("seed", [0, 1, 7, 42, 2024])
def test_output_imports_without_problems_or_warnings(seed: int) -> None:
    file = _read(generate_org(seed))
    assert file.warnings == []


@pytest.mark.parametrize(("groups", "teams_per_group"), [(1, 1), (2, 3), (20, 10)])
def test_other_sizes_import_without_problems_or_warnings(groups: int, teams_per_group: int) -> None:
    org = generate_org(3, groups=groups, teams_per_group=teams_per_group)
    file = _read(org)
    assert file.warnings == []
    assert file.teams is not None
    assert len(file.teams) == groups * teams_per_group


def test_default_size_is_a_few_hundred_people_in_many_teams() -> None:
    org = generate_org()
    assert 200 <= len(org.people) <= 600
    assert len(org.teams) >= 24


def test_rows_have_exactly_the_documented_columns() -> None:
    org = generate_org()
    people_keys = ["id", "name", "email", "function", "level", "manager_id", "title", "team", "aliases"]
    team_keys = [
        "team",
        "product_lead",
        "engineering_lead",
        "accountable_manager",
        "jira_projects",
        "github_repos",
        "linear_teams",
    ]
    assert all(list(row) == people_keys for row in org.people)
    assert all(list(row) == team_keys for row in org.teams)


def test_every_team_member_belongs_to_a_listed_team_and_leads_sit_in_their_team() -> None:
    org = generate_org()
    listed = {row["team"] for row in org.teams}
    team_of = {row["id"]: row["team"] for row in org.people}
    assert {row["team"] for row in org.people if row["team"]} == listed
    for row in org.teams:
        for lead in (row["product_lead"], row["engineering_lead"]):
            assert not lead or team_of[lead] == row["team"]


def test_default_plants_every_kind_of_problem_in_distinct_teams() -> None:
    org = generate_org()
    team_plants = [p for p in org.planted if p.team is not None]
    assert len(team_plants) == 10
    assert len({p.team for p in team_plants}) == 10
    assert sorted(p.detail for p in team_plants) == sorted(
        ["level_gap"] * 3
        + ["distant"] * 3
        + ["reports_to_counterpart", "no_engineering_lead", "no_product_lead", "same_person_in_both_seats"]
    )
    assert PlantedProblem("power_gap", None, "senior_leaders_not_peers") in org.planted
    assert set(org.healthy_teams).isdisjoint(p.team for p in team_plants)
    assert len(org.healthy_teams) + len(team_plants) == len(org.teams)


def test_healthy_teams_include_near_threshold_confounders() -> None:
    org = generate_org()
    pairs = {pair.team: pair for pair in counterpart_pairs(_snapshot(org))}
    healthy = [pairs[team] for team in org.healthy_teams]
    assert sum(abs(pair.level_gap or 0) == 1 for pair in healthy) >= 2
    assert {pair.escalation_distance for pair in healthy} == {2}


@settings(max_examples=10, deadline=None)
@given(seed=st.integers(min_value=0, max_value=2**32))
def test_every_planted_problem_is_found(seed: int) -> None:
    org = generate_org(seed)
    found = {_found(finding) for finding in _findings(org)}
    assert set(org.planted) <= found


@settings(max_examples=10, deadline=None)
@given(seed=st.integers(min_value=0, max_value=2**32))
def test_no_finding_names_a_healthy_team(seed: int) -> None:
    org = generate_org(seed)
    named = {team for finding in _findings(org) for team in finding.scope.teams}
    assert named.isdisjoint(org.healthy_teams)


@pytest.mark.parametrize("seed", [0, 7, 99])
def test_findings_are_exactly_the_planted_problems(seed: int) -> None:
    org = generate_org(seed)
    assert sorted(map(_found, _findings(org)), key=repr) == sorted(org.planted, key=repr)


def test_org_level_gap_is_reported_at_org_scope() -> None:
    org_findings = [f for f in _findings(generate_org()) if f.evidence.get("scope") == "org"]
    assert [f.kind for f in org_findings] == ["power_gap"]


def test_unplanted_org_has_no_findings() -> None:
    org = generate_org(7, plant=False, org_power_gap=False)
    assert org.planted == []
    assert org.healthy_teams == [row["team"] for row in org.teams]
    assert _findings(org) == []


def test_unplanted_teams_with_org_gap_plant_only_the_org_gap() -> None:
    org = generate_org(7, plant=False)
    assert org.planted == [PlantedProblem("power_gap", None, "senior_leaders_not_peers")]
    assert [_found(f) for f in _findings(org)] == org.planted


def test_small_org_keeps_two_healthy_teams() -> None:
    org = generate_org(5, groups=2, teams_per_group=3)
    assert len(org.healthy_teams) == 2
    assert sorted(map(_found, _findings(org)), key=repr) == sorted(org.planted, key=repr)


def test_write_demo_writes_the_three_files(tmp_path: Path) -> None:
    org = generate_org()
    people, teams, truth = write_demo(org, tmp_path / "demo")
    assert people.read_bytes() == people_csv(org)
    assert teams.read_bytes() == teams_csv(org)
    assert json.loads(truth.read_text(encoding="utf-8")) == org.truth()
