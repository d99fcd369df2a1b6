"""The walk report's figures, built server-side from a hand-made report: exact values, missing drawn as missing,
names escaped, and every figure one Plotly accepts. No database, no browser."""

from __future__ import annotations

import plotly.graph_objects as go  # type: ignore[import-untyped]  # plotly ships no type information
import pytest

from tandem.walk.findings import Practice
from tandem.walk.report.charts import MISSING_COLOUR, evidence_chart, org_heatmap
from tandem.walk.report.html import HEATMAP, report_view
from walk.report_factories import (
    COMMITMENT,
    DELIVERY,
    DISCOVERY,
    FRACTURE,
    GAP,
    METRICS,
    PARALYSIS,
    SCORECARDS,
    SILO,
    TRUST,
    hand_made_report,
)


def test_the_heatmap_holds_every_known_score_and_nothing_else() -> None:
    scored, _ = org_heatmap(SCORECARDS).figure["data"]
    assert scored["name"] == "score"
    assert scored["x"] == [
        "Equal power", "Trust", "Common manager", "Shared goal", "Joint schedule", "Overlap", "One team",
        "Relationships",
    ]  # fmt: skip
    assert scored["y"][:2] == ["Media", "Payments"]
    assert scored["z"][0] == [10, None, 100, None, None, None, None, None]
    assert scored["z"][1] == [100, None, 100, 100, 100, 25, 100, 81]
    assert (scored["zmin"], scored["zmax"], scored["showscale"]) == (0, 100, False)


def test_a_missing_score_is_drawn_as_a_grey_dash_never_in_the_scores_colours() -> None:
    _, missing = org_heatmap(SCORECARDS).figure["data"]
    assert missing["name"] == "no evidence"
    assert missing["z"][0] == [None, 1, None, 1, 1, 1, 1, 1]
    assert missing["z"][3] == [None] * 8  # Help Center: every practice judged
    assert missing["text"][1] == ["", "—", "", "", "", "", "", ""]
    assert missing["colorscale"] == [[0.0, MISSING_COLOUR], [1.0, MISSING_COLOUR]]
    assert "no evidence" in missing["hovertemplate"]


def test_hovering_a_cell_shows_its_score_and_the_teams_finding_kinds() -> None:
    scored, missing = org_heatmap(SCORECARDS).figure["data"]
    assert scored["customdata"][1] == ["engineering_absent_from_discovery"] * 8
    assert scored["customdata"][3] == ["none"] * 8
    assert "score %{z}" in scored["hovertemplate"] and "%{customdata}" in scored["hovertemplate"]
    assert missing["customdata"] == scored["customdata"]


def test_names_are_escaped_before_plotly_reads_them_as_markup() -> None:
    scored, _ = org_heatmap(SCORECARDS).figure["data"]
    assert scored["y"][2] == "&lt;b&gt;R&amp;D&lt;/b&gt; &lt;script&gt;alert(1)&lt;/script&gt;"
    bars = evidence_chart(PARALYSIS)
    assert bars is not None
    assert bars.figure["data"][0]["y"][0] == "#7 Buy or build &lt;search&gt;"


def test_decision_paralysis_bars_each_decisions_working_days_overdue() -> None:
    chart = evidence_chart(PARALYSIS)
    assert chart is not None
    (bars,) = chart.figure["data"]
    assert (bars["type"], bars["orientation"]) == ("bar", "h")
    assert bars["x"] == [7.5, 1.0]
    assert bars["y"] == ["#7 Buy or build &lt;search&gt;", "#9 Cut scope"]
    assert chart.description == "Bar chart: working days past the decide-by date of 2 decisions"


def test_trust_breakdown_draws_the_trend_with_each_pulses_interval_and_the_threshold() -> None:
    chart = evidence_chart(TRUST, METRICS)
    assert chart is not None
    trend, threshold = chart.figure["data"]
    assert trend["x"] == ["2026-10-26", "2026-11-09", "2026-11-23"]
    assert trend["y"] == [4.6, 4.0, 3.4]
    assert trend["error_y"]["array"] == [0.4, 0.6, 0.5]
    assert trend["error_y"]["arrayminus"] == [0.5, 0.5, 0.5]
    assert trend["name"] == "Engineering's trust in product"
    assert threshold["y"] == [4.0, 4.0, 4.0]


def test_without_the_metrics_only_the_latest_pulse_has_an_interval() -> None:
    chart = evidence_chart(TRUST)
    assert chart is not None
    assert chart.figure["data"][0]["error_y"]["array"] == [None, None, 0.5]


def test_ritual_overlap_stacks_present_and_absent_per_kind() -> None:
    chart = evidence_chart(DISCOVERY)
    assert chart is not None
    present, absent = chart.figure["data"]
    assert present["x"] == ["discovery", "planning"]
    assert (present["name"], present["y"]) == ("with an engineer", [4, 1])
    assert (absent["name"], absent["y"]) == ("without an engineer", [14, 5])
    assert chart.figure["layout"]["barmode"] == "stack"
    delivery = evidence_chart(DELIVERY)
    assert delivery is not None
    assert [(t["name"], t["x"], t["y"]) for t in delivery.figure["data"]] == [
        ("with product", ["standup"], [12]),
        ("without product", ["standup"], [51]),  # a kind the team never held is left out
    ]


def test_fracture_compares_inside_and_outside_per_measure_with_trust_on_its_own_axis() -> None:
    chart = evidence_chart(FRACTURE)
    assert chart is not None
    traces = [(t["name"], t["x"], t["y"], t["yaxis"], t["offsetgroup"]) for t in chart.figure["data"]]
    assert traces == [
        ("outside pressure", ["Rituals with both sides present (fractured)"], [0.86], "y", "outside"),
        ("outside pressure", ["Trust index (1 to 7)"], [5.2], "y2", "outside"),
        ("inside pressure", ["Rituals with both sides present (fractured)"], [0.37], "y", "inside"),
        ("inside pressure", ["Trust index (1 to 7)"], [4.1], "y2", "inside"),
    ]
    assert [t["showlegend"] for t in chart.figure["data"]] == [True, False, True, False]
    assert chart.figure["layout"]["yaxis2"]["range"] == [1, 7]


def test_an_unrealistic_commitment_sets_its_date_against_the_forecast_p50() -> None:
    chart = evidence_chart(COMMITMENT)
    assert chart is not None
    named = {t["name"]: t["x"] for t in chart.figure["data"]}
    assert named == {
        "8 working days short": ["2026-11-17", "2026-11-27"],
        "signed": ["2026-11-10"],
        "promised date": ["2026-11-17"],
        "forecast P50 at signing": ["2026-11-27"],
    }


def test_a_siloed_schedule_splits_each_functions_changes_into_alone_and_joint() -> None:
    chart = evidence_chart(SILO)
    assert chart is not None
    assert [(t["name"], t["x"], t["y"]) for t in chart.figure["data"]] == [
        ("made alone", ["product", "engineering"], [9, 0]),
        ("made jointly", ["product", "engineering"], [2, 3]),
    ]


def test_a_kind_without_a_chart_or_evidence_to_draw_has_none() -> None:
    assert evidence_chart(GAP) is None
    assert (
        evidence_chart(SILO.model_copy(update={"evidence": {"by_function": {}, "unsigned_commitments": [1]}})) is None
    )
    assert evidence_chart(PARALYSIS.model_copy(update={"evidence": {"decisions": []}})) is None


def test_the_view_keys_the_heatmap_and_each_charted_finding() -> None:
    view = report_view(hand_made_report())
    assert set(view.figures) == {HEATMAP, PARALYSIS.id, TRUST.id, DISCOVERY.id, DELIVERY.id, FRACTURE.id,
                                 COMMITMENT.id, SILO.id}  # fmt: skip
    assert report_view(hand_made_report(scorecards=[], findings=[GAP])).figures == {}


@pytest.mark.parametrize("key", [HEATMAP, PARALYSIS.id, TRUST.id, DISCOVERY.id, FRACTURE.id, COMMITMENT.id, SILO.id])
def test_plotly_accepts_every_figure(key: str) -> None:
    go.Figure(report_view(hand_made_report()).figures[key])  # raises on any property Plotly does not know


def test_every_practice_is_a_column_in_the_practices_order() -> None:
    scored, _ = org_heatmap(SCORECARDS).figure["data"]
    assert len(scored["x"]) == len(Practice)
