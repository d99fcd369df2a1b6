"""Snapshots and actions as the REST API reads and writes them."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field

from tandem.followup.analysis import ActionStatus
from tandem.followup.service import MAX_STEP


class SnapshotOut(BaseModel):
    id: int
    taken_at: datetime
    taken_by: str
    tandem_version: str
    generated_at: datetime = Field(description="When the walk ran.")
    findings: int
    by_practice: dict[str, int] = Field(description="Findings per practice.")
    sha256: str = Field(description="SHA-256 of the report as canonical JSON (sorted keys, no spaces).")


class TrendOut(BaseModel):
    """What the trend chart draws: the saved walks, oldest first, and the practices' titles."""

    snapshots: list[SnapshotOut]
    practices: dict[str, str]


class ActionCreate(BaseModel):
    finding_id: str = Field(min_length=1, max_length=128, description="A finding of today's walk.")
    owner: str = Field(min_length=1, max_length=320, description="A person's id, e-mail or alias.")
    due: date = Field(description="Today or later.")
    step: str | None = Field(None, max_length=MAX_STEP, description="What to do; default: the finding's step.")


class ActionClose(BaseModel):
    note: str = Field("", max_length=MAX_STEP, description="What was done, or why it was dropped.")


class ActionOut(BaseModel):
    id: int
    finding_id: str
    finding_kind: str
    team: str | None = Field(description="The finding's first team; null for an org-wide finding.")
    title: str = Field(description="The finding's title when the action was taken.")
    owner: str = Field(description="Person id.")
    owner_name: str
    due: date
    step: str
    status: ActionStatus
    overdue: bool
    created_by: str
    created_at: datetime
    closed_at: datetime | None
    closed_by: str | None
    note: str
    snapshot_id: int | None = Field(description="The saved walk the finding was taken from, if one held it.")
    finding_present: bool | None = Field(
        description="Whether the finding is in the latest saved walk; null when no walk has been saved."
    )
