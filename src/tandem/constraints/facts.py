"""Constraints as plain data for the pure analysis (detector, metrics, ages): no database, no ORM objects."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field, replace
from datetime import datetime

FUNCTIONS = ("product", "engineering")
"""The two sides of a two-in-a-box pair; a constraint from either goes to the other side's lead."""


class ConstraintKind(enum.StrEnum):
    """What the person posting is short of."""

    OVERLOADED = "overloaded"
    """More work than time: something will slip unless some of it moves."""
    BLOCKED = "blocked"
    """Waiting on someone or something outside their control."""
    UNCERTAIN = "uncertain"
    """Not sure what to do, or whether it is right: a question only the counterpart can answer."""


class ConstraintState(enum.StrEnum):
    OPEN = "open"
    """Posted; the counterpart lead has not acknowledged it yet."""
    ACKNOWLEDGED = "acknowledged"
    RESOLVED = "resolved"


def counterpart_leads(
    side: str | None,
    *,
    poster: str | None,
    product_lead: str | None,
    engineering_lead: str | None,
    accountable_manager: str | None = None,
) -> tuple[str, ...]:
    """Who acknowledges a constraint: the lead of the other side.

    A product person's constraint (``side`` "product") goes to the team's engineering lead, an engineer's to the
    product lead. Anyone else (design, data, other functions) speaks to the pair as a whole: both leads are
    notified and either may acknowledge. The poster never acknowledges their own constraint; when no counterpart
    lead is left (an empty seat, or the poster holding it), the team's accountable manager stands in.
    """
    if side == "product":
        wanted: tuple[str | None, ...] = (engineering_lead,)
    elif side == "engineering":
        wanted = (product_lead,)
    else:
        wanted = (product_lead, engineering_lead)
    found = tuple(dict.fromkeys(person for person in wanted if person is not None and person != poster))
    if not found and accountable_manager is not None and accountable_manager != poster:
        return (accountable_manager,)
    return found


@dataclass(frozen=True)
class ConstraintFacts:
    """One constraint as the detector and the metrics see it.

    ``function`` is the side the poster speaks for: the lead seat they hold on the team, else their function
    ("product", "engineering", "design", "data" or "other"). ``acknowledged_at`` is None until the counterpart
    acknowledged it; ``resolved_jointly`` says whether it was acknowledged before it was resolved (None while open).
    ``text`` is what was posted: a finding's evidence quotes the constraints still waiting.
    """

    id: int
    team: str
    kind: ConstraintKind
    function: str
    posted_by: str
    posted_at: datetime
    text: str = ""
    acknowledged_at: datetime | None = None
    acknowledged_by: str | None = None
    resolved_at: datetime | None = None
    resolved_jointly: bool | None = None

    @property
    def state(self) -> ConstraintState:
        if self.resolved_at is not None:
            return ConstraintState.RESOLVED
        if self.acknowledged_at is not None:
            return ConstraintState.ACKNOWLEDGED
        return ConstraintState.OPEN


@dataclass(frozen=True)
class BoardFacts:
    """Everything the constraint detector and metrics read, and the moment they read it.

    ``members`` counts each team's active people by side (its leads by their seat, everyone else by function):
    the denominators of "constraints per person per month", and how the detector knows a silent side exists.
    ``leads`` names the people in each team's lead seats now.
    """

    constraints: list[ConstraintFacts]
    members: dict[str, dict[str, int]] = field(default_factory=dict)
    leads: dict[str, dict[str, str | None]] = field(default_factory=dict)
    now: datetime = field(default_factory=lambda: datetime.now().astimezone())

    def within(self, since: datetime | None, until: datetime | None) -> BoardFacts:
        """The constraints posted from ``since`` to ``until``, as they stood at ``until``: an acknowledgement or a
        resolution after it has not happened yet."""
        if since is None and until is None:
            return self
        found = []
        for constraint in self.constraints:
            if (since is not None and constraint.posted_at < since) or (
                until is not None and constraint.posted_at > until
            ):
                continue
            if until is not None and constraint.acknowledged_at is not None and constraint.acknowledged_at > until:
                constraint = replace(constraint, acknowledged_at=None, acknowledged_by=None)
            if until is not None and constraint.resolved_at is not None and constraint.resolved_at > until:
                constraint = replace(constraint, resolved_at=None, resolved_jointly=None)
            found.append(constraint)
        return replace(self, constraints=found, now=until or self.now)
