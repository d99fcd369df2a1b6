"""``tandem demo``: a realistic synthetic org with planted problems, imported and walked."""

from __future__ import annotations

import getpass
import json
from collections.abc import Sequence
from dataclasses import asdict
from datetime import datetime, timedelta
from pathlib import Path

import typer
from sqlalchemy.orm import Session

from tandem.cliutils import fail, open_database, out_console
from tandem.constraints.importer import import_constraint_log
from tandem.constraints.importer import to_csv as blockers_csv
from tandem.db import transaction, utcnow
from tandem.decisions.importer import import_decision_log
from tandem.decisions.service import Actor
from tandem.demo.constraints import generate_constraints
from tandem.demo.decisions import generate_decisions
from tandem.demo.generator import generate_org, people_csv, teams_csv, write_demo
from tandem.demo.rituals import DAYS as RITUAL_DAYS
from tandem.demo.rituals import generate_calendars
from tandem.demo.schedule import DemoPlan, generate_schedule
from tandem.demo.trust import generate_pulses
from tandem.org.importer import ImportRejectedError
from tandem.org.service import import_org, team_by_name
from tandem.overlap.importer import import_calendar
from tandem.overlap.kinds import KindRules
from tandem.schedule import service as schedule
from tandem.schedule.importer import import_tracker
from tandem.schedule.service import ScheduleError
from tandem.schedule.trackers import TrackerFormatError
from tandem.trust.service import PulseImportError, import_answers, manager_chains
from tandem.walk.cli import write_walk
from tandem.walk.report import ReportFormat


def demo(
    seed: int = typer.Option(7, help="Seed of the generator: the same seed builds the same org."),
    directory: Path = typer.Option(
        Path("tandem-demo"),
        "--dir",
        file_okay=False,
        help="Where people.csv, teams.csv, the other demo files, calendars/ and truth.json go.",
    ),
    report_format: ReportFormat = typer.Option(ReportFormat.TEXT, "--format", "-f", help="text, md or json."),
    out: Path | None = typer.Option(None, "--out", "-o", dir_okay=False, help="Write the walk to this file."),
) -> None:
    """Build the demo org, a year of its decisions and team calendars (with the ground truth beside them), load
    them into the database through the same imports users run, and run the walk."""
    now = utcnow()
    org = generate_org(seed)
    decisions = generate_decisions(org, seed, now=now)
    already = {problem.team for problem in [*org.planted, *decisions.planted] if problem.team}
    schedule = generate_schedule(org, seed, now=now, avoid=already)
    try:
        people_path, teams_path, truth_path = write_demo(org, directory)
    except OSError as error:
        fail(f"cannot write the demo files to {directory}: {error.strerror}")
    log = json.dumps(decisions.records, indent=1).encode()
    (directory / "decisions.json").write_bytes(log)
    jira_path = directory / "jira.json"
    jira_path.write_text(json.dumps(schedule.jira), encoding="utf-8")
    silos = {problem.team for problem in schedule.planted if problem.team}
    actor = f"cli:{getpass.getuser()}"
    engine = open_database()
    try:
        with transaction(engine) as session:
            outcome = import_org(
                session,
                people_data=people_csv(org),
                people_file=str(people_path),
                teams_data=teams_csv(org),
                teams_file=str(teams_path),
                imported_by=actor,
            )
            imported = import_decision_log(session, data=log, name=str(directory / "decisions.json"), actor=actor)
            tracker = import_tracker(session, "jira", jira_path, imported_by=actor)
            enter_plans(session, schedule.plans)
            managers = {team: chain[0] if chain else None for team, chain in manager_chains(session).items()}
            pulses = generate_pulses(org, seed, now=now, managers=managers, avoid=already | silos)
            (directory / "pulses.csv").write_text(pulses.csv, encoding="utf-8")
            pulse_report = import_answers(
                session, pulses.csv.encode(), name=str(directory / "pulses.csv"), actor_label=actor
            )
            board, board_plants = generate_constraints(
                org, seed, now=now, avoid=already | silos | set(pulses.affected_teams)
            )
            (directory / "constraints.csv").write_bytes(blockers_csv(board))
            import_constraint_log(
                session, data=blockers_csv(board), name=str(directory / "constraints.csv"), actor=actor
            )
            hidden = {problem.team for problem in board_plants if problem.team}
            calendars = generate_calendars(
                org, seed, now=now, avoid=already | silos | set(pulses.affected_teams) | hidden
            )
            rituals = _import_calendars(session, calendars.files, directory / "calendars", now=now, actor=actor)
    except ImportRejectedError as error:  # the generator and the importers disagree: a bug, said plainly
        fail(f"the demo data did not import ({len(error.problems)} problems), first: {error.problems[0]}", code=1)
    except (TrackerFormatError, ScheduleError, PulseImportError) as error:
        fail(f"the demo schedule or pulses did not load: {error}", code=1)
    healthy = sorted(
        (set(org.healthy_teams) & set(decisions.healthy_teams))
        - silos
        - set(pulses.affected_teams)
        - hidden
        - set(calendars.affected_teams)
    )
    problems = [
        *org.planted,
        *decisions.planted,
        *schedule.planted,
        *pulses.planted,
        *board_plants,
        *calendars.planted,
    ]
    planted = [asdict(problem) for problem in problems]
    truth = {"seed": seed, "planted": planted, "healthy_teams": healthy}
    truth_path.write_text(json.dumps(truth, indent=2) + "\n", encoding="utf-8")
    counts = outcome.plan.counts()
    out_console.print(
        f"Demo org (seed {seed}): {len(org.people)} people, {len(org.teams)} teams, "
        f"{len(decisions.records)} decisions ({imported.created} new), "
        f"{tracker.record.counts.get('changes_added', 0)} tracker schedule changes, {len(schedule.plans)} plans, "
        f"{pulse_report.responses} pulse responses, {len(board)} constraints, "
        f"{rituals} ritual occurrences from {len(calendars.files)} calendars; "
        f"{len(planted)} planted problems; "
        f"files and ground truth in {directory}/ ({counts['people_created']} people created, "
        f"{counts['people_updated']} updated).",
        markup=False,
        soft_wrap=True,
    )
    write_walk(report_format, out)


def _import_calendars(session: Session, files: dict[str, bytes], folder: Path, *, now: datetime, actor: str) -> int:
    """Write each team's calendar export into ``folder`` and import it as ``tandem rituals import`` would, with
    the default keyword rules, over the year before ``now``; the number of occurrences stored."""
    folder.mkdir(parents=True, exist_ok=True)
    rules = KindRules.of()
    stored = 0
    for name, data in files.items():
        path = folder / name
        path.write_bytes(data)
        report = import_calendar(
            session,
            data=data,
            name=str(path),
            actor=actor,
            rules=rules,
            since=now - timedelta(days=RITUAL_DAYS),
            until=now,
        )
        stored += report.created + report.updated + report.unchanged
    return stored


def enter_plans(session: Session, plans: Sequence[DemoPlan]) -> None:
    """Each team's plan as its leads would enter it: product adds and ranks, engineering estimates, both sign."""
    for plan in plans:
        team = team_by_name(session, plan.team)
        if team is None:
            raise ScheduleError(f"the demo plan names a team the org does not have: {plan.team}")
        product = Actor(f"demo as {plan.product_lead}", plan.product_lead)
        engineering = Actor(f"demo as {plan.engineering_lead}", plan.engineering_lead)
        leads = {plan.product_lead: product, plan.engineering_lead: engineering}
        schedule.set_capacity(session, team, engineering, capacity_per_day=plan.capacity_per_day)
        ids = []
        for title, optimistic, likely, pessimistic in plan.items:
            item = schedule.add_item(session, team, product, title=title, now=plan.ranked_at)
            schedule.estimate(
                session,
                item,
                engineering,
                optimistic=optimistic,
                likely=likely,
                pessimistic=pessimistic,
                now=plan.estimated_at,
            )
            ids.append(item.id)
        promise = plan.commitment
        commitment = schedule.propose(
            session,
            team,
            leads[promise.proposed_by],
            title=promise.title,
            target_date=promise.target_date,
            scope=ids[:5],
            confidence=promise.confidence,
            now=promise.proposed_at,
        )
        schedule.sign(session, commitment, leads[promise.signed_by], revision_number=1, now=promise.signed_at)
