"""Overlap metrics and findings: pure functions over ``OverlapFacts``, no database.

Who counts as present: an attendee speaks for their lead seat on the team, else their function, so the product
lead is product and the engineering lead engineering whatever their job family. An *engineer present* is any
attendee on the engineering side; *product present* is the product lead or any product manager. The organiser is
present unless they declined (the importer's rule).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

import numpy as np

from tandem.config import Thresholds
from tandem.overlap.facts import (
    DELIVERY_KINDS,
    DISCOVERY_KINDS,
    FUNCTIONS,
    PRODUCT_PRESENCE_KINDS,
    OccurrenceFacts,
    OverlapFacts,
    RitualKind,
)
from tandem.walk.findings import Finding, Practice, Recommendation, Scope, finding_id, worst_first

MAX_LISTED = 10
"""The most occurrences a finding's evidence lists, newest first."""
TREND_MONTHS = 12
_EPSILON = 1e-9


def engineer_present(occurrence: OccurrenceFacts) -> bool:
    return occurrence.has_function("engineering")


def product_present(occurrence: OccurrenceFacts) -> bool:
    return occurrence.has_function("product")


def both_present(occurrence: OccurrenceFacts) -> bool:
    """A joint ritual: product and engineering both in the room."""
    return engineer_present(occurrence) and product_present(occurrence)


def share(count: int, total: int) -> float | None:
    return round(count / total, 4) if total else None


def by_team(occurrences: Iterable[OccurrenceFacts]) -> dict[str, list[OccurrenceFacts]]:
    teams: dict[str, list[OccurrenceFacts]] = defaultdict(list)
    for occurrence in occurrences:
        teams[occurrence.team].append(occurrence)
    return {team: sorted(teams[team], key=lambda o: (o.start, o.id)) for team in sorted(teams)}


def _in_window(facts: OverlapFacts, days: int) -> list[OccurrenceFacts]:
    since = facts.now - timedelta(days=days)
    return [o for o in facts.occurrences if since <= o.start <= facts.now]


def _median(values: Sequence[float]) -> float | None:
    return round(float(np.median(values)), 4) if values else None


# --- metrics --------------------------------------------------------------------------------------------------------


def _presence(occurrences: Sequence[OccurrenceFacts]) -> dict[str, Any]:
    discovery = [o for o in occurrences if o.kind in DISCOVERY_KINDS]
    delivery = [o for o in occurrences if o.kind in DELIVERY_KINDS]
    return {
        "occurrences": len(occurrences),
        "discovery_occurrences": len(discovery),
        "discovery_with_engineer": share(sum(map(engineer_present, discovery)), len(discovery)),
        "delivery_occurrences": len(delivery),
        "delivery_with_product": share(sum(map(product_present, delivery)), len(delivery)),
        "joint": share(sum(map(both_present, occurrences)), len(occurrences)),
    }


def _month(moment: datetime) -> str:
    return f"{moment.year:04d}-{moment.month:02d}"


def _months_back(now: datetime, count: int) -> list[str]:
    year, month = now.year, now.month
    months = []
    for _ in range(count):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return months[::-1]


def team_metrics(facts: OverlapFacts, thresholds: Thresholds) -> dict[str, dict[str, Any]]:
    """Per team, over the rituals of the last ``overlap_window_days``:

    - ``occurrences`` and ``by_kind``; ``discovery_with_engineer``: the share of discovery and planning occurrences
      with an engineer present; ``delivery_with_product``: the share of delivery rituals (standup, retro, demo,
      incident review) with the product lead or a PM present; ``joint``: the share of all occurrences with both
      sides present (None where there is nothing to share out);
    - ``lead_attendance``: for each lead seat, the lead and the share of the team's occurrences of each kind they
      attended;
    - ``organisers``: occurrences called by each side (``unknown`` for an organiser outside the org), and
      ``organiser_product_share``: product's share of those called by product or engineering;
    - ``trend``: the presence figures per calendar month over the last 12 months (UTC), oldest first.

    Active teams with no rituals are listed too: holding none is a figure.
    """
    window = _in_window(facts, thresholds.overlap_window_days)
    recent = by_team(window)
    year = by_team(o for o in facts.occurrences if o.start <= facts.now)
    months = _months_back(facts.now, TREND_MONTHS)
    figures: dict[str, dict[str, Any]] = {}
    for team in sorted(set(recent) | set(facts.teams)):
        occurrences = recent.get(team, [])
        leads = facts.leads.get(team, {})
        kinds = Counter(o.kind for o in occurrences)
        organisers = Counter(o.organiser_function or "unknown" for o in occurrences)
        called = organisers["product"] + organisers["engineering"]
        by_month: dict[str, list[OccurrenceFacts]] = defaultdict(list)
        for occurrence in year.get(team, []):
            by_month[_month(occurrence.start)].append(occurrence)
        figures[team] = {
            "window_days": thresholds.overlap_window_days,
            **_presence(occurrences),
            "by_kind": {kind.value: kinds[kind] for kind in RitualKind if kinds[kind]},
            "lead_attendance": {
                function: {
                    "person": leads.get(function),
                    **{
                        kind.value: share(
                            sum(o.has_person(leads.get(function)) for o in occurrences if o.kind is kind), kinds[kind]
                        )
                        for kind in RitualKind
                        if kinds[kind]
                    },
                }
                for function in FUNCTIONS
            },
            "organisers": dict(sorted(organisers.items())),
            "organiser_product_share": share(organisers["product"], called),
            "trend": {month: _presence(by_month.get(month, [])) for month in months},
        }
    return figures


# --- engineering absent from discovery, product absent from delivery ---------------------------------------------


def _listed(occurrences: Sequence[OccurrenceFacts]) -> list[dict[str, Any]]:
    newest = sorted(occurrences, key=lambda o: (o.start, o.id), reverse=True)[:MAX_LISTED]
    return [
        {
            "at": o.start.isoformat(),
            "kind": o.kind.value,
            "summary": o.summary,
            "organiser": o.organiser,
            "attendees": len(o.attendees),
        }
        for o in newest
    ]


def _absence_findings(
    facts: OverlapFacts,
    thresholds: Thresholds,
    *,
    kind: str,
    kinds: Sequence[RitualKind],
    present: Any,
    minimum: int,
    threshold: float,
) -> list[Finding]:
    """Teams where one side is missing from rituals it should be in: shared by both absence detectors."""
    judged = {
        team: [o for o in occurrences if o.kind in kinds]
        for team, occurrences in by_team(_in_window(facts, thresholds.overlap_window_days)).items()
    }
    judged = {team: occurrences for team, occurrences in judged.items() if len(occurrences) >= minimum}
    shares = {team: sum(map(present, o)) / len(o) for team, o in judged.items()}
    org_median = _median(list(shares.values()))
    findings = []
    for team, occurrences in judged.items():
        if shares[team] + _EPSILON >= threshold:
            continue
        findings.append(_absence_finding(facts, thresholds, kind, team, occurrences, present, threshold, org_median))
    return sorted(findings, key=worst_first)


_ABSENCE = {
    "engineering_absent_from_discovery": {
        "side": "engineering",
        "what": "discovery and planning",
        "title": "engineers are in {with_} of {total} discovery and planning sessions ({pct:.0%})",
        "step": (
            "Invite the engineering lead and at least one engineer to every customer interview, problem framing and "
            "planning review for the next month, and have them co-run one: engineers who hear the problem first "
            "shape a better solution and estimate it honestly."
        ),
    },
    "product_absent_from_delivery": {
        "side": "product",
        "what": "standups, retros and demos",
        "title": "product is in {with_} of {total} standups, retros and demos ({pct:.0%})",
        "step": (
            "Have the product lead (or a PM of the team) attend at least two standups a week, every retro and every "
            "demo until delivery: product that stays through delivery answers questions the day they come up and "
            "owns the trade-offs with engineering."
        ),
    },
}


def _absence_finding(
    facts: OverlapFacts,
    thresholds: Thresholds,
    kind: str,
    team: str,
    occurrences: list[OccurrenceFacts],
    present: Any,
    threshold: float,
    org_median: float | None,
) -> Finding:
    words = _ABSENCE[kind]
    with_ = sum(map(present, occurrences))
    total = len(occurrences)
    team_share = with_ / total
    kinds = Counter(o.kind for o in occurrences)
    attended = Counter(o.kind for o in occurrences if present(o))
    leads = facts.leads.get(team, {})
    lead = leads.get(str(words["side"]))
    title = f"{team}: " + str(words["title"]).format(with_=with_, total=total, pct=team_share)
    return Finding(
        id=finding_id(kind, f"team:{team}"),
        kind=kind,
        practice=Practice.OVERLAP,
        severity=round(min(1.0, 0.4 + 0.6 * (threshold - team_share) / threshold), 3),
        title=title,
        scope=Scope(teams=[team], people=sorted({p for p in leads.values() if p is not None})),
        evidence={
            "window_days": thresholds.overlap_window_days,
            "occurrences": total,
            "with_" + ("engineer" if words["side"] == "engineering" else "product"): with_,
            "share": round(team_share, 4),
            "org_median_share": org_median,
            "by_kind": {
                k.value: {"occurrences": kinds[k], "present": attended[k], "share": share(attended[k], kinds[k])}
                for k in RitualKind
                if kinds[k]
            },
            "lead": lead,
            "lead_attended": sum(o.has_person(lead) for o in occurrences),
            "missed": _listed([o for o in occurrences if not present(o)]),
            "threshold_share": threshold,
            "threshold_min_occurrences": (
                thresholds.discovery_min_occurrences
                if kind == "engineering_absent_from_discovery"
                else thresholds.delivery_min_occurrences
            ),
        },
        recommendation=Recommendation(practice=Practice.OVERLAP, step=str(words["step"])),
    )


def engineering_absent_from_discovery(facts: OverlapFacts, thresholds: Thresholds) -> list[Finding]:
    """Teams whose discovery and planning happen without engineers.

    Over the last ``overlap_window_days``, a team with at least ``discovery_min_occurrences`` discovery or planning
    occurrences, fewer than ``discovery_engineer_share`` of which had an engineer present. Severity
    ``0.4 + 0.6 * (threshold - share) / threshold``. The evidence compares the team with the median share of every
    team judged (``org_median_share``).
    """
    return _absence_findings(
        facts,
        thresholds,
        kind="engineering_absent_from_discovery",
        kinds=DISCOVERY_KINDS,
        present=engineer_present,
        minimum=thresholds.discovery_min_occurrences,
        threshold=thresholds.discovery_engineer_share,
    )


def product_absent_from_delivery(facts: OverlapFacts, thresholds: Thresholds) -> list[Finding]:
    """Teams whose standups, retros and demos happen without product.

    Over the last ``overlap_window_days``, a team with at least ``delivery_min_occurrences`` standups, retros and
    demos, fewer than ``delivery_product_share`` of which had the product lead or a PM present. Incident reviews
    are reported in the metrics but not judged here. Severity as for engineering's absence.
    """
    return _absence_findings(
        facts,
        thresholds,
        kind="product_absent_from_delivery",
        kinds=PRODUCT_PRESENCE_KINDS,
        present=product_present,
        minimum=thresholds.delivery_min_occurrences,
        threshold=thresholds.delivery_product_share,
    )
