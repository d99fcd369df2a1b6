"""Constraints as the REST API reads and writes them."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from tandem.constraints.facts import ConstraintKind, ConstraintState
from tandem.constraints.service import MAX_TEXT


class EventOut(BaseModel):
    at: datetime
    actor: str
    kind: str
    state: ConstraintState
    data: dict[str, object]


class ConstraintOut(BaseModel):
    id: int
    team: str
    kind: ConstraintKind
    state: ConstraintState
    text: str
    help: str = Field(description="What would help, in the poster's words.")
    posted_by: str
    function: str = Field(description="The side the poster speaks for: their lead seat, else their function.")
    posted_at: datetime
    counterparts: list[str] = Field(description="Who may acknowledge it now: the counterpart lead(s).")
    acknowledged_at: datetime | None
    acknowledged_by: str | None
    resolved_at: datetime | None
    resolved_by: str | None
    resolved_jointly: bool | None = Field(description="Acknowledged by the counterpart before it was resolved.")
    resolution: str
    working_days_unacknowledged: float = Field(
        description="Working days from posting to the acknowledgement (else the resolution, else now)."
    )
    age: str = Field(description='What the board shows, e.g. "3 working days unacknowledged".')
    events: list[EventOut] = Field(default_factory=list)


class ConstraintCreate(BaseModel):
    kind: ConstraintKind
    text: str = Field(min_length=1, max_length=MAX_TEXT)
    help: str = Field("", max_length=MAX_TEXT, description="What would help.")


class ResolveIn(BaseModel):
    note: str = Field("", max_length=MAX_TEXT, description="What resolved it (optional).")
