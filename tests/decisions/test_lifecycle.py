"""The decision state machine, exhaustively: every allowed transition and every illegal one."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tandem.decisions.facts import DecisionState
from tandem.decisions.lifecycle import (
    ALLOWED,
    Action,
    IllegalTransitionError,
    after_signoffs,
    check,
    due_for_escalation,
)

S = DecisionState
EXPECTED = {
    (S.DRAFT, Action.EDIT),
    (S.DRAFT, Action.SCORE),
    (S.DRAFT, Action.OPEN),
    (S.OPEN, Action.SCORE),
    (S.OPEN, Action.SIGN),
    (S.OPEN, Action.ESCALATE),
    (S.CONTESTED, Action.SCORE),
    (S.CONTESTED, Action.SIGN),
    (S.CONTESTED, Action.ESCALATE),
    (S.ESCALATED, Action.DECIDE),
    (S.AGREED, Action.CLOSE),
    (S.DECIDED, Action.CLOSE),
}
MONDAY = datetime(2026, 11, 23, 9, tzinfo=UTC)


@pytest.mark.parametrize("state", list(S))
@pytest.mark.parametrize("action", list(Action))
def test_each_action_is_allowed_exactly_where_the_model_says(state: DecisionState, action: Action) -> None:
    if (state, action) in EXPECTED:
        check(state, action)
    else:
        with pytest.raises(IllegalTransitionError, match=f"an? {state.value} decision cannot be"):
            check(state, action)


def test_the_table_is_the_model() -> None:
    assert {(state, action) for state, actions in ALLOWED.items() for action in actions} == EXPECTED


def test_a_closed_decision_allows_nothing() -> None:
    assert ALLOWED[S.CLOSED] == frozenset()


def test_one_signature_leaves_it_open() -> None:
    assert after_signoffs({"pm": "A"}, ("pm", "em")) is S.OPEN


def test_two_signatures_on_one_option_agree() -> None:
    assert after_signoffs({"pm": "A", "em": "A"}, ("pm", "em")) is S.AGREED


def test_two_signatures_on_different_options_contest() -> None:
    assert after_signoffs({"pm": "A", "em": "B"}, ("pm", "em")) is S.CONTESTED


def test_a_signature_from_someone_else_does_not_count() -> None:
    assert after_signoffs({"pm": "A", "gm": "A"}, ("pm", "em")) is S.OPEN


def test_the_timebox_escalates_open_and_contested_decisions() -> None:
    for state in (S.OPEN, S.CONTESTED):
        assert due_for_escalation(state, MONDAY, None, MONDAY, 2) == "timebox"
        assert due_for_escalation(state, MONDAY, None, MONDAY - timedelta(minutes=1), 2) is None


def test_a_contest_escalates_after_its_grace_in_working_days() -> None:
    friday = datetime(2026, 11, 27, 9, tzinfo=UTC)
    decide_by = friday + timedelta(days=30)
    assert due_for_escalation(S.CONTESTED, decide_by, friday, friday + timedelta(days=3), 2) is None  # Mon
    assert due_for_escalation(S.CONTESTED, decide_by, friday, friday + timedelta(days=4), 2) == "contested_grace"


def test_other_states_never_escalate_themselves() -> None:
    for state in (S.DRAFT, S.AGREED, S.ESCALATED, S.DECIDED, S.CLOSED):
        assert due_for_escalation(state, MONDAY, MONDAY, MONDAY + timedelta(days=60), 2) is None
