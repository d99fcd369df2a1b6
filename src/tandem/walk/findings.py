"""The walk's JSON contract. Later issues add kinds and fields; nothing here is ever renamed.

``schema/walk.schema.json`` beside this module is generated from these models and checked by a test.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class Practice(StrEnum):
    """The eight practices of two-in-a-box management."""

    EQUAL_POWER = "equal_power"
    TRUST = "trust"
    COMMON_MANAGER = "common_manager"
    SHARED_GOAL = "shared_goal"
    JOINT_SCHEDULE = "joint_schedule"
    OVERLAP = "overlap"
    ONE_TEAM = "one_team"
    RELATIONSHIPS = "relationships"

    @property
    def title(self) -> str:  # type: ignore[override]
        return PRACTICE_TITLES[self]


PRACTICE_TITLES: dict[Practice, str] = {
    Practice.EQUAL_POWER: "Equal power",
    Practice.TRUST: "Trust",
    Practice.COMMON_MANAGER: "A common accountable manager",
    Practice.SHARED_GOAL: "A shared goal, five factors",
    Practice.JOINT_SCHEDULE: "Joint ownership of the schedule",
    Practice.OVERLAP: "Overlapping interests",
    Practice.ONE_TEAM: "One integrated team",
    Practice.RELATIONSHIPS: "Relationships at every level",
}


class Scope(BaseModel):
    """Who a finding is about: team names and person ids."""

    model_config = ConfigDict(frozen=True)

    teams: list[str] = Field(default_factory=list)
    people: list[str] = Field(default_factory=list)


class Recommendation(BaseModel):
    """What to do about a finding: the practice that fixes it and one concrete step."""

    model_config = ConfigDict(frozen=True)

    practice: Practice
    step: str


class Finding(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str = Field(description="Stable across runs for the same problem: the kind and a hash of its subject.")
    kind: str
    practice: Practice
    severity: float = Field(ge=0.0, le=1.0)
    title: str
    scope: Scope
    evidence: dict[str, Any] = Field(description="The figures that triggered the finding.")
    recommendation: Recommendation


def worst_first(finding: Finding) -> tuple[float, str, str]:
    """Sort key: most severe first, then by kind and id so equal severities keep a stable order."""
    return (-finding.severity, finding.kind, finding.id)


def finding_id(kind: str, subject: str) -> str:
    """A stable id: the same kind about the same subject (a team name, ``org``) gets the same id every run."""
    digest = hashlib.blake2b(f"{kind}\x1f{subject}".encode(), digest_size=6).hexdigest()
    return f"{kind}-{digest}"


class OrgCounts(BaseModel):
    people: int
    active_people: int
    teams: int
    active_teams: int
    by_function: dict[str, int] = Field(description="Active people per function.")


class Scorecard(BaseModel):
    """A team scored 0-100 on each practice from the findings' evidence; None where evidence is missing."""

    model_config = ConfigDict(frozen=True)

    team: str
    product_lead: str | None
    engineering_lead: str | None
    product_lead_name: str | None = None
    engineering_lead_name: str | None = None
    scores: dict[Practice, int | None] = Field(description="Per practice, 0-100, or null when evidence is missing.")
    missing: list[Practice] = Field(default_factory=list, description="The practices without evidence.")
    overall: int | None = Field(None, description="The mean of the scores that are not missing.")
    finding_kinds: list[str] = Field(default_factory=list, description="The kinds of the team's findings.")


class ModelPair(BaseModel):
    """A product/engineering pair healthy on every practice with enough evidence: a model to copy."""

    model_config = ConfigDict(frozen=True)

    team: str
    product_lead: str
    engineering_lead: str
    product_lead_name: str | None = None
    engineering_lead_name: str | None = None
    score: int
    why: list[str] = Field(description="What the pair does differently from the rest of the org.")


class WalkWindow(BaseModel):
    """The stretch of time a walk read (``tandem walk --since/--until``); a missing end is open."""

    since: datetime | None = None
    until: datetime | None = None

    def describe(self) -> str:
        """How the reports name the window: ``records from 2026-05-01 00:00 to 2026-08-31 23:59 UTC``."""
        start = f"from {self.since:%Y-%m-%d %H:%M}" if self.since is not None else "from the beginning"
        end = f"to {self.until:%Y-%m-%d %H:%M} UTC" if self.until is not None else "to now"
        return f"records {start} {end}"


class WalkReport(BaseModel):
    tandem_version: str
    generated_at: datetime
    org: OrgCounts
    findings: list[Finding]
    window: WalkWindow | None = Field(
        default=None, description="The stretch of time walked; null: the whole history up to generated_at."
    )
    metrics: dict[str, dict[str, Any]] = Field(
        default_factory=dict,
        description="Figures per domain, e.g. metrics.decisions[team] = {median_working_days_to_decide, …}.",
    )
    scorecards: list[Scorecard] = Field(
        default_factory=list, description="Every active team scored per practice, worst overall first."
    )
    model_pairs: list[ModelPair] = Field(default_factory=list, description="Pairs worth copying, best first.")
