"""The org as the REST API shows it."""

from __future__ import annotations

from typing import Generic, TypeVar

from pydantic import BaseModel, Field

from tandem.walk.findings import OrgCounts

T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    """One page of a list: ``items``, how many there are in all, and where this page starts."""

    items: list[T]
    total: int
    limit: int
    offset: int


class PersonOut(BaseModel):
    id: str
    name: str
    email: str
    function: str
    level: int
    manager_id: str | None
    title: str | None
    team: str | None
    active: bool


class TeamOut(BaseModel):
    name: str
    active: bool
    product_lead: str | None = Field(description="Person id.")
    engineering_lead: str | None = Field(description="Person id.")
    accountable_manager: str | None = Field(description="Person id: the override, else the lowest common manager.")
    accountable_manager_source: str | None = Field(description="override or lowest_common_manager")
    escalation_distance: int | None
    level_gap: int | None = Field(description="Product lead's level minus engineering lead's level.")
    jira_projects: list[str]
    github_repos: list[str]
    linear_teams: list[str]


class OrgOut(BaseModel):
    counts: OrgCounts
    root: str | None = Field(description="Person id of the top of the org.")
    senior_product_leader: str | None
    senior_engineering_leader: str | None
