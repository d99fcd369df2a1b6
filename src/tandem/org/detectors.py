"""The structural findings: what the org chart alone says about equal power and a common manager."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from tandem.config import Thresholds
from tandem.org.analysis import (
    CounterpartPair,
    OrgSnapshot,
    PersonNode,
    counterpart_pairs,
    senior_leadership,
)
from tandem.org.models import Function
from tandem.org.service import load_org_snapshot
from tandem.walk.findings import Finding, Practice, Recommendation, Scope, finding_id
from tandem.walk.registry import detector


def _who(person: PersonNode) -> dict[str, Any]:
    return {"id": person.id, "name": person.name, "title": person.title, "level": person.level}


def _complete_pairs(org: OrgSnapshot) -> Iterator[CounterpartPair]:
    """Pairs with two distinct, active leads; the rest are missing_counterpart's business."""
    for pair in counterpart_pairs(org):
        product, engineering = pair.product_lead, pair.engineering_lead
        if product and engineering and product.id != engineering.id and product.active and engineering.active:
            yield pair


@detector(
    "power_gap",
    Practice.EQUAL_POWER,
    "A team's leads stand levels apart or one reports to the other; or the senior leaders are not peers.",
    load_org_snapshot,
)
def power_gap(org: OrgSnapshot, thresholds: Thresholds) -> Iterator[Finding]:
    for pair in _complete_pairs(org):
        assert pair.product_lead is not None and pair.engineering_lead is not None
        gap = pair.level_gap or 0
        reasons = []
        if abs(gap) >= thresholds.power_gap_levels:
            reasons.append("level_gap")
        if pair.reports_into_counterpart is not None:
            reasons.append("reports_to_counterpart")
        if not reasons:
            continue
        senior = Function.PRODUCT if gap > 0 else Function.ENGINEERING
        if pair.reports_into_counterpart is not None:
            senior = Function.PRODUCT if pair.reports_into_counterpart == Function.ENGINEERING else Function.ENGINEERING
        junior = Function.ENGINEERING if senior == Function.PRODUCT else Function.PRODUCT
        severity = min(1.0, abs(gap) / 4)
        if pair.reports_into_counterpart is not None:
            severity = max(severity, 0.8)
        title = (
            f"{pair.team}: the {junior.value} lead reports to the {senior.value} lead"
            if "reports_to_counterpart" in reasons
            else f"{pair.team}: the {senior.value} lead is {abs(gap)} levels above the {junior.value} lead"
        )
        yield Finding(
            id=finding_id("power_gap", f"team:{pair.team}"),
            kind="power_gap",
            practice=Practice.EQUAL_POWER,
            severity=round(severity, 3),
            title=title,
            scope=Scope(teams=[pair.team], people=[pair.product_lead.id, pair.engineering_lead.id]),
            evidence={
                "scope": "team",
                "reasons": reasons,
                "product_lead": _who(pair.product_lead),
                "engineering_lead": _who(pair.engineering_lead),
                "level_gap": abs(gap),
                "senior_function": senior.value,
                "threshold_levels": thresholds.power_gap_levels,
            },
            recommendation=Recommendation(
                practice=Practice.EQUAL_POWER,
                step=(
                    f"Give {pair.team} two leads of equal standing: move the {junior.value} lead out of the "
                    f"{senior.value} lead's reporting line and to a level within one of theirs (or pair the "
                    f"{senior.value} lead with a more senior counterpart), so neither side wins decisions by rank."
                ),
            ),
        )
    yield from _senior_power_gap(org, thresholds)


def _senior_power_gap(org: OrgSnapshot, thresholds: Thresholds) -> Iterator[Finding]:
    top = senior_leadership(org)
    if top.product is None and top.engineering is None:
        return
    reasons: list[str] = []
    if top.product is None or top.engineering is None:
        reasons.append("no_senior_leader")
    else:
        if top.product_depth != top.engineering_depth:
            reasons.append("different_depth")
        if abs(top.level_gap or 0) >= thresholds.senior_power_gap_levels:
            reasons.append("level_gap")
        if top.reports_into is not None:
            reasons.append("reports_into_other_function")
    if not reasons:
        return
    present = [p for p in (top.product, top.engineering) if p is not None]
    if top.product is None or top.engineering is None:
        missing = "product" if top.product is None else "engineering"
        title = f"The org has no senior {missing} leader below the root"
        senior_function = Function.ENGINEERING if top.product is None else Function.PRODUCT
        severity = 1.0
    else:
        senior_function = _senior_side(
            top.product_depth or 0, top.engineering_depth or 0, top.level_gap or 0, top.reports_into
        )
        junior = Function.ENGINEERING if senior_function == Function.PRODUCT else Function.PRODUCT
        title = f"The senior {junior.value} leader is not a peer of the senior {senior_function.value} leader"
        depth_gap = abs((top.product_depth or 0) - (top.engineering_depth or 0))
        severity = min(1.0, 0.5 + 0.25 * depth_gap + 0.1 * abs(top.level_gap or 0))
        if top.reports_into is not None:
            severity = 1.0
    yield Finding(
        id=finding_id("power_gap", "org"),
        kind="power_gap",
        practice=Practice.EQUAL_POWER,
        severity=round(severity, 3),
        title=title,
        scope=Scope(teams=[], people=[p.id for p in present]),
        evidence={
            "scope": "org",
            "reasons": reasons,
            "senior_product_leader": _who(top.product) | {"depth": top.product_depth} if top.product else None,
            "senior_engineering_leader": (
                _who(top.engineering) | {"depth": top.engineering_depth} if top.engineering else None
            ),
            "level_gap": abs(top.level_gap) if top.level_gap is not None else None,
            "senior_function": senior_function.value,
            "function_reporting_into_the_other": top.reports_into.value if top.reports_into else None,
            "threshold_levels": thresholds.senior_power_gap_levels,
        },
        recommendation=Recommendation(
            practice=Practice.EQUAL_POWER,
            step=(
                "Make the heads of product and engineering peers: both report to the same executive, at the "
                "same level, neither inside the other's function; power gaps at the top repeat in every team."
            ),
        ),
    )


def _senior_side(product_depth: int, engineering_depth: int, gap: int, reports_into: Function | None) -> Function:
    if reports_into is not None:
        return Function.PRODUCT if reports_into == Function.ENGINEERING else Function.ENGINEERING
    if product_depth != engineering_depth:
        return Function.PRODUCT if product_depth < engineering_depth else Function.ENGINEERING
    return Function.PRODUCT if gap > 0 else Function.ENGINEERING


@detector(
    "distant_accountable_manager",
    Practice.COMMON_MANAGER,
    "The manager who decides a team's disagreements is many reporting-line hops away, or there is none.",
    load_org_snapshot,
)
def distant_accountable_manager(org: OrgSnapshot, thresholds: Thresholds) -> Iterator[Finding]:
    for pair in _complete_pairs(org):
        assert pair.product_lead is not None and pair.engineering_lead is not None
        distance = pair.escalation_distance
        if distance is not None and distance < thresholds.escalation_distance:
            continue
        manager = org.people.get(pair.accountable_manager) if pair.accountable_manager else None
        if manager is None:
            title = f"{pair.team}: the two leads have no common manager to escalate to"
            severity = 1.0
        else:
            title = f"{pair.team}: disagreements escalate {distance} levels up, to {manager.name}"
            severity = min(1.0, 0.2 * (distance or 0) - 0.2)
        yield Finding(
            id=finding_id("distant_accountable_manager", f"team:{pair.team}"),
            kind="distant_accountable_manager",
            practice=Practice.COMMON_MANAGER,
            severity=round(severity, 3),
            title=title,
            scope=Scope(
                teams=[pair.team],
                people=[pair.product_lead.id, pair.engineering_lead.id] + ([manager.id] if manager else []),
            ),
            evidence={
                "accountable_manager": _who(manager) if manager else None,
                "accountable_manager_source": (
                    pair.accountable_manager_source.value if pair.accountable_manager_source else None
                ),
                "inactive_override_ignored": pair.ignored_override,
                "escalation_distance": distance,
                "product_lead_hops": pair.product_hops,
                "engineering_lead_hops": pair.engineering_hops,
                "threshold_hops": thresholds.escalation_distance,
            },
            recommendation=Recommendation(
                practice=Practice.COMMON_MANAGER,
                step=(
                    f"Name an accountable manager for {pair.team} within two hops of both leads (a group lead "
                    "over both), time-box the team's disagreements and escalate to that manager, who decides fast."
                ),
            ),
        )


@detector(
    "missing_counterpart",
    Practice.EQUAL_POWER,
    "A team lacks a product or engineering lead, one person holds both seats, or a lead has left.",
    load_org_snapshot,
)
def missing_counterpart(org: OrgSnapshot, thresholds: Thresholds) -> Iterator[Finding]:
    for pair in counterpart_pairs(org):
        product, engineering = pair.product_lead, pair.engineering_lead
        reasons: list[str] = []
        if product is None:
            reasons.append("no_product_lead")
        if engineering is None:
            reasons.append("no_engineering_lead")
        if product is not None and engineering is not None and product.id == engineering.id:
            reasons.append("same_person_in_both_seats")
        reasons += [
            f"inactive_{seat}_lead"
            for seat, lead in (("product", product), ("engineering", engineering))
            if lead is not None and not lead.active
        ]
        if not reasons:
            continue
        severity = 1.0 if product is None and engineering is None else 0.9
        if all(reason.startswith("inactive") for reason in reasons):
            severity = 0.8
        people = list(dict.fromkeys(p.id for p in (product, engineering) if p is not None))
        yield Finding(
            id=finding_id("missing_counterpart", f"team:{pair.team}"),
            kind="missing_counterpart",
            practice=Practice.EQUAL_POWER,
            severity=severity,
            title=f"{pair.team}: " + _missing_title(reasons),
            scope=Scope(teams=[pair.team], people=people),
            evidence={
                "reasons": reasons,
                "product_lead": _who(product) | {"active": product.active} if product else None,
                "engineering_lead": _who(engineering) | {"active": engineering.active} if engineering else None,
            },
            recommendation=Recommendation(
                practice=Practice.EQUAL_POWER,
                step=(
                    f"Staff {pair.team} with two people, one product lead and one engineering lead of equal "
                    "standing, and record them in the teams file; until then the team has no two-in-a-box."
                ),
            ),
        )


def _missing_title(reasons: list[str]) -> str:
    phrases = {
        "no_product_lead": "no product lead",
        "no_engineering_lead": "no engineering lead",
        "same_person_in_both_seats": "one person holds both lead seats",
        "inactive_product_lead": "the product lead has left",
        "inactive_engineering_lead": "the engineering lead has left",
    }
    return "; ".join(phrases[reason] for reason in reasons)
