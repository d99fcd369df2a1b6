"""The overlap API's shapes: a team's ritual presence figures, its pressure comparison, its findings, the ritual
calendar heatmap, and its occurrences one by one."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from tandem.overlap.facts import RitualKind
from tandem.walk.findings import Finding


class OccurrenceOut(BaseModel):
    """One ritual that took place; ``attendees`` are the people present (declined attendees excluded)."""

    id: int
    team: str
    kind: RitualKind
    start: datetime
    minutes: int
    summary: str
    organiser: str | None = Field(description="The organiser's person id; null when no one in the org.")
    attendees: list[str] = Field(description="Person ids, sorted.")
    product_present: bool = Field(description="The product lead or a product manager was present.")
    engineer_present: bool = Field(description="The engineering lead or an engineer was present.")


class PresenceOut(BaseModel):
    """Who was in the room over a stretch of time (the window, or one month of the trend)."""

    occurrences: int
    discovery_occurrences: int = Field(description="Discovery and planning occurrences.")
    discovery_with_engineer: float | None = Field(
        description="The share of discovery and planning occurrences with an engineer present (null without any)."
    )
    delivery_occurrences: int = Field(description="Standups, retros, demos and incident reviews.")
    delivery_with_product: float | None = Field(
        description="The share of delivery rituals with the product lead or a PM present (null without any)."
    )
    joint: float | None = Field(description="The share of all occurrences with both sides present.")


class LeadAttendanceOut(BaseModel):
    person: str | None = Field(description="The person in the lead seat now (null when the seat is empty).")
    by_kind: dict[str, float | None] = Field(
        description="Per kind the team held in the window, the share of its occurrences the lead attended."
    )


class OverlapFiguresOut(PresenceOut):
    """The walk's ``metrics.overlap`` for the team, over the last ``window_days``."""

    by_kind: dict[str, int] = Field(description="Occurrences per kind.")
    lead_attendance: dict[str, LeadAttendanceOut] = Field(description="Per lead seat: product, engineering.")
    organisers: dict[str, int] = Field(
        description="Occurrences called by each side (``unknown``: an organiser outside the org)."
    )
    organiser_product_share: float | None = Field(
        description="Product's share of the occurrences called by product or engineering."
    )
    trend: dict[str, PresenceOut] = Field(description="The presence figures per calendar month (UTC), oldest first.")


class PeriodOut(BaseModel):
    start: datetime
    end: datetime
    reasons: list[str] = Field(description="Among committed_date, scope_cut, slip, incident.")


class MeasureOut(BaseModel):
    """One measure inside pressure against outside it (see ``tandem.overlap.pressure``)."""

    test: str = Field(description="two_proportion_z for shares, welch_t for trust.")
    worse_when: str = Field(description="higher or lower.")
    inside: float
    outside: float
    change: float = Field(description="inside - outside.")
    inside_n: int
    outside_n: int
    inside_hits: int | None = None
    outside_hits: int | None = None
    statistic: float
    p_value: float
    fractured: bool = Field(description="Worse, markedly, and significantly at alpha_each.")


class PressureOut(BaseModel):
    """The walk's ``metrics.pressure`` for the team: its pressure periods and each measure with enough evidence."""

    pressure_periods: int
    pressure_days: float = Field(description="Calendar days of the window under pressure.")
    periods: list[PeriodOut]
    alpha_each: float | None = Field(description="The significance each measure is tested at (Bonferroni).")
    measures: dict[str, MeasureOut] = Field(
        description="unilateral_changes, escalations, joint_rituals, trust: those with enough evidence."
    )


class OverlapThresholdsOut(BaseModel):
    """The settings the figures are judged against."""

    discovery_engineer_share: float
    discovery_min_occurrences: int
    delivery_product_share: float
    delivery_min_occurrences: int
    pressure_window_days: int
    fracture_alpha: float
    fracture_min_sample: int
    fracture_min_share_change: float
    fracture_min_trust_drop: float


class OverlapOut(BaseModel):
    team: str
    window_days: int = Field(description="Calendar days of rituals the figures cover.")
    figures: OverlapFiguresOut | None = Field(description="Null for an inactive team without rituals.")
    pressure: PressureOut | None = Field(description="Null when the team had no pressure period.")
    findings: list[Finding] | None = Field(
        description="The walk's overlap and one-team findings about the team, worst first; null for a reader who "
        "may not read the walk (a member)."
    )
    thresholds: OverlapThresholdsOut
    heatmap: dict[str, Any] = Field(
        description="Plotly figure JSON: per ISO week of the last 52 (x) and per kind and side (y), the share of "
        "that week's occurrences of the kind with that side present (null for a week without any)."
    )
