"""``remember_last``: a costly pure function of a walk's facts is computed once for the detectors that share it."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Callable
from dataclasses import dataclass

from tandem.memo import remember_last


@dataclass
class Facts:
    value: int


def counted() -> tuple[list[int], Callable[[Facts, int], list[int]]]:
    calls: list[int] = []

    @remember_last
    def double(facts: Facts, factor: int) -> list[int]:
        calls.append(facts.value)
        return [facts.value * factor]

    return calls, double


def test_the_same_facts_and_arguments_are_computed_once() -> None:
    calls, double = counted()
    facts = Facts(3)
    assert double(facts, 2) is double(facts, 2)
    assert calls == [3]


def test_equal_but_different_facts_are_computed_again() -> None:
    calls, double = counted()
    double(Facts(3), 2)
    double(Facts(3), 2)
    assert calls == [3, 3]


def test_other_arguments_are_computed_again() -> None:
    calls, double = counted()
    facts = Facts(3)
    assert double(facts, 2) == [6]
    assert double(facts, 5) == [15]
    assert calls == [3, 3]


def test_the_facts_are_not_kept_alive() -> None:
    _, double = counted()
    facts = Facts(3)
    double(facts, 2)
    held = weakref.ref(facts)
    del facts
    gc.collect()
    assert held() is None
