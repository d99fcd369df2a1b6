"""An org with planted problems, and the same org after some were fixed: the two walks follow-through compares."""

from __future__ import annotations

from datetime import date, timedelta

from factories import person, small_org, small_teams
from tandem.db import utcnow
from tandem.walk.findings import finding_id

SEARCH_GAP = finding_id("power_gap", "team:Search")  # fixed: the product lead is promoted to the same level
GROWTH_GAP = finding_id("power_gap", "team:Growth")  # improved: four levels apart, then two
LEDGER_MISSING = finding_id("missing_counterpart", "team:Ledger")  # left alone: no engineering lead
MOBILE_MISSING = finding_id("missing_counterpart", "team:Mobile")  # new: a team that starts without one


def in_days(days: int) -> date:
    return utcnow().date() + timedelta(days=days)


def before_people() -> list[dict[str, str]]:
    return [
        *small_org(),
        person("pm2", "gm", "product", 4, team="Search"),
        person("em2", "gm", "engineering", 7),
        person("pm3", "gm", "product", 3, team="Growth"),
        person("em3", "gm", "engineering", 7),
        person("pm4", "gm", "product", 6, team="Ledger"),
    ]


def before_teams() -> list[dict[str, str]]:
    return [
        *small_teams(),
        {"team": "Search", "product_lead": "pm2", "engineering_lead": "em2"},
        {"team": "Growth", "product_lead": "pm3", "engineering_lead": "em3"},
        {"team": "Ledger", "product_lead": "pm4", "engineering_lead": ""},
    ]


def after_people() -> list[dict[str, str]]:
    """Search's product lead promoted level with her counterpart, Growth's halfway; a new team, Mobile."""
    people = [{**p, "level": "7"} if p["id"] == "pm2" else p for p in before_people()]
    people = [{**p, "level": "5"} if p["id"] == "pm3" else p for p in people]
    return [*people, person("pm5", "gm", "product", 6, team="Mobile")]


def after_teams() -> list[dict[str, str]]:
    return [*before_teams(), {"team": "Mobile", "product_lead": "pm5", "engineering_lead": ""}]
