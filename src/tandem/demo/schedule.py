"""A seeded quarter of schedule work for the demo org: Jira history, plans and commitments, with silos planted.

Pure: the same org, seed and ``now`` give the same export and plans; nothing touches a database. Every team with
both leads gets a Jira project history (items completed about one a working day, with the schedule changes of
the last two months) and a ranked, estimated plan with one commitment both leads signed. Three teams that are
otherwise healthy get one schedule problem each:

- ``siloed_schedule`` / ``product_sets_dates``: the product lead puts due dates on items engineering never touches;
- ``siloed_schedule`` / ``engineering_slips_silently``: engineers push due dates and carry items into later sprints
  without the product lead ever acting on those items;
- ``unrealistic_commitment`` / ``date_below_forecast``: both leads sign a date weeks before the plan's P50.

In healthy teams every schedule change is answered by the counterpart lead on the same item within a working
day, and the commitment's date is past the plan's P95. A Jira automation account that belongs to no one makes a
few changes everywhere: it must be listed as unknown, and count for neither side.

The export is the Jira REST search response with ``expand=changelog``: what ``tandem schedule import --jira``
reads from real Jira.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import numpy as np

from tandem.demo.decisions import _pairs
from tandem.demo.generator import DemoOrg, PlantedProblem
from tandem.schedule.forecast import plan_forecast

SILOED_SCHEDULE = "siloed_schedule"
UNREALISTIC_COMMITMENT = "unrealistic_commitment"
PRODUCT_SETS_DATES = "product_sets_dates"
ENGINEERING_SLIPS = "engineering_slips_silently"
DATE_BELOW_FORECAST = "date_below_forecast"
_PLANTS = (
    (SILOED_SCHEDULE, PRODUCT_SETS_DATES),
    (SILOED_SCHEDULE, ENGINEERING_SLIPS),
    (UNREALISTIC_COMMITMENT, DATE_BELOW_FORECAST),
)
HISTORY_WORKING_DAYS = 80
CHANGE_WORKING_DAYS = 40
"""Schedule changes happen in the last two months, well inside the detector's 90-day window."""
AUTOMATION = {"accountId": "557058:f00dfeed-0000-4000-8000-automation01", "displayName": "Automation for Jira"}
PLAN_ITEMS = (
    "Checkout redesign",
    "Saved payment methods",
    "Fraud rules v2",
    "Invoice PDF export",
    "Usage-based billing",
    "SSO for admins",
    "Audit log search",
    "Mobile deep links",
    "Webhook retries",
    "Onboarding checklist",
)


@dataclass(frozen=True)
class DemoCommitment:
    title: str
    target_date: date
    confidence: float
    proposed_at: datetime
    proposed_by: str
    signed_at: datetime
    signed_by: str


@dataclass(frozen=True)
class DemoPlan:
    """A team's plan, as its leads would enter it: items in rank order with engineering's estimates."""

    team: str
    product_lead: str
    engineering_lead: str
    capacity_per_day: float
    items: list[tuple[str, float, float, float]]
    ranked_at: datetime
    estimated_at: datetime
    commitment: DemoCommitment


@dataclass(frozen=True)
class DemoSchedule:
    jira: dict[str, Any]
    plans: list[DemoPlan]
    planted: list[PlantedProblem]
    healthy_teams: list[str] = field(default_factory=list)


def _stamp(moment: datetime) -> str:
    """Jira's timestamp format: ``2024-03-05T10:15:30.000+0000``."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000+0000")


def _working_day(now: datetime, back: int) -> date:
    return np.busday_offset(np.datetime64(now.date(), "D"), -back, roll="backward").astype(date)  # type: ignore[no-any-return]


def _at(day: date, rng: random.Random) -> datetime:
    return datetime.combine(day, time(rng.randint(8, 16), rng.randint(0, 59), rng.randint(0, 59)), UTC)


def _author(person: dict[str, str] | None) -> dict[str, Any]:
    if person is None:
        return dict(AUTOMATION, active=True)
    return {
        "accountId": f"557058:demo-{person['id']}",
        "emailAddress": person["email"],
        "displayName": person["name"],
        "active": True,
    }


class _Project:
    """One team's Jira project being written: issues, and the changes of the last two months."""

    def __init__(self, key: str, team: str, rng: random.Random, now: datetime) -> None:
        self.key, self.team, self.rng, self.now = key, team, rng, now
        self.issues: list[dict[str, Any]] = []

    def issue(self, created: datetime, resolved: datetime | None) -> dict[str, Any]:
        number = len(self.issues) + 1
        issue: dict[str, Any] = {
            "expand": "operations,versionedRepresentations,editmeta,changelog,renderedFields",
            "id": str(10_000 + number),
            "self": f"https://demo.atlassian.net/rest/api/2/issue/{10_000 + number}",
            "key": f"{self.key}-{number}",
            "fields": {
                "summary": f"{self.team}: work item {number}",
                "status": {
                    "name": "Done" if resolved else "In Progress",
                    "statusCategory": {"key": "done" if resolved else "indeterminate"},
                },
                "project": {"key": self.key, "name": self.team},
                "created": _stamp(created),
                "resolutiondate": _stamp(resolved) if resolved else None,
                "duedate": None,
                "fixVersions": [],
            },
            "changelog": {"startAt": 0, "maxResults": 100, "total": 0, "histories": []},
        }
        self.issues.append(issue)
        return issue

    def change(
        self,
        issue: dict[str, Any],
        who: dict[str, str] | None,
        at: datetime,
        field_name: str,
        before: str | None,
        after: str | None,
    ) -> None:
        histories = issue["changelog"]["histories"]
        histories.append(
            {
                "id": f"{issue['id']}{len(histories) + 1:03d}",
                "author": _author(who),
                "created": _stamp(at),
                "items": [
                    {
                        "field": field_name,
                        "fieldtype": "jira" if field_name != "Sprint" else "custom",
                        "from": None,
                        "fromString": before,
                        "to": None,
                        "toString": after,
                    }
                ],
            }
        )
        issue["changelog"]["total"] = len(histories)


def _due(day: date, weeks: int) -> str:
    return (day + timedelta(weeks=weeks)).isoformat()


def generate_schedule(
    org: DemoOrg, seed: int = 7, *, now: datetime, avoid: set[str] | frozenset[str] = frozenset()
) -> DemoSchedule:
    """The demo's Jira export and plans; problems go to three teams with both leads not in ``avoid``."""
    now = now.replace(tzinfo=UTC) if now.tzinfo is None else now.astimezone(UTC)
    rng = random.Random(f"{seed}:schedule")
    people = {person["id"]: person for person in org.people}
    keys = {row["team"]: row["jira_projects"] for row in org.teams}
    pairs = [pair for pair in _pairs(org) if keys.get(pair.team)]
    candidates = [pair.team for pair in pairs if pair.team not in avoid]
    chosen = rng.sample(candidates, min(len(_PLANTS), max(0, len(candidates) - 2)))
    plants = dict(zip(chosen, _PLANTS, strict=False))

    projects: list[_Project] = []
    plans: list[DemoPlan] = []
    for pair in pairs:
        team_rng = random.Random(f"{seed}:schedule:{pair.team}")
        plant = plants[pair.team][1] if pair.team in plants else None
        project = _Project(keys[pair.team], pair.team, team_rng, now)
        engineers = [p for p in org.people if p["team"] == pair.team and p["function"] == "engineering"]
        engineers = [p for p in engineers if p["id"] != pair.engineering] or [people[pair.engineering]]
        _history(project, team_rng)
        _changes(project, plant, people[pair.product], people[pair.engineering], engineers)
        projects.append(project)
        plans.append(_plan(pair.team, pair.product, pair.engineering, plant, team_rng, now))

    issues = [issue for project in projects for issue in project.issues]
    return DemoSchedule(
        jira={
            "expand": "schema,names",
            "startAt": 0,
            "maxResults": len(issues),
            "total": len(issues),
            "issues": issues,
        },
        plans=plans,
        planted=[PlantedProblem(kind, team, detail) for team, (kind, detail) in plants.items()],
        healthy_teams=[pair.team for pair in pairs if pair.team not in plants],
    )


def _history(project: _Project, rng: random.Random) -> None:
    """Completed items: about one a working day over the last 80 working days, some days two, some none."""
    for back in range(HISTORY_WORKING_DAYS, 0, -1):
        day = _working_day(project.now, back)
        for _ in range(rng.choice((0, 1, 1, 1, 2))):
            resolved = _at(day, rng)
            project.issue(resolved - timedelta(days=rng.randint(3, 20)), resolved)


def _changes(
    project: _Project,
    plant: str | None,
    product_lead: dict[str, str],
    engineering_lead: dict[str, str],
    engineers: list[dict[str, str]],
) -> None:
    """Joint episodes for every team (one lead changes an item, the other answers the same day), plus the plant."""
    rng = project.rng
    episodes = 2 if plant in (PRODUCT_SETS_DATES, ENGINEERING_SLIPS) else rng.randint(4, 7)
    for episode in range(episodes):
        day = _working_day(project.now, rng.randint(2, CHANGE_WORKING_DAYS))
        start = _at(day, rng)
        issue = project.issue(start - timedelta(days=5), None)
        first, second = (product_lead, engineering_lead) if episode % 2 else (engineering_lead, product_lead)
        project.change(issue, first, start, "duedate", None, _due(day, 3))
        project.change(
            issue, second, start + timedelta(hours=2), "Sprint", None, f"{project.key} Sprint {40 + episode}"
        )
    for _ in range(2):  # the automation account: counted as unknown, for neither side
        day = _working_day(project.now, rng.randint(2, CHANGE_WORKING_DAYS))
        project.change(project.issue(_at(day, rng), None), None, _at(day, rng), "Fix Version", None, "Backlog grooming")
    if plant == PRODUCT_SETS_DATES:
        for _ in range(9):
            day = _working_day(project.now, rng.randint(2, CHANGE_WORKING_DAYS))
            issue = project.issue(_at(day, rng) - timedelta(days=2), None)
            project.change(issue, product_lead, _at(day, rng), "duedate", None, _due(day, 2))
    elif plant == ENGINEERING_SLIPS:
        for number in range(9):
            day = _working_day(project.now, rng.randint(2, CHANGE_WORKING_DAYS))
            issue = project.issue(_at(day, rng) - timedelta(days=10), None)
            who = engineers[number % len(engineers)]
            if number % 2:
                project.change(issue, who, _at(day, rng), "duedate", _due(day, 0), _due(day, 2))
            else:
                sprint = f"{project.key} Sprint {30 + number}"
                project.change(
                    issue, who, _at(day, rng), "Sprint", sprint, f"{sprint}, {project.key} Sprint {31 + number}"
                )


def _plan(team: str, product: str, engineering: str, plant: str | None, rng: random.Random, now: datetime) -> DemoPlan:
    """Eight ranked, estimated items and one commitment on the first five; the date past P95 unless planted."""
    titles = rng.sample(PLAN_ITEMS, 8)
    items = []
    for title in titles:
        likely = float(rng.choice((2, 3, 5, 8)))
        items.append((title, likely * 0.6, likely, likely * 2))
    capacity = float(rng.choice((1.5, 2.0, 2.5)))
    proposed = _at(_working_day(now, 12), rng)
    signed = _at(_working_day(now, 11), rng)
    scope = items[:5]
    forecast = plan_forecast(
        [i[1] for i in scope],
        [i[2] for i in scope],
        [i[3] for i in scope],
        capacity_per_day=capacity,
        start=signed.date(),
        trials=5_000,
        seed=0,
        percentiles=(50, 95),
    )
    p50, p95 = forecast.completion[-1][50], forecast.completion[-1][95]
    if plant == DATE_BELOW_FORECAST:
        target = _shift(p50, -8)
        if target <= signed.date():
            target = signed.date() + timedelta(days=1)
    else:
        target = _shift(p95, 5)
    by_product = rng.random() < 0.5
    return DemoPlan(
        team=team,
        product_lead=product,
        engineering_lead=engineering,
        capacity_per_day=capacity,
        items=items,
        ranked_at=proposed - timedelta(days=3),
        estimated_at=proposed - timedelta(days=2),
        commitment=DemoCommitment(
            title=f"{team}: {titles[0]} and four more",
            target_date=target,
            confidence=0.85,
            proposed_at=proposed,
            proposed_by=product if by_product else engineering,
            signed_at=signed,
            signed_by=engineering if by_product else product,
        ),
    )


def _shift(day: date, working_days: int) -> date:
    return np.busday_offset(np.datetime64(day, "D"), working_days, roll="forward").astype(date)  # type: ignore[no-any-return]
