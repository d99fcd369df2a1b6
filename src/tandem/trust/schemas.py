"""The trust pulse API's shapes: only figures the privacy gate released, and pulses without their answers."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field


class TrendPulseOut(BaseModel):
    """One pulse of a released trend window."""

    pulse_id: int | None
    date: str
    respondents: int
    trust_index: float
    ci_low: float
    ci_high: float
    confidence: float
    response_rate: float | None


class TrendOut(BaseModel):
    """The regression of respondent means on the pulse over the last pulses, all released or none shown."""

    slope_per_pulse: float
    p_value: float
    significant_fall: bool
    pulses: list[TrendPulseOut]


class FiguresOut(BaseModel):
    """A direction's released figures for the team's latest pulse."""

    pulse_id: int | None
    date: str | None = Field(None, description="The day the latest pulse opened.")
    respondents: int
    trust_index: float
    ci_low: float
    ci_high: float
    confidence: float
    response_rate: float | None
    alpha: dict[str, float | None] = Field(description="Cronbach's alpha per subscale (None when undefined).")
    trend: TrendOut | None = None


class DirectionOut(BaseModel):
    """One direction; ``figures`` is null when the gate held it back (fewer respondents than the minimum, or a
    figure that would isolate someone): no count, no partial figure."""

    direction: str
    respondents_function: str
    rated_function: str
    released: bool
    figures: FiguresOut | None
    comments: list[str] | None = Field(
        description="The latest pulse's comments, only when that group reaches the comment minimum."
    )


class TrustOut(BaseModel):
    team: str
    min_group_size: int
    min_comment_group_size: int
    directions: list[DirectionOut]


class PulseOut(BaseModel):
    """A pulse of the team; ``answered`` is null when it would tell more than the released figures do."""

    id: int
    opens_at: datetime
    closes_at: datetime
    open: bool
    instrument_version: int
    source: str
    invited: int
    answered: int | None


class PulseCreate(BaseModel):
    open_working_days: int = Field(5, ge=1, le=60, description="Working days the pulse stays open.")


class OpenedPulseOut(BaseModel):
    """The new pulse, and how many personal links went out. The links themselves never come back to whoever
    opened the pulse: with them one could tell who answered when, or answer for others to isolate the rest."""

    pulse: PulseOut
    sent: int
    failed: list[str] = Field(default_factory=list, description="E-mails whose link could not be sent.")
