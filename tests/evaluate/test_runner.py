"""``tandem evaluate``: the scoring from hand-made truths, and one small organisation end to end."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tandem.cli import app
from tandem.config import get_settings
from tandem.evaluate.cases import KINDS, STRUCTURAL, Plant
from tandem.evaluate.runner import OrgOutcome, Seen, score

runner = CliRunner()


def team_finding(kind: str, *teams: str) -> Seen:
    return Seen(kind, teams, org_wide=False, title=f"{', '.join(teams)}: {kind}")


def plant(kind: str, team: str, detail: str = "planted", *, unobservable: str | None = None) -> Plant:
    return Plant(kind, team, detail, (team,), unobservable)


def outcome(
    plants: list[Plant], findings: list[Seen], confounders: dict[str, tuple[str, ...]] | None = None
) -> OrgOutcome:
    return OrgOutcome(index=0, seed=1, plants=plants, findings=findings, confounders=confounders or {})


def test_precision_and_recall_per_kind_from_plants_and_findings() -> None:
    scores = score(
        [
            outcome(
                [plant("power_gap", "Payments"), plant("power_gap", "Billing"), plant("decision_paralysis", "Search")],
                [team_finding("power_gap", "Payments"), team_finding("power_gap", "Checkout")],
            ),
            outcome([plant("power_gap", "Payments")], [team_finding("power_gap", "Payments")]),
        ]
    )
    power = scores.kinds["power_gap"]
    assert (power.planted, power.found, power.missed, power.findings, power.false_positives) == (3, 2, 1, 3, 1)
    assert power.recall == pytest.approx(2 / 3)
    assert power.precision == pytest.approx(2 / 3)
    paralysis = scores.kinds["decision_paralysis"]
    assert (paralysis.recall, paralysis.precision) == (0.0, None)  # missed, and nothing reported
    assert scores.kinds["trust_breakdown"].recall is None  # nothing planted: no recall to speak of
    assert [(m.team, m.kind) for m in scores.missed] == [("Billing", "power_gap"), ("Search", "decision_paralysis")]
    assert [fp.teams for fp in scores.false_positives] == [("Checkout",)]
    assert list(scores.kinds)[: len(KINDS)] == list(KINDS)
    assert (scores.totals.planted, scores.totals.found, scores.totals.findings) == (4, 2, 3)


def test_unobservable_plants_are_left_out_of_recall_and_named() -> None:
    scores = score(
        [
            outcome(
                [
                    plant("trust_breakdown", "Payments", unobservable="3 engineering respondents"),
                    plant("trust_breakdown", "Billing"),
                ],
                [team_finding("trust_breakdown", "Billing")],
            )
        ]
    )
    breakdown = scores.kinds["trust_breakdown"]
    assert (breakdown.planted, breakdown.unobservable, breakdown.observable, breakdown.missed) == (2, 1, 1, 0)
    assert breakdown.recall == 1.0
    assert scores.missed == []
    assert [(u.team, u.reason) for u in scores.unobservable] == [("Payments", "3 engineering respondents")]


def test_a_finding_an_unobservable_plant_explains_is_not_false() -> None:
    scores = score(
        [
            outcome(
                [plant("siloed_schedule", "Payments", unobservable="no tracker")],
                [team_finding("siloed_schedule", "Payments")],
            )
        ]
    )
    assert scores.kinds["siloed_schedule"].false_positives == 0
    assert scores.kinds["siloed_schedule"].recall is None


def test_a_finding_caused_by_another_plant_is_false_and_explained() -> None:
    scores = score(
        [
            outcome(
                [plant("siloed_schedule", "Payments", "engineering_slips_silently")],
                [
                    team_finding("siloed_schedule", "Payments"),
                    team_finding("fracture_under_pressure", "Payments"),
                    team_finding("fracture_under_pressure", "Billing"),
                ],
                confounders={"Billing": ("no_calendar",)},
            )
        ]
    )
    fracture = scores.kinds["fracture_under_pressure"]
    assert (fracture.findings, fracture.false_positives, fracture.explained, fracture.precision) == (2, 2, 1, 0.0)
    explained, unexplained = scores.false_positives
    assert explained.explained_by == ("Payments: siloed_schedule/engineering_slips_silently",)
    assert unexplained.explained_by == ()
    assert unexplained.confounders == ("Billing: no_calendar",)


def test_org_wide_plants_match_only_org_wide_findings() -> None:
    org_gap = Plant("power_gap", None, "senior_leaders_not_peers")
    scores = score(
        [
            outcome([org_gap], [team_finding("power_gap", "Payments")]),
            outcome([org_gap], [Seen("power_gap", (), org_wide=True, title="The senior product leader…")]),
        ]
    )
    power = scores.kinds["power_gap"]
    assert (power.found, power.missed, power.false_positives) == (1, 1, 1)


def test_an_org_wide_finding_team_plants_add_up_to_is_explained_by_them() -> None:
    scores = score(
        [
            outcome(
                [plant("one_sided_decisions", "Payments", "product_wins")],
                [
                    team_finding("one_sided_decisions", "Payments"),
                    Seen("one_sided_decisions", ("Billing", "Payments"), org_wide=True, title="Across the org, …"),
                ],
            )
        ]
    )
    one_sided = scores.kinds["one_sided_decisions"]
    assert (one_sided.found, one_sided.false_positives, one_sided.explained) == (1, 1, 1)


def test_a_pooled_asymmetry_is_found_through_any_team_of_its_group() -> None:
    pooled = Plant("trust_asymmetry", "Billing", "product_trusts_engineering_more", ("Billing", "Payments", "Search"))
    scores = score([outcome([pooled], [team_finding("trust_asymmetry", "Payments", "Search")])])
    asymmetry = scores.kinds["trust_asymmetry"]
    assert (asymmetry.recall, asymmetry.precision) == (1.0, 1.0)


@pytest.fixture
def clean_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Default thresholds: no tandem.toml from the developer's working directory."""
    monkeypatch.setenv("TANDEM_CONFIG", str(tmp_path / "tandem.toml"))
    monkeypatch.setenv("TANDEM_DATABASE_URL", f"sqlite:///{tmp_path / 'unused.db'}")
    monkeypatch.chdir(tmp_path)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_one_small_organisation_end_to_end(clean_settings: None) -> None:
    args = ["evaluate", "--orgs", "1", "--groups", "2", "--teams-per-group", "5", "--rate", "0.5", "--noise", "0.3"]
    result = runner.invoke(app, [*args, "--format", "json", "--jobs", "1"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert set(report) == {
        "settings",
        "kinds",
        "totals",
        "orgs",
        "missed",
        "false_positives",
        "unobservable",
        "runtime_seconds",
    }
    assert report["settings"]["backend"] == "sqlite"
    assert report["settings"]["thresholds"] == "default"
    assert list(report["kinds"])[: len(KINDS)] == list(KINDS)  # then any kind a newer detector reported
    assert set(report["kinds"]["power_gap"]) == {
        "planted",
        "unobservable",
        "observable",
        "found",
        "missed",
        "findings",
        "false_positives",
        "explained",
        "precision",
        "recall",
    }
    [org] = report["orgs"]
    assert (org["teams"], org["seed"]) == (10, 1)
    assert org["plants"] == report["totals"]["planted"] >= 5  # five teams of ten, and the senior leaders
    assert report["kinds"]["power_gap"]["planted"] >= 1  # the first organisation's senior leaders are not peers
    for kind in STRUCTURAL:  # the org chart is deterministic: every structural plant is found, nothing else
        counts = report["kinds"][kind]
        if counts["planted"]:
            assert counts["recall"] == 1.0, (kind, report["missed"])
        assert counts["false_positives"] == 0, (kind, report["false_positives"])


def test_a_database_that_is_not_postgresql_is_a_clear_error(clean_settings: None) -> None:
    result = runner.invoke(app, ["evaluate", "--database", "sqlite:///elsewhere.db"])
    assert result.exit_code == 2
    assert "--database takes a PostgreSQL server URL" in result.stderr
