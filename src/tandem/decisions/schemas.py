"""Decisions as the REST API reads and writes them."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from tandem.decisions.facts import DecisionState, Factor, Stance


class ScoreOut(BaseModel):
    by: str
    option: str
    factor: Factor
    score: int
    rationale: str
    at: datetime


class SignoffOut(BaseModel):
    by: str
    option: str
    stance: Stance
    at: datetime


class EventOut(BaseModel):
    at: datetime
    actor: str
    kind: str
    state: DecisionState
    data: dict[str, object]


class DecisionOut(BaseModel):
    id: int
    team: str
    title: str
    context: str
    options: list[str]
    links: list[str]
    state: DecisionState
    decide_by: datetime
    opened_at: datetime | None
    contested_at: datetime | None
    escalated_at: datetime | None
    resolved_at: datetime | None
    closed_at: datetime | None
    chosen_option: str | None
    decided_by: str | None
    rationale: str | None
    scores: list[ScoreOut] = Field(default_factory=list)
    signoffs: list[SignoffOut] = Field(default_factory=list)
    events: list[EventOut] = Field(default_factory=list)


class DecisionCreate(BaseModel):
    team: str
    title: str = Field(min_length=1, max_length=300)
    options: list[str] = Field(min_length=2)
    context: str = ""
    decide_by: datetime | None = None
    links: list[str] = Field(default_factory=list)
    open: bool = Field(False, description="Open it for scoring and sign-off straight away.")


class ScoreIn(BaseModel):
    option: str
    factor: Factor
    score: int = Field(ge=-2, le=2)
    rationale: str = Field("", max_length=300)


class SignIn(BaseModel):
    option: str
    stance: Stance = Stance.AGREE


class DecideIn(BaseModel):
    option: str
    rationale: str = Field(min_length=1)
