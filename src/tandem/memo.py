"""Remembering the last result of a costly pure function of a walk's facts.

A walk hands the same facts object to several detectors and metrics (the schedule's changes are judged by the
siloed-schedule finding, the schedule metrics and the pressure test); what they share is computed once. The facts
are held weakly and matched by identity, so nothing outlives the walk and a new walk (new facts) recomputes.
"""

from __future__ import annotations

import functools
import weakref
from collections.abc import Callable
from typing import Concatenate, ParamSpec, TypeVar

F = TypeVar("F")
P = ParamSpec("P")
R = TypeVar("R")


def remember_last(function: Callable[Concatenate[F, P], R]) -> Callable[Concatenate[F, P], R]:
    """``function(facts, *args)``, reused while it is asked again of the same facts object with equal arguments.

    The caller must treat the result as read-only: it is shared.
    """
    last: list[tuple[weakref.ref[F], object, R]] = []

    @functools.wraps(function)
    def remembered(facts: F, /, *args: P.args, **kwargs: P.kwargs) -> R:
        key = (args, tuple(sorted(kwargs.items())))
        if last and last[0][0]() is facts and last[0][1] == key:
            return last[0][2]
        result = function(facts, *args, **kwargs)
        last[:] = [(weakref.ref(facts), key, result)]
        return result

    return remembered
