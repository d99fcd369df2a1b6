"""A hand-made walk report for the report tests: a few teams, one finding of each charted kind (evidence shaped as
the detectors write it), scorecards with missing scores and a model pair. No database."""

from __future__ import annotations

from typing import Any

from tandem.walk.findings import (
    Finding,
    ModelPair,
    OrgCounts,
    Practice,
    Recommendation,
    Scope,
    Scorecard,
    WalkReport,
    finding_id,
)

EVIL = "<b>R&D</b> <script>alert(1)</script>"
"""A team name that would be markup if anything forgot to escape it."""


def finding(
    kind: str, practice: Practice, severity: float, team: str | None, evidence: dict[str, Any], title: str = ""
) -> Finding:
    return Finding(
        id=finding_id(kind, team or "org"),
        kind=kind,
        practice=practice,
        severity=severity,
        title=title or f"{team or 'The org'}: {kind.replace('_', ' ')}",
        scope=Scope(teams=[team] if team else []),
        evidence=evidence,
        recommendation=Recommendation(practice=practice, step=f"Fix {kind} on {team or 'the org'}."),
    )


def scores(**given: int | None) -> dict[Practice, int | None]:
    return {practice: given.get(practice.value, 100) for practice in Practice}


PARALYSIS = finding(
    "decision_paralysis",
    Practice.COMMON_MANAGER,
    0.9,
    "Shipping",
    {
        "scope": "team",
        "reasons": ["overdue"],
        "decisions": [
            {
                "id": 7,
                "title": "Buy or build <search>",
                "state": "contested",
                "age_working_days": 12.5,
                "overdue_working_days": 7.5,
            },
            {"id": 9, "title": "Cut scope", "state": "open", "age_working_days": 6.0, "overdue_working_days": 1.0},
        ],
        "median_working_days_to_decide": 8.0,
    },
)
TRUST = finding(
    "trust_breakdown",
    Practice.TRUST,
    0.66,
    "Community",
    {
        "scope": "team",
        "direction": "engineering_to_product",
        "reasons": ["low_index"],
        "pulse_id": "3|12",
        "pulse_date": "2026-11-23",
        "respondents": 8,
        "trust_index": 3.4,
        "ci_low": 2.9,
        "ci_high": 3.9,
        "trend": {
            "pulses": [
                {"pulse_id": "3|10", "pulse_date": "2026-10-26", "respondents": 8, "trust_index": 4.6},
                {"pulse_id": "3|11", "pulse_date": "2026-11-09", "respondents": 7, "trust_index": 4.0},
                {"pulse_id": "3|12", "pulse_date": "2026-11-23", "respondents": 8, "trust_index": 3.4},
            ],
            "slope_per_pulse": -0.6,
            "p_value": 0.01,
            "significant_fall": True,
        },
        "threshold_index": 4.0,
    },
)
DISCOVERY = finding(
    "engineering_absent_from_discovery",
    Practice.OVERLAP,
    0.75,
    "Payments",
    {
        "occurrences": 24,
        "with_engineer": 5,
        "by_kind": {
            "discovery": {"occurrences": 18, "present": 4, "share": 0.2222},
            "planning": {"occurrences": 6, "present": 1, "share": 0.1667},
        },
    },
)
DELIVERY = finding(
    "product_absent_from_delivery",
    Practice.OVERLAP,
    0.7,
    EVIL,
    {"by_kind": {"standup": {"occurrences": 63, "present": 12}, "retro": {"occurrences": 0, "present": 0}}},
)
FRACTURE = finding(
    "fracture_under_pressure",
    Practice.ONE_TEAM,
    0.85,
    "Routing",
    {
        "fractured": ["joint_rituals"],
        "measures": {
            "joint_rituals": {
                "worse_when": "lower",
                "inside": 0.37,
                "outside": 0.86,
                "inside_n": 93,
                "outside_n": 313,
                "inside_hits": 34,
                "outside_hits": 269,
                "fractured": True,
            },
            "trust": {
                "worse_when": "lower",
                "inside": 4.1,
                "outside": 5.2,
                "inside_n": 9,
                "outside_n": 20,
                "fractured": False,
            },
        },
    },
)
COMMITMENT = finding(
    "unrealistic_commitment",
    Practice.JOINT_SCHEDULE,
    0.7,
    "Profiles",
    {
        "commitment": 13,
        "target_date": "2026-11-17",
        "signed_at": "2026-11-10T08:01:45+00:00",
        "forecast_p50_at_signing": "2026-11-27",
        "gap_working_days": 8,
    },
)
SILO = finding(
    "siloed_schedule",
    Practice.JOINT_SCHEDULE,
    0.74,
    "Returns",
    {
        "changes_in_window": 16,
        "by_function": {
            "product": {"changes": 11, "alone": 9, "date_set": 9},
            "engineering": {"changes": 3, "alone": 0},
        },
    },
)
GAP = finding(
    "power_gap",
    Practice.EQUAL_POWER,
    1.0,
    None,
    {"scope": "org", "level_gap": 3},
    title="The senior product leader is not a peer of the senior engineering leader",
)

FINDINGS = [PARALYSIS, TRUST, DISCOVERY, DELIVERY, FRACTURE, COMMITMENT, SILO, GAP]

SCORECARDS = [
    Scorecard(
        team="Media",
        product_lead="p1",
        engineering_lead=None,
        product_lead_name="Pat Lee",
        scores=scores(
            equal_power=10,
            trust=None,
            shared_goal=None,
            joint_schedule=None,
            overlap=None,
            one_team=None,
            relationships=None,
        ),
        missing=[Practice.TRUST, Practice.SHARED_GOAL],
        overall=55,
        finding_kinds=["missing_counterpart"],
    ),
    Scorecard(
        team="Payments",
        product_lead="p2",
        engineering_lead="p3",
        scores=scores(overlap=25, trust=None, relationships=81),
        missing=[Practice.TRUST],
        overall=87,
        finding_kinds=["engineering_absent_from_discovery"],
    ),
    Scorecard(
        team=EVIL,
        product_lead="p4",
        engineering_lead="p5",
        scores=scores(overlap=30, relationships=71),
        overall=88,
        finding_kinds=["product_absent_from_delivery"],
    ),
    Scorecard(
        team="Help Center",
        product_lead="p6",
        engineering_lead="p7",
        product_lead_name="Traci Hernandez",
        engineering_lead_name="Jennifer Day",
        scores=scores(relationships=86),
        overall=98,
    ),
]

PAIR = ModelPair(
    team="Help Center",
    product_lead="p6",
    engineering_lead="p7",
    product_lead_name="Traci Hernandez",
    engineering_lead_name="Jennifer Day",
    score=98,
    why=[
        "no finding on any of the 8 practices with evidence",
        "7% of decisions escalated vs 23% org median",
        "trust index 6.08 of 7 vs 5.96 org median",
    ],
)

METRICS: dict[str, dict[str, Any]] = {
    "trust": {
        "Community": {
            "engineering_to_product": {
                "trend": {
                    "pulses": [
                        {"pulse_id": "3|10", "date": "2026-10-26", "trust_index": 4.6, "ci_low": 4.1, "ci_high": 5.0},
                        {"pulse_id": "3|11", "date": "2026-11-09", "trust_index": 4.0, "ci_low": 3.5, "ci_high": 4.6},
                        {"pulse_id": "3|12", "date": "2026-11-23", "trust_index": 3.4, "ci_low": 2.9, "ci_high": 3.9},
                    ]
                }
            }
        }
    }
}


def hand_made_report(**changes: Any) -> WalkReport:
    fields: dict[str, Any] = {
        "tandem_version": "test",
        "generated_at": "2026-11-25T15:04:05Z",
        "org": OrgCounts(people=40, active_people=38, teams=4, active_teams=4, by_function={"engineering": 20}),
        "findings": FINDINGS,
        "metrics": METRICS,
        "scorecards": SCORECARDS,
        "model_pairs": [PAIR],
    }
    return WalkReport.model_validate(fields | changes)
