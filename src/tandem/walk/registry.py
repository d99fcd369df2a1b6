"""Where detectors register. Each domain registers its own in its ``detectors.py``; the walk knows only this.

A detector is a pure function over the data its loader returns; the loader is the only part that reads the
database, and the walk calls each loader once however many detectors need its data.
"""

from __future__ import annotations

import gc
import importlib
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

from sqlalchemy.orm import Session

from tandem.config import Thresholds
from tandem.walk.findings import Finding, Practice

DETECTOR_MODULES = (
    "tandem.org.detectors",
    "tandem.decisions.detectors",
    "tandem.schedule.detectors",
    "tandem.constraints.detectors",
    "tandem.trust.detectors",
    "tandem.overlap.detectors",
)
"""Modules that register detectors when imported; a new domain adds its module here."""

T = TypeVar("T")

Loader = Callable[[Session], Any]

_READ = "tandem.walk.read"
"""Where a walk keeps what its loaders read, in ``Session.info``, for the length of the walk."""


_WINDOW = "tandem.walk.window"
"""Where a walk keeps its time window, in ``Session.info``, for the length of the walk."""


@dataclass(frozen=True)
class TimeWindow:
    """The stretch of time a walk reads: records dated from ``since`` to ``until`` (both included), as the
    database stood at ``until`` (decisions and constraints not yet settled then read as open). None: from the
    beginning, and up to now."""

    since: datetime | None = None
    until: datetime | None = None

    def __post_init__(self) -> None:
        if self.since is not None and self.until is not None and self.since > self.until:
            raise ValueError(
                f"the window starts ({self.since:%Y-%m-%d %H:%M}) after it ends ({self.until:%Y-%m-%d %H:%M})"
            )

    @classmethod
    def up_to_now(cls, since: datetime | None, until: datetime | None, now: datetime) -> TimeWindow:
        """The window a user asked for, in UTC (a time without a zone is UTC) and ending no later than ``now``: the
        walk cannot read what has not happened. ValueError, saying why, for a start after the end or in the
        future."""
        start = _utc(since) if since is not None else None
        end = min(_utc(until), now) if until is not None else None
        if start is not None and start > now:
            raise ValueError(f"the window starts ({start:%Y-%m-%d %H:%M} UTC) in the future: nothing to walk yet")
        return cls(since=start, until=end)

    @property
    def whole(self) -> bool:
        return self.since is None and self.until is None


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


@contextmanager
def one_read_per_walk(session: Session, window: TimeWindow | None = None) -> Iterator[None]:
    """Inside this block each loader reads the database once, however many detectors (or other loaders) need its
    data, and reads it through ``window``; outside it, every call reads afresh and up to now."""
    session.info[_READ] = {}
    session.info[_WINDOW] = window or TimeWindow()
    try:
        yield
    finally:
        session.info.pop(_READ, None)
        session.info.pop(_WINDOW, None)


def walk_window(session: Session) -> TimeWindow:
    """The time window of the walk under way (the whole history up to now outside a walk)."""
    window: TimeWindow = session.info.get(_WINDOW) or TimeWindow()
    return window


@contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cycle collector paused for the length of a walk.

    A walk at 2,000 teams builds millions of small objects (a year of schedule changes, pulse answers, ritual
    attendances) and drops them at its end; the collector, triggered by allocations, would scan that growing heap
    over and over (a third of the pressure test's time). The walk's data holds no reference cycles that need
    collecting while it runs, so the collector waits until it is over.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def read(session: Session, loader: Callable[[Session], T]) -> T:
    """``loader(session)``, read once per walk (see :func:`one_read_per_walk`)."""
    memo: dict[Callable[[Session], Any], Any] | None = session.info.get(_READ)
    if memo is None:
        return loader(session)
    if loader not in memo:
        memo[loader] = loader(session)
    result: T = memo[loader]
    return result


@dataclass(frozen=True)
class Detector:
    kind: str
    practice: Practice
    summary: str
    load: Loader
    detect: Callable[[Any, Thresholds], Iterable[Finding]]


_REGISTRY: dict[str, Detector] = {}


def detector(
    kind: str, practice: Practice, summary: str, load: Callable[[Session], T]
) -> Callable[[Callable[[T, Thresholds], Iterable[Finding]]], Callable[[T, Thresholds], Iterable[Finding]]]:
    """Register a pure detection function under its kind."""

    def register(
        detect: Callable[[T, Thresholds], Iterable[Finding]],
    ) -> Callable[[T, Thresholds], Iterable[Finding]]:
        if kind in _REGISTRY and _REGISTRY[kind].detect is not detect:
            raise ValueError(f"a detector for kind '{kind}' is already registered")
        _REGISTRY[kind] = Detector(kind=kind, practice=practice, summary=summary, load=load, detect=detect)
        return detect

    return register


@dataclass(frozen=True)
class Metrics:
    """Figures a domain adds to the report (``metrics.<name>`` in the JSON), computed from its loader's data and
    the walk's settings (a window, or the privacy minimum a figure must respect)."""

    name: str
    load: Loader
    compute: Callable[[Any, Thresholds], dict[str, Any]]


_METRICS: dict[str, Metrics] = {}


def metrics(
    name: str, load: Callable[[Session], T]
) -> Callable[[Callable[[T, Thresholds], dict[str, Any]]], Callable[[T, Thresholds], dict[str, Any]]]:
    """Register a pure function computing a domain's report figures."""

    def register(compute: Callable[[T, Thresholds], dict[str, Any]]) -> Callable[[T, Thresholds], dict[str, Any]]:
        _METRICS[name] = Metrics(name=name, load=load, compute=compute)
        return compute

    return register


def metric_providers() -> list[Metrics]:
    detectors()  # importing the domains' modules registers their metrics too
    return sorted(_METRICS.values(), key=lambda m: m.name)


def detectors() -> list[Detector]:
    """Every registered detector, its modules imported first."""
    for module in DETECTOR_MODULES:
        importlib.import_module(module)
    return sorted(_REGISTRY.values(), key=lambda d: (d.practice, d.kind))
