"""The overlap and one-team findings, registered with the walk: missing overlap, and fracture under pressure."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from tandem.config import Thresholds
from tandem.decisions import detectors as decision_detectors
from tandem.overlap import analysis, pressure
from tandem.overlap.facts import OverlapFacts, PressureFacts
from tandem.overlap.service import load_overlap_facts
from tandem.schedule import detectors as schedule_detectors
from tandem.trust import detectors as trust_detectors
from tandem.trust.service import trust_thresholds
from tandem.walk.findings import Finding, Practice
from tandem.walk.registry import detector, metrics, read, walk_window


def load_inputs(session: Session) -> OverlapFacts:
    window = walk_window(session)
    return load_overlap_facts(session, window.until).within(window.since, window.until)


def load_pressure_inputs(session: Session) -> PressureFacts:
    """The pressure test's facts from the other domains' loaders: in a walk, what they already read is reused."""
    overlap = read(session, load_inputs)
    return PressureFacts(
        schedule=read(session, schedule_detectors.load_inputs),
        decisions=read(session, decision_detectors.load_decision_inputs).facts,
        occurrences=overlap.occurrences,
        trust=read(session, trust_detectors.load_inputs),
        now=overlap.now,
        leads=overlap.leads,
    )


@detector(
    "engineering_absent_from_discovery",
    Practice.OVERLAP,
    "Fewer than half of a team's discovery and planning sessions have an engineer present.",
    load_inputs,
)
def engineering_absent_from_discovery(facts: OverlapFacts, thresholds: Thresholds) -> list[Finding]:
    return analysis.engineering_absent_from_discovery(facts, thresholds)


@detector(
    "product_absent_from_delivery",
    Practice.OVERLAP,
    "Fewer than 40% of a team's standups, retros and demos have the product lead or a PM present.",
    load_inputs,
)
def product_absent_from_delivery(facts: OverlapFacts, thresholds: Thresholds) -> list[Finding]:
    return analysis.product_absent_from_delivery(facts, thresholds)


@detector(
    "fracture_under_pressure",
    Practice.ONE_TEAM,
    "Under pressure (before committed dates, after slips, scope cuts and incidents) a team's unilateral changes, "
    "escalations, trust or joint rituals move significantly and markedly against its own baseline.",
    load_pressure_inputs,
)
def fracture_under_pressure(facts: PressureFacts, thresholds: Thresholds) -> list[Finding]:
    return pressure.fracture_under_pressure(facts, thresholds, trust_thresholds(thresholds))


@metrics("overlap", load_inputs)
def overlap_metrics(facts: OverlapFacts, thresholds: Thresholds) -> dict[str, dict[str, Any]]:
    """Per team: ritual presence of each side, lead attendance by kind, who organises, the monthly trend."""
    return analysis.team_metrics(facts, thresholds)


@metrics("pressure", load_pressure_inputs)
def pressure_metrics(facts: PressureFacts, thresholds: Thresholds) -> dict[str, dict[str, Any]]:
    """Per team with pressure periods: the periods and each measure inside against outside pressure."""
    return pressure.pressure_figures(facts, thresholds, trust_thresholds(thresholds))
