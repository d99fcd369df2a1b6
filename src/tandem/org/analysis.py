"""Structural analysis of the org chart: pure functions over plain data, no database.

Vocabulary:
- a team's *counterpart pair* is its product lead and its engineering lead;
- its *accountable manager* is the explicit override if set, else the lowest common manager of the two leads
  (the lowest person strictly above both in the reporting lines);
- its *escalation distance* is the larger number of reporting-line hops from either lead to that manager.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cached_property

from tandem.org.models import Function


@dataclass(frozen=True)
class PersonNode:
    id: str
    name: str
    function: Function
    level: int
    manager_id: str | None
    active: bool = True
    title: str | None = None
    team: str | None = None


@dataclass(frozen=True)
class TeamNode:
    name: str
    product_lead_id: str | None
    engineering_lead_id: str | None
    accountable_manager_id: str | None = None
    active: bool = True


@dataclass
class OrgSnapshot:
    """The org as the analysis sees it: everyone (active or not) by id, and the teams."""

    people: dict[str, PersonNode]
    teams: list[TeamNode] = field(default_factory=list)

    @classmethod
    def of(cls, people: Iterable[PersonNode], teams: Iterable[TeamNode] = ()) -> OrgSnapshot:
        return cls(people={person.id: person for person in people}, teams=list(teams))

    def managers_of(self, person_id: str) -> list[str]:
        """The reporting line above someone, nearest manager first (stops at a missing or repeated id)."""
        chain: list[str] = []
        seen = {person_id}
        current = self.people[person_id].manager_id
        while current is not None and current in self.people and current not in seen:
            chain.append(current)
            seen.add(current)
            current = self.people[current].manager_id
        return chain

    @cached_property
    def roots(self) -> list[str]:
        return sorted(pid for pid, person in self.people.items() if person.active and person.manager_id is None)

    @cached_property
    def subtree_sizes(self) -> dict[str, int]:
        """How many active people report (directly or not) to each person."""
        sizes = dict.fromkeys(self.people, 0)
        for person_id, person in self.people.items():
            if person.active:
                for manager_id in self.managers_of(person_id):
                    sizes[manager_id] += 1
        return sizes

    def depth(self, person_id: str) -> int:
        return len(self.managers_of(person_id))


def lowest_common_manager(org: OrgSnapshot, first: str, second: str) -> str | None:
    """The lowest person strictly above both (None when one of them is the root or their lines never meet)."""
    above_first = set(org.managers_of(first))
    return next((manager for manager in org.managers_of(second) if manager in above_first), None)


def escalation_hops(org: OrgSnapshot, lead: str, manager: str) -> int | None:
    """Reporting-line hops from a lead to a manager.

    Up the lead's own line when the manager is in it; otherwise (an override outside the line) up to where the
    two lines meet and down to the manager, since that is the path an escalation has to travel.
    """
    if lead == manager:
        return 0
    line = org.managers_of(lead)
    if manager in line:
        return line.index(manager) + 1
    manager_line = [manager, *org.managers_of(manager)]
    for up, above in enumerate([lead, *line]):  # the lead itself may be above the manager
        if above in manager_line:
            return up + manager_line.index(above)
    return None


class AccountableManagerSource(StrEnum):
    OVERRIDE = "override"
    LOWEST_COMMON_MANAGER = "lowest_common_manager"


@dataclass(frozen=True)
class CounterpartPair:
    """A team's two leads and the structure around them."""

    team: str
    product_lead: PersonNode | None
    engineering_lead: PersonNode | None
    accountable_manager: str | None
    accountable_manager_source: AccountableManagerSource | None
    product_hops: int | None
    engineering_hops: int | None
    reports_into_counterpart: Function | None
    """The function whose lead sits in the other lead's reporting line (e.g. ENGINEERING: the engineering
    lead reports, directly or not, to the product lead)."""
    ignored_override: str | None = None
    """An explicit accountable manager who has left, or who is one of the leads: the lowest common manager
    stands in for them."""

    @property
    def level_gap(self) -> int | None:
        """Product lead's level minus engineering lead's level (positive: product is more senior)."""
        if self.product_lead is None or self.engineering_lead is None:
            return None
        return self.product_lead.level - self.engineering_lead.level

    @property
    def escalation_distance(self) -> int | None:
        if self.product_hops is None or self.engineering_hops is None:
            return None
        return max(self.product_hops, self.engineering_hops)


def counterpart_pair(org: OrgSnapshot, team: TeamNode) -> CounterpartPair:
    product = org.people.get(team.product_lead_id) if team.product_lead_id else None
    engineering = org.people.get(team.engineering_lead_id) if team.engineering_lead_id else None
    manager: str | None = None
    source: AccountableManagerSource | None = None
    override = org.people.get(team.accountable_manager_id) if team.accountable_manager_id else None
    usable = (
        override is not None and override.active and override.id not in (team.product_lead_id, team.engineering_lead_id)
    )
    if override is not None and usable:  # a lead never judges their own disagreement; one who left cannot
        manager, source = override.id, AccountableManagerSource.OVERRIDE
    elif product is not None and engineering is not None:
        manager = lowest_common_manager(org, product.id, engineering.id)
        source = AccountableManagerSource.LOWEST_COMMON_MANAGER if manager is not None else None
    reports_into: Function | None = None
    if product is not None and engineering is not None and product.id != engineering.id:
        if product.id in org.managers_of(engineering.id):
            reports_into = Function.ENGINEERING
        elif engineering.id in org.managers_of(product.id):
            reports_into = Function.PRODUCT
    return CounterpartPair(
        team=team.name,
        product_lead=product,
        engineering_lead=engineering,
        accountable_manager=manager,
        accountable_manager_source=source,
        product_hops=escalation_hops(org, product.id, manager) if product and manager else None,
        engineering_hops=escalation_hops(org, engineering.id, manager) if engineering and manager else None,
        reports_into_counterpart=reports_into,
        ignored_override=override.id if override is not None and not usable else None,
    )


def counterpart_pairs(org: OrgSnapshot) -> list[CounterpartPair]:
    """Every active team's pair, in team-name order."""
    return [counterpart_pair(org, team) for team in sorted(org.teams, key=lambda t: t.name) if team.active]


@dataclass(frozen=True)
class SeniorLeadership:
    """The most senior product and engineering leaders below the root, and how they stand to each other."""

    product: PersonNode | None
    engineering: PersonNode | None
    product_depth: int | None
    engineering_depth: int | None
    reports_into: Function | None
    """The function whose senior leader has someone of the other function in their reporting line."""

    @property
    def level_gap(self) -> int | None:
        if self.product is None or self.engineering is None:
            return None
        return self.product.level - self.engineering.level


def senior_leader(org: OrgSnapshot, function: Function) -> PersonNode | None:
    """The active person of a function nearest the root (the root itself is everyone's common manager and is
    not counted); ties go to the higher level, then the larger organisation, then the smaller id."""
    roots = set(org.roots)
    candidates = [p for p in org.people.values() if p.active and p.function == function and p.id not in roots]
    if not candidates:
        return None
    sizes = org.subtree_sizes
    return min(candidates, key=lambda p: (org.depth(p.id), -p.level, -sizes[p.id], p.id))


def senior_leadership(org: OrgSnapshot) -> SeniorLeadership:
    product = senior_leader(org, Function.PRODUCT)
    engineering = senior_leader(org, Function.ENGINEERING)
    roots = set(org.roots)

    def line_holds(person: PersonNode | None, function: Function) -> bool:
        if person is None:
            return False
        return any(org.people[m].function == function for m in org.managers_of(person.id) if m not in roots)

    reports_into: Function | None = None
    if line_holds(engineering, Function.PRODUCT):
        reports_into = Function.ENGINEERING
    elif line_holds(product, Function.ENGINEERING):
        reports_into = Function.PRODUCT
    return SeniorLeadership(
        product=product,
        engineering=engineering,
        product_depth=org.depth(product.id) if product else None,
        engineering_depth=org.depth(engineering.id) if engineering else None,
        reports_into=reports_into,
    )
