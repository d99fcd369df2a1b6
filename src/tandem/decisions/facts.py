"""Decisions as plain data for the pure analysis (detectors and metrics): no database, no ORM objects."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime


class Factor(enum.StrEnum):
    """The five factors both leads weigh every significant decision on."""

    USER_EXPERIENCE = "user_experience"
    PRODUCT_CLARITY = "product_clarity"
    SYSTEM_ROBUSTNESS = "system_robustness"
    FUTURE_MAINTAINABILITY = "future_maintainability"
    TEAM_MORALE = "team_morale"


class DecisionState(enum.StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    AGREED = "agreed"
    CONTESTED = "contested"
    ESCALATED = "escalated"
    DECIDED = "decided"
    CLOSED = "closed"


class Stance(enum.StrEnum):
    AGREE = "agree"
    DISAGREE_AND_COMMIT = "disagree_and_commit"


@dataclass(frozen=True)
class DecisionFacts:
    """One decision as the detectors see it.

    ``preferences`` maps a function ("product"/"engineering") to the option that function's lead preferred
    (their sign-off, else their highest-scored option). ``scores`` maps a function to its lead's scores:
    ``{function: {factor: [score per option scored]}}`` (a factor missing or empty = unscored).
    ``decided_by_function`` says who settled it: "joint" when both leads agreed, "manager" when the accountable
    manager decided an escalation (imported logs may also say "product", "engineering" or "other").
    ``resolved_at`` is when it was agreed or decided (None while pending).
    """

    id: int
    team: str
    title: str
    state: DecisionState
    opened_at: datetime
    decide_by: datetime
    resolved_at: datetime | None = None
    escalated_at: datetime | None = None
    contested: bool = False
    chosen_option: str | None = None
    decided_by_function: str | None = None
    preferences: dict[str, str] = field(default_factory=dict)
    scores: dict[str, dict[Factor, list[int]]] = field(default_factory=dict)


def within(decisions: Iterable[DecisionFacts], since: datetime | None, until: datetime | None) -> list[DecisionFacts]:
    """The decisions opened from ``since`` to ``until``, as they stood at ``until``: one agreed or decided later
    reads as still open (or escalated, if it was by then), and an escalation after ``until`` has not happened."""
    found = []
    for decision in decisions:
        if (since is not None and decision.opened_at < since) or (until is not None and decision.opened_at > until):
            continue
        if until is not None and decision.escalated_at is not None and decision.escalated_at > until:
            decision = replace(decision, escalated_at=None)
        if until is not None and decision.resolved_at is not None and decision.resolved_at > until:
            decision = replace(
                decision,
                resolved_at=None,
                chosen_option=None,
                decided_by_function=None,
                state=DecisionState.ESCALATED if decision.escalated_at is not None else DecisionState.OPEN,
            )
        elif until is not None and decision.escalated_at is None and decision.state is DecisionState.ESCALATED:
            decision = replace(decision, state=DecisionState.OPEN)
        found.append(decision)
    return found
