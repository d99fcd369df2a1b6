"""The constraints detector, metrics and ages on plain facts: no database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tandem.config import Thresholds
from tandem.constraints import analysis
from tandem.constraints.facts import BoardFacts, ConstraintFacts, ConstraintKind, ConstraintState, counterpart_leads
from tandem.constraints.importer import LogRow, to_csv

NOW = datetime(2026, 11, 25, 12, tzinfo=UTC)  # a Wednesday
MONDAY = datetime(2026, 11, 23, 9, tzinfo=UTC)
MEMBERS = {"Payments": {"engineering": 3, "product": 1}}
LEADS: dict[str, dict[str, str | None]] = {"Payments": {"product": "pm1", "engineering": "em1"}}
T = Thresholds()

_ids = iter(range(1, 10_000))


def constraint(
    function: str,
    posted_at: datetime,
    *,
    acknowledged_after: timedelta | None = timedelta(hours=2),
    resolved_after: timedelta | None = None,
    team: str = "Payments",
    by: str | None = None,
) -> ConstraintFacts:
    acknowledged = posted_at + acknowledged_after if acknowledged_after is not None else None
    resolved = posted_at + resolved_after if resolved_after is not None else None
    return ConstraintFacts(
        id=next(_ids),
        team=team,
        kind=ConstraintKind.BLOCKED,
        function=function,
        posted_by=by or ("dev1" if function == "engineering" else "pm1"),
        posted_at=posted_at,
        acknowledged_at=acknowledged,
        acknowledged_by="pm1" if acknowledged else None,
        resolved_at=resolved,
        resolved_jointly=(acknowledged is not None) if resolved is not None else None,
    )


def board(*constraints: ConstraintFacts, members: dict[str, dict[str, int]] | None = None) -> BoardFacts:
    return BoardFacts(list(constraints), members=MEMBERS if members is None else members, leads=LEADS, now=NOW)


def days_ago(days: int) -> datetime:
    return NOW - timedelta(days=days)


# --- the counterpart ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("side", "poster", "expected"),
    [
        ("product", "pm9", ("em1",)),
        ("engineering", "dev1", ("pm1",)),
        ("design", "des1", ("pm1", "em1")),
        ("data", "ds1", ("pm1", "em1")),
        ("product", "pm1", ("em1",)),
    ],
)
def test_the_counterpart_is_the_other_sides_lead(side: str, poster: str, expected: tuple[str, ...]) -> None:
    assert counterpart_leads(side, poster=poster, product_lead="pm1", engineering_lead="em1") == expected


def test_an_empty_counterpart_seat_falls_to_the_accountable_manager() -> None:
    found = counterpart_leads(
        "engineering", poster="dev1", product_lead=None, engineering_lead="em1", accountable_manager="gm"
    )
    assert found == ("gm",)


def test_a_lead_never_acknowledges_their_own_constraint() -> None:
    assert counterpart_leads("design", poster="pm1", product_lead="pm1", engineering_lead="em1") == ("em1",)


# --- one-sided posting ---------------------------------------------------------------------------------------------


def test_one_side_posting_while_the_other_posts_nothing_fires() -> None:
    facts = board(*(constraint("engineering", days_ago(d)) for d in (5, 20, 40)))
    (finding,) = analysis.hidden_constraints(facts, T)
    assert finding.kind == "hidden_constraints"
    assert finding.practice.value == "trust"
    assert finding.evidence["reasons"] == ["one_sided_posting"]
    assert (finding.evidence["posting_function"], finding.evidence["silent_function"]) == ("engineering", "product")
    assert finding.evidence["posted_in_window"] == {"engineering": 3}
    assert finding.title == "Payments: engineering shares its constraints, product shares none (3 to 0 in 60 days)"
    assert finding.scope.teams == ["Payments"] and finding.scope.people == ["em1", "pm1"]
    assert finding.severity == 0.6


def test_two_posts_are_just_below_the_threshold() -> None:
    assert analysis.hidden_constraints(board(*(constraint("engineering", days_ago(d)) for d in (5, 20))), T) == []


def test_posts_older_than_the_window_do_not_count() -> None:
    facts = board(*(constraint("engineering", days_ago(d)) for d in (5, 20, 61)))
    assert analysis.hidden_constraints(facts, T) == []


def test_both_sides_posting_is_healthy() -> None:
    facts = board(*(constraint("engineering", days_ago(d)) for d in (5, 20, 40)), constraint("product", days_ago(3)))
    assert analysis.hidden_constraints(facts, T) == []


def test_a_side_with_nobody_on_the_team_is_not_silent() -> None:
    facts = board(
        *(constraint("engineering", days_ago(d)) for d in (5, 20, 40)), members={"Payments": {"engineering": 3}}
    )
    assert analysis.hidden_constraints(facts, T) == []


def test_other_functions_count_for_neither_side() -> None:
    facts = board(*(constraint("design", days_ago(d), by="des1") for d in (5, 20, 40)))
    assert analysis.hidden_constraints(facts, T) == []


def test_the_window_and_minimum_come_from_the_thresholds() -> None:
    facts = board(*(constraint("product", days_ago(d)) for d in (5, 70)))
    thresholds = Thresholds(hidden_constraints_window_days=90, hidden_constraints_min_posted=2)
    (finding,) = analysis.hidden_constraints(facts, thresholds)
    assert finding.evidence["posting_function"] == "product"


# --- slow acknowledgement ------------------------------------------------------------------------------------------


def test_constraints_waiting_more_than_three_working_days_on_average_fire() -> None:
    # Posted Monday of the week before at 09:00; acknowledged the Friday after: 4 working days.
    posted = datetime(2026, 11, 16, 9, tzinfo=UTC)
    facts = board(
        constraint("engineering", posted, acknowledged_after=timedelta(days=4)),
        constraint("product", posted, acknowledged_after=timedelta(days=4)),
    )
    (finding,) = analysis.hidden_constraints(facts, T)
    assert finding.evidence["reasons"] == ["slow_acknowledgement"]
    assert finding.evidence["mean_working_days_unacknowledged"] == 4.0
    assert (
        finding.title == "Payments: constraints wait 4.0 working days on average for the counterpart's acknowledgement"
    )
    assert finding.severity == 0.5


def test_exactly_three_working_days_on_average_is_not_above_the_threshold() -> None:
    posted = datetime(2026, 11, 16, 9, tzinfo=UTC)
    facts = board(
        constraint("engineering", posted, acknowledged_after=timedelta(days=3)),
        constraint("product", posted, acknowledged_after=timedelta(days=3)),
    )
    assert analysis.hidden_constraints(facts, T) == []


def test_weekends_do_not_count_as_waiting() -> None:
    friday = datetime(2026, 11, 20, 9, tzinfo=UTC)  # acknowledged on Wednesday: 3 working days, 5 calendar days
    facts = board(
        constraint("engineering", friday, acknowledged_after=timedelta(days=5)),
        constraint("product", friday, acknowledged_after=timedelta(days=5)),
    )
    assert analysis.hidden_constraints(facts, T) == []


def test_a_constraint_still_unacknowledged_waits_until_now_whatever_its_age() -> None:
    facts = board(
        constraint("engineering", days_ago(100), acknowledged_after=None),
        constraint("product", days_ago(2), acknowledged_after=timedelta(hours=1)),
    )
    (finding,) = analysis.hidden_constraints(facts, T)
    assert finding.evidence["reasons"] == ["slow_acknowledgement"]
    assert [c["function"] for c in finding.evidence["still_unacknowledged"]] == ["engineering"]
    assert finding.evidence["judged_for_acknowledgement"] == 2


def test_a_constraint_resolved_without_acknowledgement_waited_until_it_was_resolved() -> None:
    posted = datetime(2026, 11, 2, 9, tzinfo=UTC)
    quiet = constraint("product", posted, acknowledged_after=None, resolved_after=timedelta(days=14))
    assert analysis.unacknowledged_working_days(quiet, NOW) == 10.0
    (finding,) = analysis.hidden_constraints(board(quiet, constraint("engineering", days_ago(1))), T)
    assert finding.evidence["reasons"] == ["slow_acknowledgement"]


def test_prompt_acknowledgements_on_both_sides_are_healthy() -> None:
    facts = board(*(constraint(side, days_ago(d)) for side in ("product", "engineering") for d in (3, 10, 30)))
    assert analysis.hidden_constraints(facts, T) == []


def test_both_reasons_make_one_finding_more_severe() -> None:
    facts = board(*(constraint("engineering", days_ago(d), acknowledged_after=None) for d in (10, 20, 30)))
    (finding,) = analysis.hidden_constraints(facts, T)
    assert finding.evidence["reasons"] == ["one_sided_posting", "slow_acknowledgement"]
    assert finding.severity == 1.0
    assert finding.title.startswith("Payments: engineering shares its constraints, product shares none")


def test_findings_are_stable_and_per_team() -> None:
    other = {**MEMBERS, "Search": {"engineering": 2, "product": 1}}
    facts = board(
        *(constraint("engineering", days_ago(d)) for d in (5, 20, 40)),
        *(constraint("product", days_ago(d), team="Search") for d in (5, 6, 7, 8)),
        members=other,
    )
    first = analysis.hidden_constraints(facts, T)
    assert [f.scope.teams for f in first] == [["Search"], ["Payments"]]  # worst first: 4 posts beat 3
    assert [f.id for f in first] == [f.id for f in analysis.hidden_constraints(facts, T)]


# --- metrics ---------------------------------------------------------------------------------------------------


def test_metrics_per_team_and_function() -> None:
    monday = datetime(2026, 11, 16, 9, tzinfo=UTC)
    facts = board(
        constraint("engineering", monday, acknowledged_after=timedelta(days=1), resolved_after=timedelta(days=3)),
        constraint("engineering", monday, acknowledged_after=timedelta(days=2)),
        constraint("product", monday, acknowledged_after=None, resolved_after=timedelta(days=1)),
        constraint("engineering", days_ago(200), acknowledged_after=timedelta(days=1)),  # outside the window
    )
    figures = analysis.team_metrics(facts, T)["Payments"]
    assert figures["posted"] == 3
    assert figures["people"] == 4
    assert figures["per_person_per_month"] == round(3 / 4 / 2, 3)
    assert (figures["open"], figures["acknowledged"], figures["resolved"]) == (0, 1, 2)
    assert figures["resolved_jointly"] == 0.5
    assert figures["median_working_days_to_acknowledge"] == 1.5
    assert figures["median_working_days_to_resolve"] == 2.0
    engineering = figures["by_function"]["engineering"]
    assert (engineering["posted"], engineering["people"], engineering["per_person_per_month"]) == (
        2,
        3,
        round(2 / 3 / 2, 3),
    )
    assert figures["by_function"]["product"]["median_working_days_to_acknowledge"] is None
    assert list(figures["by_function"]) == ["product", "engineering"]


def test_a_team_sharing_nothing_still_has_its_figures() -> None:
    figures = analysis.team_metrics(board(), T)["Payments"]
    assert (figures["posted"], figures["per_person_per_month"], figures["resolved_jointly"]) == (0, 0.0, None)


# --- ages ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("facts", "text"),
    [
        (
            constraint("engineering", datetime(2026, 11, 19, 9, tzinfo=UTC), acknowledged_after=None),
            "4 working days unacknowledged",
        ),
        (
            constraint("engineering", datetime(2026, 11, 24, 9, tzinfo=UTC), acknowledged_after=None),
            "1 working day unacknowledged",
        ),
        (
            constraint("engineering", datetime(2026, 11, 25, 9, tzinfo=UTC), acknowledged_after=None),
            "less than a working day unacknowledged",
        ),
        (
            constraint("engineering", datetime(2026, 11, 19, 9, tzinfo=UTC), acknowledged_after=timedelta(days=1)),
            "acknowledged after 1 working day, open 4 working days",
        ),
        (
            constraint(
                "engineering",
                datetime(2026, 11, 16, 9, tzinfo=UTC),
                acknowledged_after=timedelta(hours=3),
                resolved_after=timedelta(days=2),
            ),
            "resolved jointly after 2 working days",
        ),
        (
            constraint(
                "engineering",
                datetime(2026, 11, 16, 9, tzinfo=UTC),
                acknowledged_after=None,
                resolved_after=timedelta(days=7),
            ),
            "resolved without acknowledgement after 5 working days",
        ),
    ],
)
def test_the_board_shows_ages_in_working_days(facts: ConstraintFacts, text: str) -> None:
    assert analysis.age_text(facts, NOW) == text


def test_state_follows_the_times() -> None:
    assert constraint("product", MONDAY, acknowledged_after=None).state is ConstraintState.OPEN
    assert constraint("product", MONDAY).state is ConstraintState.ACKNOWLEDGED
    assert constraint("product", MONDAY, resolved_after=timedelta(days=1)).state is ConstraintState.RESOLVED


# --- the import format ------------------------------------------------------------------------------------------


def test_to_csv_writes_the_import_format() -> None:
    rows = [
        LogRow(
            MONDAY,
            "Payments",
            "dev1",
            ConstraintKind.BLOCKED,
            'Waiting on "infra", again',
            MONDAY + timedelta(hours=1),
            "pm1",
        ),
        LogRow(MONDAY.date(), "Payments", "pm1", "uncertain", "Pricing?", resolved_at=MONDAY.date()),
    ]
    assert to_csv(rows).decode() == (
        "posted_at,team,by,kind,text,acknowledged_at,acknowledged_by,resolved_at\n"
        '2026-11-23T09:00:00Z,Payments,dev1,blocked,"Waiting on ""infra"", again",2026-11-23T10:00:00Z,pm1,\n'
        "2026-11-23,Payments,pm1,uncertain,Pricing?,,,2026-11-23\n"
    )


def test_to_csv_refuses_naive_times() -> None:
    with pytest.raises(ValueError, match="naive"):
        to_csv([LogRow(datetime(2026, 1, 1), "Payments", "dev1", "blocked", "x")])


def test_as_of_a_window_s_end_a_later_acknowledgement_has_not_happened() -> None:
    posted = days_ago(10)
    late = constraint("engineering", posted, acknowledged_after=timedelta(days=3), resolved_after=timedelta(days=5))
    early = constraint("engineering", days_ago(40))
    then = board(late, early).within(days_ago(20), posted + timedelta(days=1))
    [seen] = then.constraints
    assert (seen.id, seen.acknowledged_at, seen.acknowledged_by, seen.resolved_at) == (late.id, None, None, None)
    assert then.now == posted + timedelta(days=1)
