"""The decision state machine: which action is allowed in which state, and where sign-offs lead. Pure.

    draft --open--> open --(both leads sign)--> agreed | contested
    open | contested --escalate (by a lead, or automatically)--> escalated --decide--> decided
    agreed | decided --close--> closed

A lead may change their sign-off while the decision is open or contested ("disagree and commit" signs the
other lead's option while recording the disagreement), so a contested decision can still become agreed.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from enum import StrEnum

from tandem.decisions.facts import DecisionState
from tandem.workdays import working_days_between

S = DecisionState


class Action(StrEnum):
    EDIT = "edit"
    SCORE = "score"
    OPEN = "open"
    SIGN = "sign"
    ESCALATE = "escalate"
    DECIDE = "decide"
    CLOSE = "close"


ALLOWED: Mapping[DecisionState, frozenset[Action]] = {
    S.DRAFT: frozenset({Action.EDIT, Action.SCORE, Action.OPEN}),
    S.OPEN: frozenset({Action.SCORE, Action.SIGN, Action.ESCALATE}),
    S.CONTESTED: frozenset({Action.SCORE, Action.SIGN, Action.ESCALATE}),
    S.ESCALATED: frozenset({Action.DECIDE}),
    S.AGREED: frozenset({Action.CLOSE}),
    S.DECIDED: frozenset({Action.CLOSE}),
    S.CLOSED: frozenset(),
}
PENDING = frozenset({S.OPEN, S.CONTESTED, S.ESCALATED})
"""States in which the decision is still waiting to be made."""


class IllegalTransitionError(ValueError):
    """The action is not allowed in the decision's current state."""

    def __init__(self, state: DecisionState, action: Action) -> None:
        article = "an" if state.value[0] in "aeiou" else "a"
        super().__init__(f"{article} {state.value} decision cannot be {_PAST[action]}")
        self.state = state
        self.action = action


_PAST = {
    Action.EDIT: "edited",
    Action.SCORE: "scored",
    Action.OPEN: "opened",
    Action.SIGN: "signed",
    Action.ESCALATE: "escalated",
    Action.DECIDE: "decided",
    Action.CLOSE: "closed",
}


def check(state: DecisionState, action: Action) -> None:
    if action not in ALLOWED[state]:
        raise IllegalTransitionError(state, action)


def after_signoffs(signed: Mapping[str, str], leads: tuple[str, str]) -> DecisionState:
    """The state once the leads' sign-offs (``{person_id: option}``) are counted: agreed when both signed the
    same option, contested when both signed different ones, still open otherwise."""
    product, engineering = leads
    if product in signed and engineering in signed:
        return S.AGREED if signed[product] == signed[engineering] else S.CONTESTED
    return S.OPEN


def due_for_escalation(
    state: DecisionState,
    decide_by: datetime,
    contested_at: datetime | None,
    now: datetime,
    grace_working_days: int,
) -> str | None:
    """Why a pending decision escalates itself now ("timebox" or "contested_grace"), or None."""
    if state not in (S.OPEN, S.CONTESTED):
        return None
    if now >= decide_by:
        return "timebox"
    contested_too_long = (
        state is S.CONTESTED
        and contested_at is not None
        and working_days_between(contested_at, now) >= grace_working_days
    )
    return "contested_grace" if contested_too_long else None
