"""The walk framework: the registry, the JSON contract and the renderings."""

from __future__ import annotations

import json

import jsonschema
import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from factories import load_org, person, small_org, small_teams
from tandem.config import Thresholds
from tandem.walk.findings import Finding, Practice, Recommendation, Scope, WalkReport, finding_id
from tandem.walk.registry import _REGISTRY, detector, detectors
from tandem.walk.report import ReportFormat, render
from tandem.walk.schema_file import SCHEMA_PATH, render_schema
from tandem.walk.service import DetectorContractError, run_walk


def problem_org() -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    """The small org plus a team whose product lead is three levels below its engineering lead."""
    people = [*small_org(), person("pm2", "gm", "product", 4, team="Search"), person("em2", "gm", "engineering", 7)]
    teams = [*small_teams(), {"team": "Search", "product_lead": "pm2", "engineering_lead": "em2"}]
    return people, teams


def test_the_structural_detectors_are_registered() -> None:
    kinds = {(d.kind, d.practice) for d in detectors()}
    assert kinds >= {
        ("power_gap", Practice.EQUAL_POWER),
        ("missing_counterpart", Practice.EQUAL_POWER),
        ("distant_accountable_manager", Practice.COMMON_MANAGER),
    }


def test_a_second_detector_for_the_same_kind_is_refused() -> None:
    detectors()
    with pytest.raises(ValueError, match="already registered"):
        detector("power_gap", Practice.EQUAL_POWER, "again", lambda s: None)(lambda d, t: [])


def test_a_healthy_org_walks_clean(engine: Engine, session: Session) -> None:
    load_org(engine, small_org(), small_teams())
    report = run_walk(session, Thresholds())
    assert report.findings == []
    assert report.org.active_people == 7
    assert report.org.by_function == {"engineering": 3, "other": 2, "product": 2}


def test_a_planted_gap_is_found_through_the_database(engine: Engine, session: Session) -> None:
    load_org(engine, *problem_org())
    report = run_walk(session, Thresholds())
    assert [(f.kind, f.scope.teams) for f in report.findings] == [("power_gap", ["Search"])]


def test_the_json_matches_the_schema_in_the_repo(engine: Engine, session: Session) -> None:
    load_org(engine, *problem_org())
    document = json.loads(render(run_walk(session, Thresholds()), ReportFormat.JSON))
    jsonschema.validate(document, json.loads(SCHEMA_PATH.read_text()))
    assert set(document) == {
        "tandem_version",
        "generated_at",
        "org",
        "findings",
        "window",
        "metrics",
        "scorecards",
        "model_pairs",
    }
    assert set(document["findings"][0]) == {
        "id",
        "kind",
        "practice",
        "severity",
        "title",
        "scope",
        "evidence",
        "recommendation",
    }


def test_the_schema_file_is_generated_from_the_models() -> None:
    assert SCHEMA_PATH.read_text() == render_schema(), "run: python -m tandem.walk.schema_file"


def test_text_and_markdown_carry_the_same_findings(engine: Engine, session: Session) -> None:
    load_org(engine, *problem_org())
    report = run_walk(session, Thresholds())
    text = render(report, ReportFormat.TEXT)
    markdown = render(report, ReportFormat.MD)
    for rendered in (text, markdown):
        assert "Equal power" in rendered
        assert report.findings[0].title in rendered
        assert report.findings[0].id in rendered
        assert report.findings[0].recommendation.step[:40] in rendered.replace("\n", " ")


def test_findings_are_grouped_by_practice_worst_first() -> None:
    def finding(kind: str, practice: Practice, severity: float) -> Finding:
        return Finding(
            id=finding_id(kind, str(severity)),
            kind=kind,
            practice=practice,
            severity=severity,
            title=f"{kind} {severity}",
            scope=Scope(),
            evidence={},
            recommendation=Recommendation(practice=practice, step="do"),
        )

    report = WalkReport.model_validate(
        {
            "tandem_version": "t",
            "generated_at": "2026-11-25T00:00:00Z",
            "org": {"people": 0, "active_people": 0, "teams": 0, "active_teams": 0, "by_function": {}},
            "findings": [
                finding("distant_accountable_manager", Practice.COMMON_MANAGER, 0.9),
                finding("power_gap", Practice.EQUAL_POWER, 0.5),
                finding("power_gap", Practice.EQUAL_POWER, 0.7),
            ],
        }
    )
    markdown = render(report, ReportFormat.MD)
    headings = ("## A common accountable manager", "## Equal power", "### power_gap 0.7", "### power_gap 0.5")
    order = [markdown.index(s) for s in headings]
    assert order == sorted(order)


def test_a_detector_returning_another_kind_is_a_bug_not_a_finding(engine: Engine, session: Session) -> None:
    def wrong(org: object, thresholds: Thresholds) -> list[Finding]:
        return [
            Finding(
                id="x",
                kind="not_me",
                practice=Practice.TRUST,
                severity=0.1,
                title="x",
                scope=Scope(),
                evidence={},
                recommendation=Recommendation(practice=Practice.TRUST, step="x"),
            )
        ]

    detector("test_wrong_kind", Practice.TRUST, "test only", lambda s: None)(wrong)
    try:
        with pytest.raises(DetectorContractError):
            run_walk(session, Thresholds())
    finally:
        del _REGISTRY["test_wrong_kind"]


def test_decision_metrics_are_tabled_in_text_and_markdown() -> None:
    report = WalkReport.model_validate(
        {
            "tandem_version": "t",
            "generated_at": "2026-11-25T00:00:00Z",
            "org": {"people": 0, "active_people": 0, "teams": 0, "active_teams": 0, "by_function": {}},
            "findings": [],
            "metrics": {
                "decisions": {
                    "Support Tools": {
                        "decisions": 16,
                        "median_working_days_to_decide": 1.15,
                        "p90_working_days_to_decide": None,
                        "escalation_rate": 0.3125,
                        "decided_jointly": 0.6875,
                        "decided_by_manager": 0.3125,
                    }
                }
            },
        }
    )
    assert "| Support Tools | 16 | 1.15 | — | 31% | 69% | 31% |" in render(report, ReportFormat.MD)
    assert "Support Tools" in render(report, ReportFormat.TEXT, width=100)
