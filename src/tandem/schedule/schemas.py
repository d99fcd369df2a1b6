"""The team's plan and commitments as the REST API reads and writes them."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field


class ItemOut(BaseModel):
    id: int
    title: str
    description: str
    status: str
    rank: int | None = Field(description="1 is the most important; None once the item is done or dropped.")
    optimistic: float | None
    likely: float | None
    pessimistic: float | None
    estimated: bool
    depends_on: list[int]
    tracker_key: str | None
    created_by: str
    created_at: datetime
    ranked_by: str
    ranked_at: datetime
    estimated_by: str | None
    estimated_at: datetime | None


class ItemForecastOut(BaseModel):
    id: int
    title: str
    position: int = Field(description="Place in work order: rank order with dependencies pulled ahead.")
    p50: date
    p70: date
    p85: date
    p95: date


class ForecastOut(BaseModel):
    start: date
    capacity_per_day: float
    trials: int
    work_order: list[int] = Field(description="Every open item's id in the order the team works on them.")
    items: list[ItemForecastOut] = Field(description="The leading estimated items of the work order.")
    unestimated: list[int] = Field(description="Open items without a three-point estimate, in rank order.")
    stops_at: int | None = Field(description="The first unestimated item in work order: the forecast stops there.")
    target: date | None
    confidence: float
    cut_line: int | None = Field(description="How many leading items in work order are done by the target.")
    cut_line_is_lower_bound: bool = Field(description="The forecast stopped short, so more items might fit.")


class PlanOut(BaseModel):
    team: str
    unit: str
    capacity_per_day: float
    capacity_set_by: str | None
    capacity_set_at: datetime | None
    items: list[ItemOut] = Field(description="Open items, most important first.")
    closed: list[ItemOut] = Field(description="Done and dropped items, newest first.")
    forecast: ForecastOut


class ItemCreate(BaseModel):
    title: str = Field(min_length=1, max_length=300)
    description: str = ""
    depends_on: list[int] = Field(default_factory=list)
    tracker_key: str | None = None


class OrderIn(BaseModel):
    order: list[int] = Field(description="Every open item's id, most important first.")


class EstimateIn(BaseModel):
    optimistic: float
    likely: float
    pessimistic: float


class DependenciesIn(BaseModel):
    depends_on: list[int]


class CloseIn(BaseModel):
    status: Literal["done", "dropped"]


class CapacityIn(BaseModel):
    capacity_per_day: float = Field(description="Estimate units the team completes per working day.")
    unit: Literal["days", "points"] = "days"


class SignatureOut(BaseModel):
    function: str
    by: str
    at: datetime
    forecast_p50: date | None = Field(description="The scope's P50 date when this lead signed.")
    forecast_method: str | None = Field(description="estimates or throughput: what that P50 came from.")


class RevisionOut(BaseModel):
    number: int
    target_date: date
    scope: list[int]
    confidence: float
    initiated_by: str
    initiated_function: str
    reason: str
    created_at: datetime
    signatures: list[SignatureOut]


class CommitmentOut(BaseModel):
    id: int
    team: str
    title: str
    state: str
    latest_revision: int
    in_force_revision: int | None = Field(description="The newest revision both leads signed.")
    created_at: datetime
    updated_at: datetime
    revisions: list[RevisionOut]


class CommitmentCreate(BaseModel):
    title: str = Field(min_length=1, max_length=300)
    target_date: date
    scope: list[int] = Field(min_length=1, description="Plan item ids the date covers.")
    confidence: float = 0.85
    reason: str = ""


class RevisionIn(BaseModel):
    target_date: date | None = None
    scope: list[int] | None = None
    confidence: float | None = None
    reason: str = Field(min_length=1, description="Why it changes: the counterpart signs the reason too.")


class SignIn(BaseModel):
    revision: int = Field(description="The revision number read and signed; a newer one is refused.")
