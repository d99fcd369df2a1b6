"""A walk reads each loader's data once, however many detectors and loaders need it."""

from __future__ import annotations

from sqlalchemy.orm import Session

from tandem.walk.registry import one_read_per_walk, read


def test_inside_a_walk_a_loader_reads_once(session: Session) -> None:
    calls: list[int] = []

    def loader(_: Session) -> int:
        calls.append(1)
        return len(calls)

    with one_read_per_walk(session):
        assert (read(session, loader), read(session, loader)) == (1, 1)
    assert calls == [1]


def test_outside_a_walk_every_call_reads_afresh(session: Session) -> None:
    calls: list[int] = []

    def loader(_: Session) -> int:
        calls.append(1)
        return len(calls)

    with one_read_per_walk(session):
        read(session, loader)
    assert read(session, loader) == 2
