"""The demo's schedule: deterministic, shaped like a real Jira export, planted where it says and nowhere else."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime

from tandem.demo.generator import generate_org
from tandem.demo.schedule import DATE_BELOW_FORECAST, generate_schedule
from tandem.schedule.forecast import plan_forecast

NOW = datetime(2026, 11, 20, 14, 0, tzinfo=UTC)
JIRA_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000\+0000$")


def test_same_seed_same_schedule() -> None:
    org = generate_org(7)
    first, second = generate_schedule(org, 7, now=NOW), generate_schedule(org, 7, now=NOW)
    assert json.dumps(first.jira) == json.dumps(second.jira)
    assert first.plans == second.plans and first.planted == second.planted


def test_plants_three_problems_on_distinct_teams_it_was_not_told_to_avoid() -> None:
    org = generate_org(7)
    avoid = {problem.team for problem in org.planted if problem.team}
    schedule = generate_schedule(org, 7, now=NOW, avoid=avoid)
    teams = [problem.team for problem in schedule.planted]
    assert len(teams) == 3 and len(set(teams)) == 3
    assert not set(teams) & avoid
    assert not set(teams) & set(schedule.healthy_teams)


def test_export_is_shaped_like_jiras_search_response() -> None:
    schedule = generate_schedule(generate_org(7), 7, now=NOW)
    issue = schedule.jira["issues"][0]
    assert set(schedule.jira) >= {"startAt", "maxResults", "total", "issues"}
    assert JIRA_TIME.match(issue["fields"]["created"])
    histories = [h for i in schedule.jira["issues"] for h in i["changelog"]["histories"]]
    assert histories and all(JIRA_TIME.match(h["created"]) for h in histories)
    assert {item["field"] for h in histories for item in h["items"]} >= {"duedate", "Sprint", "Fix Version"}


def test_healthy_commitments_are_past_the_p95_and_the_planted_one_below_the_p50() -> None:
    schedule = generate_schedule(generate_org(7), 7, now=NOW)
    planted = {problem.team for problem in schedule.planted if problem.detail == DATE_BELOW_FORECAST}
    for plan in schedule.plans:
        scope = plan.items[:5]
        forecast = plan_forecast(
            [i[1] for i in scope],
            [i[2] for i in scope],
            [i[3] for i in scope],
            capacity_per_day=plan.capacity_per_day,
            start=plan.commitment.signed_at.date(),
            trials=5_000,
            seed=0,
        ).completion[-1]
        if plan.team in planted:
            assert plan.commitment.target_date < forecast[50]
        else:
            assert plan.commitment.target_date > forecast[95]
