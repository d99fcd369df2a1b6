"""Running the walk: load each detector's data once, run the pure detectors, order the findings."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tandem import __version__
from tandem.config import Thresholds
from tandem.constraints.models import ConstraintEvent
from tandem.db import utcnow
from tandem.decisions.models import DecisionEvent
from tandem.org.models import OrgImport, Person, Team
from tandem.org.service import org_counts
from tandem.overlap.models import RitualImport
from tandem.schedule.models import Commitment, CommitmentRevision, CommitmentSignature, ScheduleChange
from tandem.trust.models import Pulse, PulseResponse
from tandem.walk import scorecards
from tandem.walk.findings import Finding, WalkReport, WalkWindow, worst_first
from tandem.walk.registry import (
    TimeWindow,
    collector_paused,
    detectors,
    metric_providers,
    one_read_per_walk,
    read,
)


class DetectorContractError(RuntimeError):
    """A detector returned a finding of another kind or practice than it registered: a bug, never data."""


def run_walk(
    session: Session, thresholds: Thresholds, *, generated_at: datetime | None = None, window: TimeWindow | None = None
) -> WalkReport:
    """The walk over the whole org, or over ``window``'s stretch of time (see ``TimeWindow``)."""
    findings: list[Finding] = []
    figures: dict[str, Any] = {}
    window = window if window is not None and not window.whole else None
    with one_read_per_walk(session, window), collector_paused():
        for registered in detectors():
            for finding in registered.detect(read(session, registered.load), thresholds):
                if finding.kind != registered.kind or finding.practice != registered.practice:
                    raise DetectorContractError(
                        f"detector '{registered.kind}' returned a '{finding.kind}' finding for '{finding.practice}'"
                    )
                findings.append(finding)
        for provider in metric_providers():
            figures[provider.name] = provider.compute(read(session, provider.load), thresholds)
    ordered = sorted(findings, key=worst_first)
    cards = scorecards.scorecards(team_pairs(session), ordered, figures, thresholds)
    return WalkReport(
        tandem_version=__version__,
        generated_at=generated_at or utcnow(),
        org=org_counts(session),
        findings=ordered,
        metrics=figures,
        scorecards=cards,
        model_pairs=scorecards.model_pairs(cards, figures, org_findings=ordered),
        window=WalkWindow(since=window.since, until=window.until) if window is not None else None,
    )


def team_pairs(session: Session) -> list[scorecards.Pair]:
    """Every active team's two lead seats (active people only) with their names."""
    people = {pid: name for pid, name in session.execute(select(Person.id, Person.name).where(Person.active))}  # noqa: C416
    rows = session.execute(
        select(Team.name, Team.product_lead_id, Team.engineering_lead_id).where(Team.active).order_by(Team.name)
    )
    pairs = []
    for name, product, engineering in rows:
        product = product if product in people else None
        engineering = engineering if engineering in people else None
        pairs.append(
            scorecards.Pair(
                team=name,
                product_lead=product,
                engineering_lead=engineering,
                product_lead_name=people.get(product) if product else None,
                engineering_lead_name=people.get(engineering) if engineering else None,
            )
        )
    return pairs


def data_version(session: Session) -> tuple[object, ...]:
    """A cheap fingerprint of everything the walk reads: it changes whenever an import, a decision step, a
    schedule change, a commitment step, a constraint step, a pulse answer or a calendar import does (append-only
    logs and counters), so a cached report can be reused exactly until then."""
    return tuple(
        session.execute(
            select(
                select(func.max(OrgImport.id)).scalar_subquery(),
                select(func.max(DecisionEvent.id)).scalar_subquery(),
                select(func.max(ScheduleChange.id)).scalar_subquery(),
                select(func.max(CommitmentSignature.id)).scalar_subquery(),
                select(func.max(CommitmentRevision.id)).scalar_subquery(),
                select(func.max(Commitment.updated_at)).scalar_subquery(),
                select(func.max(ConstraintEvent.id)).scalar_subquery(),
                select(func.count()).select_from(PulseResponse).scalar_subquery(),
                select(func.count()).where(Pulse.closes_at <= utcnow()).scalar_subquery(),  # a pulse just closed
                select(func.max(RitualImport.id)).scalar_subquery(),
            )
        ).one()
    )
