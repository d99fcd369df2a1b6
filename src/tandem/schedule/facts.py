"""The schedule as plain data for the pure detectors: no database, no ORM objects."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any, NamedTuple, overload

FUNCTIONS = ("product", "engineering")


def counterpart(function: str) -> str:
    return "engineering" if function == "product" else "product"


class ChangeFacts(NamedTuple):
    """One schedule change in a tracker: who moved which date or scope of which item, when.

    ``person_id`` and ``function`` are None for an actor no one in the org could be matched to. A named tuple, not
    a dataclass: a walk holds a year of them (1.4 million at 2,000 teams), and a tuple is made several times faster.
    """

    team: str
    item: str
    field: str
    at: datetime
    actor: str
    person_id: str | None
    function: str | None
    source: str
    from_value: str | None = None
    to_value: str | None = None


class ChangeTable(Sequence[ChangeFacts]):
    """Tracker changes held column by column (one list per ``ChangeFacts`` field), read as a sequence of
    ``ChangeFacts`` made on demand. A year of changes at 2,000 teams is 1.4 million rows: the detectors count them
    in columns, and only a finding's evidence turns rows into objects."""

    __slots__ = ChangeFacts._fields

    team: list[str]
    item: list[str]
    field: list[str]
    at: list[datetime]
    actor: list[str]
    person_id: list[str | None]
    function: list[str | None]
    source: list[str]
    from_value: list[str | None]
    to_value: list[str | None]

    def __init__(self, *columns: list[Any]) -> None:
        if len(columns) != len(ChangeFacts._fields) or len({len(column) for column in columns}) > 1:
            raise ValueError("a change table needs one column per field, all of one length")
        for name, column in zip(ChangeFacts._fields, columns, strict=True):
            object.__setattr__(self, name, column)

    @classmethod
    def of(cls, changes: Iterable[ChangeFacts]) -> ChangeTable:
        """The changes as a table (a table is returned as it is)."""
        if isinstance(changes, ChangeTable):
            return changes
        rows = list(changes)
        if not rows:
            return cls(*([] for _ in ChangeFacts._fields))
        return cls(*(list(column) for column in zip(*rows, strict=True)))

    def __len__(self) -> int:
        return len(self.team)

    def take(self, rows: Sequence[int]) -> ChangeTable:
        """These rows, in this order."""
        return ChangeTable(
            *([column[row] for row in rows] for column in (getattr(self, n) for n in ChangeFacts._fields))
        )

    @overload
    def __getitem__(self, index: int) -> ChangeFacts: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[ChangeFacts]: ...

    def __getitem__(self, index: int | slice) -> ChangeFacts | Sequence[ChangeFacts]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        return ChangeFacts(*(getattr(self, name)[index] for name in ChangeFacts._fields))


@dataclass(frozen=True)
class SignatureFacts:
    function: str
    person_id: str
    signed_at: datetime
    forecast_p50: date | None = None
    forecast_method: str | None = None


@dataclass(frozen=True)
class RevisionFacts:
    """One revision of a commitment (revision 1 is the proposal) and the signatures it gathered."""

    commitment_id: int
    title: str
    team: str
    number: int
    target_date: date
    scope_size: int
    confidence: float
    initiated_by: str
    initiated_function: str
    created_at: datetime
    signatures: tuple[SignatureFacts, ...] = ()
    in_force: bool = False
    """This is the revision in force now (both signed it, and no later revision was signed)."""
    withdrawn: bool = False
    """The commitment is withdrawn now (when is not recorded)."""

    def signature(self, function: str) -> SignatureFacts | None:
        return next((s for s in self.signatures if s.function == function), None)


@dataclass(frozen=True)
class ScheduleFacts:
    """Everything the schedule detectors read, and the moment they read it."""

    changes: Sequence[ChangeFacts]
    """A ``ChangeTable`` from the database; any sequence of changes will do (the detectors make it a table)."""
    revisions: list[RevisionFacts]
    leads: dict[str, dict[str, str | None]] = field(default_factory=dict)
    """Team -> function -> the person in that lead seat now."""
    now: datetime = field(default_factory=lambda: datetime.now().astimezone())

    def within(self, since: datetime | None, until: datetime | None) -> ScheduleFacts:
        """The schedule from ``since`` as it stood at ``until``: the tracker changes and commitment revisions dated
        in between, only the signatures made by ``until``, and the revision in force then (the latest both leads
        had signed, unless the commitment is withdrawn now: a withdrawal's date is not recorded)."""
        if since is None and until is None:
            return self

        def inside(moment: datetime) -> bool:
            return (since is None or moment >= since) and (until is None or moment <= until)

        table = ChangeTable.of(self.changes)
        changes = table.take([row for row, moment in enumerate(table.at) if inside(moment)])
        revisions = [
            replace(rev, signatures=tuple(s for s in rev.signatures if until is None or s.signed_at <= until))
            for rev in self.revisions
            if inside(rev.created_at)
        ]
        sealed: dict[int, int] = {}
        for rev in revisions:
            if not rev.withdrawn and all(rev.signature(function) for function in FUNCTIONS):
                sealed[rev.commitment_id] = max(sealed.get(rev.commitment_id, 0), rev.number)
        revisions = [replace(rev, in_force=sealed.get(rev.commitment_id) == rev.number) for rev in revisions]
        return replace(self, changes=changes, revisions=revisions, now=until or self.now)
