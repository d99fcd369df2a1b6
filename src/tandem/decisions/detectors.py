"""The decision findings, registered with the walk: paralysis, one-sidedness and factor blind spots."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from tandem.config import Thresholds
from tandem.db import utcnow
from tandem.decisions import analysis
from tandem.decisions.facts import DecisionFacts, within
from tandem.decisions.service import load_facts
from tandem.walk.findings import Finding, Practice
from tandem.walk.registry import detector, metrics, walk_window


@dataclass(frozen=True)
class DecisionInputs:
    """Every opened decision as facts, and the moment the walk looks at them."""

    facts: list[DecisionFacts]
    now: datetime


def load_decision_inputs(session: Session) -> DecisionInputs:
    window = walk_window(session)
    return DecisionInputs(within(load_facts(session), window.since, window.until), window.until or utcnow())


@detector(
    "decision_paralysis",
    Practice.COMMON_MANAGER,
    "A team's decisions wait too long: past their time-box, slow as a rule, or escalations left unanswered.",
    load_decision_inputs,
)
def decision_paralysis(inputs: DecisionInputs, thresholds: Thresholds) -> list[Finding]:
    return analysis.decision_paralysis(inputs.facts, thresholds, inputs.now)


@detector(
    "one_sided_decisions",
    Practice.EQUAL_POWER,
    "Of a team's (or the org's) contested decisions, one function's preferred option nearly always wins.",
    load_decision_inputs,
)
def one_sided_decisions(inputs: DecisionInputs, thresholds: Thresholds) -> list[Finding]:
    return analysis.one_sided_decisions(inputs.facts, thresholds, inputs.now)


@detector(
    "factor_blind_spot",
    Practice.SHARED_GOAL,
    "One function on a team never weighs one of the five factors.",
    load_decision_inputs,
)
def factor_blind_spot(inputs: DecisionInputs, thresholds: Thresholds) -> list[Finding]:
    return analysis.factor_blind_spots(inputs.facts, thresholds, inputs.now)


@metrics("decisions", load_decision_inputs)
def decision_metrics(inputs: DecisionInputs, thresholds: Thresholds) -> dict[str, dict[str, float | int | None]]:
    """Per team: time to decision (median, p90), escalation rate, and who decides."""
    return analysis.team_metrics(inputs.facts, inputs.now)
