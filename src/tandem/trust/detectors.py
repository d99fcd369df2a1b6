"""The trust findings, registered with the walk: breakdowns and asymmetries, every figure through the gate."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from tandem.config import Thresholds
from tandem.trust import analysis
from tandem.trust.facts import TrustFacts
from tandem.trust.service import load_trust_facts, trust_thresholds
from tandem.walk.findings import Finding, Practice
from tandem.walk.registry import detector, metrics, walk_window


def load_inputs(session: Session) -> TrustFacts:
    window = walk_window(session)
    return load_trust_facts(session, window.until).within(window.since, window.until)


@detector(
    "trust_breakdown",
    Practice.TRUST,
    "A team's trust in the other function is low (index or its lower bound) or falling significantly.",
    load_inputs,
)
def trust_breakdown(facts: TrustFacts, thresholds: Thresholds) -> list[Finding]:
    return analysis.trust_breakdown(facts, trust_thresholds(thresholds))


@detector(
    "trust_asymmetry",
    Practice.TRUST,
    "Product's trust in engineering and engineering's in product differ by a point or more.",
    load_inputs,
)
def trust_asymmetry(facts: TrustFacts, thresholds: Thresholds) -> list[Finding]:
    return analysis.trust_asymmetry(facts, trust_thresholds(thresholds))


@metrics("trust", load_inputs)
def trust_metrics(facts: TrustFacts, thresholds: Thresholds) -> dict[str, dict[str, Any]]:
    """Per team and direction, the released figures of the latest pulse."""
    return analysis.trust_metrics(facts, trust_thresholds(thresholds))
