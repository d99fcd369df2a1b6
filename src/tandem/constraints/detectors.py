"""The constraints finding, registered with the walk: hidden constraints."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from tandem.config import Thresholds
from tandem.constraints import analysis
from tandem.constraints.facts import BoardFacts
from tandem.constraints.service import load_board_facts
from tandem.walk.findings import Finding, Practice
from tandem.walk.registry import detector, metrics, walk_window


def load_inputs(session: Session) -> BoardFacts:
    window = walk_window(session)
    return load_board_facts(session, window.until).within(window.since, window.until)


@detector(
    "hidden_constraints",
    Practice.TRUST,
    "One function on a team shares its constraints while the other shares none, or constraints sit unacknowledged "
    "by the counterpart lead.",
    load_inputs,
)
def hidden_constraints(facts: BoardFacts, thresholds: Thresholds) -> list[Finding]:
    return analysis.hidden_constraints(facts, thresholds)


@metrics("constraints", load_inputs)
def constraint_metrics(facts: BoardFacts, thresholds: Thresholds) -> dict[str, dict[str, Any]]:
    """Per team and function, over the window: constraints shared per person per month, and the working days to
    acknowledgement and to resolution."""
    return analysis.team_metrics(facts, thresholds)
