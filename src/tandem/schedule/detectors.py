"""The schedule findings, registered with the walk: siloed schedules and unrealistic commitments."""

from __future__ import annotations

from sqlalchemy.orm import Session

from tandem.config import Thresholds
from tandem.schedule import analysis
from tandem.schedule.facts import ScheduleFacts
from tandem.schedule.service import load_schedule_facts
from tandem.walk.findings import Finding, Practice
from tandem.walk.registry import detector, metrics, walk_window


def load_inputs(session: Session) -> ScheduleFacts:
    window = walk_window(session)
    return load_schedule_facts(session, window.until).within(window.since, window.until)


@detector(
    "siloed_schedule",
    Practice.JOINT_SCHEDULE,
    "One function moves a team's dates and scope alone, or a commitment is in force that one lead never signed.",
    load_inputs,
)
def siloed_schedule(facts: ScheduleFacts, thresholds: Thresholds) -> list[Finding]:
    return analysis.siloed_schedules(facts, thresholds)


@detector(
    "unrealistic_commitment",
    Practice.JOINT_SCHEDULE,
    "A commitment in force whose date was below the forecast's P50 when both leads signed it.",
    load_inputs,
)
def unrealistic_commitment(facts: ScheduleFacts, thresholds: Thresholds) -> list[Finding]:
    return analysis.unrealistic_commitments(facts, thresholds)


@metrics("schedule", load_inputs)
def schedule_metrics(facts: ScheduleFacts, thresholds: Thresholds) -> dict[str, dict[str, float | int | None]]:
    """Per team, over the window: schedule changes, the share made jointly or alone, commitments in force."""
    return analysis.team_metrics(facts, thresholds)
