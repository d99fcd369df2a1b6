"""The schedule as plain data for the pure detectors: no database, no ORM objects."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

FUNCTIONS = ("product", "engineering")


def counterpart(function: str) -> str:
    return "engineering" if function == "product" else "product"


@dataclass(frozen=True)
class ChangeFacts:
    """One schedule change in a tracker: who moved which date or scope of which item, when.

    ``person_id`` and ``function`` are None for an actor no one in the org could be matched to.
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

    def signature(self, function: str) -> SignatureFacts | None:
        return next((s for s in self.signatures if s.function == function), None)


@dataclass(frozen=True)
class ScheduleFacts:
    """Everything the schedule detectors read, and the moment they read it."""

    changes: list[ChangeFacts]
    revisions: list[RevisionFacts]
    leads: dict[str, dict[str, str | None]] = field(default_factory=dict)
    """Team -> function -> the person in that lead seat now."""
    now: datetime = field(default_factory=lambda: datetime.now().astimezone())
