"""The schedule detectors on plain facts: who moves the schedule alone, and dates promised below the forecast."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

import pytest

from tandem.config import Thresholds
from tandem.schedule.analysis import (
    change_kind,
    judged_tracker_changes,
    siloed_schedules,
    team_metrics,
    unrealistic_commitments,
)
from tandem.schedule.facts import ChangeFacts, RevisionFacts, ScheduleFacts, SignatureFacts, counterpart
from tandem.workdays import working_days_between

NOW = datetime(2026, 11, 25, 12, tzinfo=UTC)
MONDAY = datetime(2026, 11, 2, 10, tzinfo=UTC)
LEADS = {"Payments": {"product": "pm1", "engineering": "em1"}}
FUNCTION = {"pm1": "product", "pm2": "product", "em1": "engineering", "dev1": "engineering"}
THRESHOLDS = Thresholds()


def change(
    who: str | None,
    item: str,
    at: datetime,
    field: str = "due_date",
    before: str | None = "2026-12-01",
    after: str | None = "2026-12-15",
) -> ChangeFacts:
    return ChangeFacts(
        team="Payments",
        item=item,
        field=field,
        at=at,
        actor=who or "ghost@elsewhere.example",
        person_id=who,
        function=FUNCTION.get(who or ""),
        source="jira",
        from_value=before,
        to_value=after,
    )


def facts(changes: list[ChangeFacts], revisions: list[RevisionFacts] | None = None) -> ScheduleFacts:
    return ScheduleFacts(changes=changes, revisions=revisions or [], leads=LEADS, now=NOW)


def slips(who: str, count: int) -> list[ChangeFacts]:
    return [change(who, f"PAY-{n}", MONDAY + timedelta(days=n)) for n in range(count)]


@pytest.mark.parametrize(
    ("field", "before", "after", "kind"),
    [
        ("due_date", None, "2026-12-01", "date_set"),
        ("due_date", "2026-12-01", "2026-12-15", "slipped"),
        ("due_date", "2026-12-15", "2026-12-01", "pulled_in"),
        ("due_date", "2026-12-15", None, "slipped"),
        ("sprint", "PAY Sprint 14", "PAY Sprint 14, PAY Sprint 15", "slipped"),
        ("sprint", None, "PAY Sprint 14", "planned"),
        ("scope_removed", "1.4", None, "scope_removed"),
    ],
)
def test_change_kinds(field: str, before: str | None, after: str | None, kind: str) -> None:
    assert change_kind(field, before, after) == kind


def test_engineering_slipping_dates_alone_is_a_silent_slip_story() -> None:
    [finding] = siloed_schedules(facts(slips("dev1", 6)), THRESHOLDS)
    assert finding.kind == "siloed_schedule"
    assert finding.evidence["story"] == "engineering_slips_silently"
    assert finding.evidence["function"] == "engineering"
    assert finding.evidence["by_function"]["engineering"] == {"changes": 6, "alone": 6, "slipped": 6}
    assert finding.severity == 1.0


def test_product_setting_dates_alone_is_the_other_story() -> None:
    changes = [change("pm2", f"PAY-{n}", MONDAY + timedelta(days=n), before=None) for n in range(5)]
    [finding] = siloed_schedules(facts(changes), THRESHOLDS)
    assert finding.evidence["story"] == "product_sets_dates"
    assert "engineering never agreed" in finding.title


def test_the_counterpart_lead_acting_on_the_same_item_within_two_working_days_makes_it_joint() -> None:
    changes = slips("dev1", 6)
    # Friday slip answered on the next Tuesday: two working days later
    answers = [change("pm1", c.item, c.at + timedelta(days=2 if c.at.weekday() < 3 else 4)) for c in changes]
    assert siloed_schedules(facts(changes + answers), THRESHOLDS) == []


def test_an_answer_three_working_days_later_is_too_late() -> None:
    changes = slips("dev1", 6)
    answers = [change("pm1", c.item, c.at + timedelta(days=3 if c.at.weekday() < 2 else 5)) for c in changes]
    [finding] = siloed_schedules(facts(changes + answers), THRESHOLDS)
    assert finding.evidence["by_function"]["engineering"]["alone"] == 6


def test_an_answer_between_two_people_who_are_not_leads_does_not_count() -> None:
    changes = slips("dev1", 6)
    answers = [change("pm2", c.item, c.at + timedelta(hours=1)) for c in changes]
    [finding] = siloed_schedules(facts(changes + answers), THRESHOLDS)
    assert finding.evidence["by_function"]["engineering"]["alone"] == 6
    assert finding.evidence["by_function"]["product"]["alone"] == 6


def test_fewer_changes_than_the_minimum_say_nothing() -> None:
    assert siloed_schedules(facts(slips("dev1", 4)), THRESHOLDS) == []


def test_exactly_half_made_alone_is_a_silo() -> None:
    lone = slips("dev1", 3)
    unknown = [change(None, f"PAY-{n}", MONDAY, before=None) for n in range(10, 13)]
    [finding] = siloed_schedules(facts(lone + unknown), THRESHOLDS)
    assert finding.evidence["alone_share"] == 0.5
    assert finding.evidence["unattributed"] == 3


def test_less_than_half_alone_is_not() -> None:
    lone = slips("dev1", 3)
    unknown = [change(None, f"PAY-{n}", MONDAY, before=None) for n in range(10, 14)]
    assert siloed_schedules(facts(lone + unknown), THRESHOLDS) == []


def test_changes_older_than_the_window_do_not_count() -> None:
    old = [change("dev1", f"PAY-{n}", NOW - timedelta(days=91 + n)) for n in range(6)]
    assert siloed_schedules(facts(old), THRESHOLDS) == []


def revision(
    number: int,
    by: str,
    created: datetime,
    signed: dict[str, tuple[str, datetime]],
    *,
    target: date = date(2027, 1, 15),
    in_force: bool = False,
    p50: date | None = None,
) -> RevisionFacts:
    return RevisionFacts(
        commitment_id=7,
        title="Checkout v2",
        team="Payments",
        number=number,
        target_date=target,
        scope_size=4,
        confidence=0.85,
        initiated_by=by,
        initiated_function=FUNCTION[by],
        created_at=created,
        signatures=tuple(SignatureFacts(f, p, at, p50, "estimates" if p50 else None) for f, (p, at) in signed.items()),
        in_force=in_force,
    )


def test_revisions_the_counterpart_signs_late_count_as_changes_made_alone() -> None:
    revisions = [
        revision(n, "pm1", MONDAY + timedelta(days=3 * n), {"product": ("pm1", MONDAY + timedelta(days=3 * n))})
        for n in range(1, 6)
    ]
    [finding] = siloed_schedules(facts([], revisions), THRESHOLDS)
    assert finding.evidence["by_function"]["product"]["alone"] == 5
    assert finding.evidence["changes"][0]["source"] == "tandem"


def test_a_commitment_in_force_the_current_counterpart_never_signed_is_a_finding() -> None:
    signed = {"product": ("pm1", MONDAY), "engineering": ("em0", MONDAY)}
    [finding] = siloed_schedules(facts([], [revision(1, "pm1", MONDAY, signed, in_force=True)]), THRESHOLDS)
    assert finding.evidence["reasons"] == ["unsigned_commitment"]
    assert finding.evidence["unsigned_commitments"][0]["unsigned_function"] == "engineering"
    assert finding.evidence["unsigned_commitments"][0]["signed_by"] == "em0"


def test_a_commitment_both_current_leads_signed_is_fine() -> None:
    signed = {"product": ("pm1", MONDAY), "engineering": ("em1", MONDAY)}
    assert siloed_schedules(facts([], [revision(1, "pm1", MONDAY, signed, in_force=True)]), THRESHOLDS) == []


def test_a_date_below_the_p50_at_signing_is_unrealistic() -> None:
    signed = {"product": ("pm1", MONDAY), "engineering": ("em1", MONDAY + timedelta(days=1))}
    rev = revision(1, "pm1", MONDAY, signed, target=date(2027, 1, 15), in_force=True, p50=date(2027, 1, 29))
    [finding] = unrealistic_commitments(facts([], [rev]), THRESHOLDS)
    assert finding.kind == "unrealistic_commitment"
    assert finding.evidence["gap_working_days"] == 10
    assert finding.evidence["forecast_p50_at_signing"] == "2027-01-29"
    assert finding.severity == 0.75


def test_a_date_on_or_after_the_p50_is_not() -> None:
    signed = {"product": ("pm1", MONDAY), "engineering": ("em1", MONDAY)}
    rev = revision(1, "pm1", MONDAY, signed, target=date(2027, 1, 29), in_force=True, p50=date(2027, 1, 29))
    assert unrealistic_commitments(facts([], [rev]), THRESHOLDS) == []


def test_a_proposal_not_in_force_is_not_judged_yet() -> None:
    rev = revision(1, "pm1", MONDAY, {"product": ("pm1", MONDAY)}, target=date(2027, 1, 1), p50=date(2027, 2, 1))
    assert unrealistic_commitments(facts([], [rev]), THRESHOLDS) == []


def test_metrics_split_joint_and_lone_changes() -> None:
    changes = [*slips("dev1", 2), change("em1", "PAY-9", MONDAY), change("pm1", "PAY-9", MONDAY + timedelta(hours=2))]
    figures = team_metrics(facts(changes), THRESHOLDS)["Payments"]
    assert figures["schedule_changes"] == 4
    assert figures["joint_share"] == 0.5
    assert figures["engineering_alone_share"] == 0.5
    assert figures["product_alone_share"] == 0.0


def test_an_answer_just_before_the_window_still_makes_a_change_joint() -> None:
    window = timedelta(days=THRESHOLDS.schedule_window_days)
    opening = NOW - window
    slipped = [change("dev1", f"PAY-{n}", opening + timedelta(hours=2)) for n in range(6)]
    answered_the_day_before = [change("pm1", c.item, c.at - timedelta(days=1)) for c in slipped]
    assert siloed_schedules(facts(slipped + answered_the_day_before), THRESHOLDS) == []


def _answered_pairwise(changes: list[ChangeFacts], leads: dict[str, str | None], answer_days: int) -> list[bool]:
    """The rule as it reads: look at every other change of the item."""
    answered = []
    for one in changes:
        by_lead = one.person_id is not None and one.person_id == leads.get(one.function or "")
        answered.append(
            one.function is not None
            and any(
                other.function == counterpart(one.function)
                and (by_lead or (other.person_id is not None and other.person_id == leads.get(other.function)))
                and abs(working_days_between(one.at, other.at)) <= answer_days
                for other in changes
                if other.item == one.item
            )
        )
    return answered


@pytest.mark.parametrize("seed", range(5))
def test_the_columnar_judgement_agrees_with_looking_at_every_pair(seed: int) -> None:
    rng = random.Random(seed)
    people = [*FUNCTION, None]
    start = datetime(2026, 6, 1, tzinfo=UTC)
    changes = [
        change(
            rng.choice(people),
            f"PAY-{rng.randrange(30)}",
            # whole days and half days apart, so answers land exactly on the two-working-day boundary too
            start + timedelta(hours=12 * rng.randrange(300), seconds=rng.choice([0, 0, 1, 3600])),
        )
        for _ in range(600)
    ]
    judged = judged_tracker_changes(facts(changes), THRESHOLDS.silo_answer_working_days)
    ordered = [judged.table[index] for index in judged.order.tolist()]
    expected = _answered_pairwise(ordered, LEADS["Payments"], THRESHOLDS.silo_answer_working_days)
    assert judged.joint.tolist() == expected
    assert 0 < sum(expected) < len(expected)


def test_a_window_keeps_the_changes_dated_inside_it_and_moves_now_to_its_end() -> None:
    changes = slips("dev1", 10)  # one a day from MONDAY
    until = MONDAY + timedelta(days=6, hours=1)
    windowed = facts(changes).within(MONDAY + timedelta(days=2), until)
    assert [c.item for c in windowed.changes] == [f"PAY-{n}" for n in range(2, 7)]
    assert windowed.now == until


def test_as_of_a_window_s_end_the_revision_in_force_is_the_last_both_had_signed_by_then() -> None:
    both = {"product": ("pm1", MONDAY + timedelta(hours=2)), "engineering": ("em1", MONDAY + timedelta(hours=3))}
    later = {"product": ("pm1", MONDAY + timedelta(days=8)), "engineering": ("em1", MONDAY + timedelta(days=9))}
    revisions = [
        revision(1, "pm1", MONDAY, both),
        revision(2, "em1", MONDAY + timedelta(days=7), later, in_force=True),
    ]
    then = facts([], revisions).within(None, MONDAY + timedelta(days=8, hours=12))
    assert [(r.number, r.in_force, len(r.signatures)) for r in then.revisions] == [(1, True, 2), (2, False, 1)]
    assert [r.in_force for r in facts([], revisions).within(None, None).revisions] == [False, True]
