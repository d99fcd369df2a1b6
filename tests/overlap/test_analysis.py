"""The overlap metrics and absence detectors on plain facts: no database."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from tandem.config import Thresholds
from tandem.overlap import analysis
from tandem.overlap.facts import Attendee, OccurrenceFacts, OverlapFacts, RitualKind

NOW = datetime(2026, 11, 25, 12, tzinfo=UTC)
LEADS: dict[str, dict[str, str | None]] = {
    "Payments": {"product": "pm1", "engineering": "em1"},
    "Search": {"product": "pm2", "engineering": "em2"},
}
T = Thresholds()
K = RitualKind
_ids = iter(range(1, 100_000))

PM = Attendee("pm1", "product")
EM = Attendee("em1", "engineering")
DEV = Attendee("dev1", "engineering")
DESIGNER = Attendee("ux1", "design")


def ritual(
    kind: RitualKind,
    days_ago: float,
    attendees: Sequence[Attendee],
    *,
    team: str = "Payments",
    organiser: Attendee | None = None,
) -> OccurrenceFacts:
    return OccurrenceFacts(
        id=next(_ids),
        team=team,
        kind=kind,
        start=NOW - timedelta(days=days_ago),
        minutes=30,
        summary=f"{kind.value} {days_ago}",
        organiser=organiser.person_id if organiser else None,
        organiser_function=organiser.function if organiser else None,
        attendees=tuple(attendees),
    )


def facts(*occurrences: OccurrenceFacts) -> OverlapFacts:
    return OverlapFacts(list(occurrences), leads=LEADS, teams=tuple(sorted(LEADS)), now=NOW)


def discovery(with_engineer: int, without: int, team: str = "Payments") -> list[OccurrenceFacts]:
    return [ritual(K.DISCOVERY, 1 + i, [PM, DEV], team=team) for i in range(with_engineer)] + [
        ritual(K.DISCOVERY, 30 + i, [PM, DESIGNER], team=team) for i in range(without)
    ]


# --- engineering absent from discovery ------------------------------------------------------------------------------


def test_discovery_mostly_without_engineers_is_a_finding() -> None:
    [finding] = analysis.engineering_absent_from_discovery(facts(*discovery(1, 4)), T)
    assert finding.kind == "engineering_absent_from_discovery"
    assert finding.scope.teams == ["Payments"]
    assert (finding.evidence["occurrences"], finding.evidence["with_engineer"], finding.evidence["share"]) == (
        5,
        1,
        0.2,
    )


def test_exactly_half_with_engineers_is_not() -> None:
    assert analysis.engineering_absent_from_discovery(facts(*discovery(2, 2)), T) == []


def test_fewer_than_four_sessions_say_nothing() -> None:
    assert analysis.engineering_absent_from_discovery(facts(*discovery(0, 3)), T) == []


def test_planning_counts_with_discovery() -> None:
    planning = [ritual(K.PLANNING, 2 + i, [PM]) for i in range(4)]
    [finding] = analysis.engineering_absent_from_discovery(facts(*planning), T)
    assert finding.evidence["by_kind"] == {"planning": {"occurrences": 4, "present": 0, "share": 0.0}}


def test_sessions_older_than_the_window_do_not_count() -> None:
    old = [ritual(K.DISCOVERY, T.overlap_window_days + 1 + i, [PM]) for i in range(6)]
    assert analysis.engineering_absent_from_discovery(facts(*old), T) == []


def test_an_engineering_lead_counts_as_an_engineer_whatever_their_function() -> None:
    lead_from_data = Attendee("em1", "engineering")  # the loader gives a lead their seat's side
    sessions = [ritual(K.DISCOVERY, 1 + i, [PM, lead_from_data]) for i in range(4)]
    assert analysis.engineering_absent_from_discovery(facts(*sessions), T) == []


def test_the_evidence_compares_with_the_org_median() -> None:
    occurrences = discovery(0, 4) + discovery(4, 0, team="Search")
    [finding] = analysis.engineering_absent_from_discovery(facts(*occurrences), T)
    assert finding.evidence["org_median_share"] == 0.5  # median of 0.0 and 1.0


def test_severity_grows_as_engineers_disappear() -> None:
    [some] = analysis.engineering_absent_from_discovery(facts(*discovery(1, 3)), T)
    [none] = analysis.engineering_absent_from_discovery(facts(*discovery(0, 4)), T)
    assert none.severity == 1.0
    assert some.severity < none.severity


# --- product absent from delivery -----------------------------------------------------------------------------------


def delivery(with_product: int, without: int) -> list[OccurrenceFacts]:
    kinds = [K.STANDUP, K.RETRO, K.DEMO]
    return [ritual(kinds[i % 3], 1 + i, [PM, EM]) for i in range(with_product)] + [
        ritual(kinds[i % 3], 20 + i, [EM, DEV]) for i in range(without)
    ]


def test_delivery_mostly_without_product_is_a_finding() -> None:
    [finding] = analysis.product_absent_from_delivery(facts(*delivery(2, 6)), T)
    assert (finding.evidence["occurrences"], finding.evidence["with_product"], finding.evidence["share"]) == (
        8,
        2,
        0.25,
    )
    assert finding.evidence["lead"] == "pm1"


def test_forty_percent_with_product_is_not() -> None:
    assert analysis.product_absent_from_delivery(facts(*delivery(4, 6)), T) == []


def test_fewer_than_six_delivery_rituals_say_nothing() -> None:
    assert analysis.product_absent_from_delivery(facts(*delivery(0, 5)), T) == []


def test_incident_reviews_are_not_judged_for_product_presence() -> None:
    incidents = [ritual(K.INCIDENT, 1 + i, [EM]) for i in range(10)]
    assert analysis.product_absent_from_delivery(facts(*incidents), T) == []


def test_any_product_manager_counts_not_only_the_lead() -> None:
    other_pm = Attendee("pm9", "product")
    assert (
        analysis.product_absent_from_delivery(facts(*[ritual(K.STANDUP, 1 + i, [other_pm, EM]) for i in range(8)]), T)
        == []
    )


def test_the_finding_lists_the_missed_rituals_newest_first() -> None:
    [finding] = analysis.product_absent_from_delivery(facts(*delivery(0, 12)), T)
    missed = finding.evidence["missed"]
    assert len(missed) == analysis.MAX_LISTED
    assert [m["at"] for m in missed] == sorted((m["at"] for m in missed), reverse=True)


# --- metrics --------------------------------------------------------------------------------------------------------


def test_metrics_count_presence_by_side_and_kind() -> None:
    occurrences = [
        ritual(K.DISCOVERY, 1, [PM, DEV], organiser=PM),
        ritual(K.DISCOVERY, 2, [PM], organiser=PM),
        ritual(K.STANDUP, 3, [EM, DEV], organiser=EM),
        ritual(K.STANDUP, 4, [EM, PM], organiser=EM),
        ritual(K.RETRO, 5, [EM, DEV], organiser=EM),
        ritual(K.OTHER, 6, [DESIGNER]),
    ]
    figures = analysis.team_metrics(facts(*occurrences), T)["Payments"]
    assert figures["occurrences"] == 6
    assert figures["by_kind"] == {"discovery": 2, "standup": 2, "retro": 1, "other": 1}
    assert (figures["discovery_occurrences"], figures["discovery_with_engineer"]) == (2, 0.5)
    assert (figures["delivery_occurrences"], figures["delivery_with_product"]) == (3, round(1 / 3, 4))
    assert figures["joint"] == round(2 / 6, 4)
    assert figures["organisers"] == {"engineering": 3, "product": 2, "unknown": 1}
    assert figures["organiser_product_share"] == 0.4


def test_lead_attendance_is_per_kind() -> None:
    occurrences = [ritual(K.STANDUP, 1, [EM, PM]), ritual(K.STANDUP, 2, [EM]), ritual(K.RETRO, 3, [PM])]
    lead = analysis.team_metrics(facts(*occurrences), T)["Payments"]["lead_attendance"]
    assert lead["product"] == {"person": "pm1", "standup": 0.5, "retro": 1.0}
    assert lead["engineering"] == {"person": "em1", "standup": 1.0, "retro": 0.0}


def test_a_team_without_rituals_is_listed_with_none() -> None:
    figures = analysis.team_metrics(facts(), T)["Search"]
    assert (figures["occurrences"], figures["discovery_with_engineer"], figures["delivery_with_product"]) == (
        0,
        None,
        None,
    )


def test_the_trend_has_twelve_months_oldest_first() -> None:
    occurrences = [ritual(K.DISCOVERY, 0.5, [PM, DEV]), ritual(K.DISCOVERY, 40, [PM])]
    trend = analysis.team_metrics(facts(*occurrences), T)["Payments"]["trend"]
    months = list(trend)
    assert (months[0], months[-1], len(months)) == ("2025-12", "2026-11", 12)
    assert trend["2026-11"]["discovery_with_engineer"] == 1.0
    assert trend["2026-10"]["discovery_with_engineer"] == 0.0
    assert trend["2026-09"]["occurrences"] == 0
