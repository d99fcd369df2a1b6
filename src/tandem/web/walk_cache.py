"""The walk for web pages, computed once per change of the data (and at most a minute old, since ages and
time-boxes move with the clock) instead of on every page view."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

from fastapi import Request
from sqlalchemy.orm import Session

from tandem.walk.findings import WalkReport
from tandem.walk.service import data_version, run_walk

MAX_AGE_SECONDS = 60.0


@dataclass
class _Entry:
    version: tuple[object, ...]
    made_at: float
    report: WalkReport


_lock = threading.Lock()


def _fresh(request: Request, version: tuple[object, ...]) -> WalkReport | None:
    entry = getattr(request.app.state, "walk_cache", None)
    if isinstance(entry, _Entry) and entry.version == version and time.monotonic() - entry.made_at < MAX_AGE_SECONDS:
        return entry.report
    return None


def current_walk(request: Request, session: Session) -> WalkReport:
    version = data_version(session)
    if (report := _fresh(request, version)) is not None:
        return report
    with _lock:  # one walk at a time: concurrent requests wait for it rather than each running their own
        if (report := _fresh(request, version)) is not None:
            return report
        report = run_walk(session, request.app.state.settings.thresholds)
        request.app.state.walk_cache = _Entry(version, time.monotonic(), report)
        return report
