"""Factories: small, valid orgs as CSV bytes, changed one field at a time by each test."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from tandem.db import transaction
from tandem.org.analysis import PersonNode
from tandem.org.models import Function
from tandem.org.service import import_org

PEOPLE_HEADER = ("id", "name", "email", "function", "level", "manager_id", "title", "team", "aliases")
TEAMS_HEADER = ("team", "product_lead", "engineering_lead", "accountable_manager", "jira_projects", "github_repos")


def person(pid: str, manager: str = "", function: str = "engineering", level: int = 5, **fields: str) -> dict[str, str]:
    row = {
        "id": pid,
        "name": f"Person {pid.upper()}",
        "email": f"{pid}@example.com",
        "function": function,
        "level": str(level),
        "manager_id": manager,
        "title": "",
        "team": "",
        "aliases": "",
    }
    row.update(fields)
    return row


def small_org() -> list[dict[str, str]]:
    """A CEO, a CPO and a CTO who are peers, and one group whose GM has a product and an engineering lead."""
    return [
        person("ceo", "", "other", 10, title="CEO"),
        person("cpo", "ceo", "product", 9, title="CPO"),
        person("cto", "ceo", "engineering", 9, title="CTO"),
        person("gm", "ceo", "other", 8, title="General Manager"),
        person("pm1", "gm", "product", 6, team="Payments", aliases="pmone;557058:aa"),
        person("em1", "gm", "engineering", 6, team="Payments", aliases="emone"),
        person("dev1", "em1", "engineering", 4, team="Payments"),
    ]


def small_teams() -> list[dict[str, str]]:
    return [
        {
            "team": "Payments",
            "product_lead": "pm1",
            "engineering_lead": "em1@example.com",
            "accountable_manager": "",
            "jira_projects": "PAY",
            "github_repos": "acme/payments",
        }
    ]


def to_csv(rows: Sequence[dict[str, str]], header: Sequence[str] | None = None) -> bytes:
    columns = list(header or (rows[0].keys() if rows else PEOPLE_HEADER))
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode()


def node(
    pid: str, manager: str | None, function: Function = Function.OTHER, level: int = 5, active: bool = True
) -> PersonNode:
    """A person as the pure analysis sees them, named after their id."""
    return PersonNode(id=pid, name=pid.upper(), function=function, level=level, manager_id=manager, active=active)


def import_small_org(
    session: Session, people: Sequence[dict[str, str]] | None = None, teams: Sequence[dict[str, str]] | None = None
) -> None:
    """Import an org (the small one by default) through the real importer, in the caller's transaction."""
    import_org(
        session,
        people_data=to_csv(people if people is not None else small_org()),
        people_file="people.csv",
        teams_data=to_csv(teams if teams is not None else small_teams(), TEAMS_HEADER),
        teams_file="teams.csv",
        imported_by="test",
    )


def load_org(
    engine: Engine, people: Sequence[dict[str, str]] | None = None, teams: Sequence[dict[str, str]] | None = None
) -> None:
    """``import_small_org`` in a transaction of its own."""
    with transaction(engine) as session:
        import_small_org(session, people, teams)
