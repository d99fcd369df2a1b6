"""``tandem actions …`` and ``tandem walk snapshots``: follow-through from the command line; and what
``tandem walk --compare`` needs to find the walk it compares with."""

from __future__ import annotations

import getpass
import json
import re
from datetime import date
from pathlib import Path

import typer
from pydantic import ValidationError
from sqlalchemy.orm import Session

from tandem.cliutils import fail, open_database, out_console
from tandem.db import retrying, transaction
from tandem.followup import service
from tandem.followup.analysis import ActionStatus, WalkRef
from tandem.followup.models import WalkAction
from tandem.followup.service import FollowupError
from tandem.walk.findings import WalkReport

app = typer.Typer(
    help="Actions on the walk's findings: an owner, a due date and the practice step; the next walk says whether "
    "the finding went away.",
    no_args_is_help=True,
)


def cli_actor() -> str:
    return f"cli:{getpass.getuser()}"


# --- tandem walk --compare PREVIOUS ------------------------------------------------------------------------------


def _report_file(spec: str) -> tuple[WalkReport, WalkRef]:
    path = Path(spec)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        fail(f"--compare {spec}: not a snapshot id, `latest`, or an existing walk JSON file")
    except (OSError, UnicodeDecodeError) as error:
        fail(f"cannot read {path}: {getattr(error, 'strerror', None) or error}")
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        fail(f"{path}:{error.lineno}:{error.colno}: not valid JSON: {error.msg}")
    try:
        report = WalkReport.model_validate(document)
    except ValidationError as error:
        first = error.errors()[0]
        field = ".".join(str(part) for part in first["loc"]) or "(top level)"
        fail(f"{path}: not the JSON of `tandem walk --format json`: {field}: {first['msg']}")
    return report, WalkRef(label=path.name, generated_at=report.generated_at)


def previous_walk(session: Session, spec: str) -> tuple[WalkReport, WalkRef]:
    """The walk ``--compare`` names: a snapshot id, ``latest`` (the newest saved), or a walk JSON file."""
    if spec == "latest":
        snapshot = service.latest_snapshot(session)
        if snapshot is None:
            fail("--compare latest: no walk has been saved yet; run `tandem walk` once first")
    elif re.fullmatch(r"[0-9]+", spec):
        snapshot = service.get_snapshot(session, int(spec))
        if snapshot is None:
            fail(f"--compare {spec}: no snapshot has the id {spec} (`tandem walk snapshots` lists them)")
    else:
        return _report_file(spec)
    return service.report_of(snapshot), service.snapshot_ref(snapshot)


# --- tandem walk snapshots ---------------------------------------------------------------------------------------


def practice_counts(by_practice: dict[str, object]) -> str:
    return ", ".join(f"{practice} {count}" for practice, count in by_practice.items()) or "—"


def snapshots_command(
    limit: int = typer.Option(50, "--limit", min=1, max=1000, help="At most this many, newest first."),
) -> None:
    """List saved walks, newest first: id, taken at (UTC), findings, findings by practice, taken by (tab-separated)."""
    with transaction(open_database()) as session:
        rows, _ = service.snapshot_listing(session, limit=limit)
        for s in rows:
            typer.echo(
                f"{s.id}\t{s.taken_at:%Y-%m-%dT%H:%M:%SZ}\t{s.findings}\t{practice_counts(s.by_practice)}\t{s.taken_by}"
            )


# --- tandem actions ----------------------------------------------------------------------------------------------


def _due(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        fail(f"--due: '{value}' is not a date (YYYY-MM-DD)")


@app.command("add")
def add_command(
    finding_id: str = typer.Argument(..., help="The finding's id, as the latest saved walk lists it."),
    owner: str = typer.Option(..., "--owner", help="Who owns it: a person's id, e-mail or alias."),
    due: str = typer.Option(..., "--due", help="When it is due (YYYY-MM-DD, today or later)."),
    step: str | None = typer.Option(None, "--step", help="What to do (default: the finding's practice step)."),
) -> None:
    """Turn a finding of the latest saved walk into an action. Prints its id."""
    due_date = _due(due)

    def work(session: Session) -> int:
        latest = service.latest_snapshot(session)
        if latest is None:
            fail("no walk has been saved yet: run `tandem walk`, then take actions on its findings")
        finding = service.finding_in(service.report_of(latest), finding_id)
        if finding is None:
            fail(
                f"no finding '{finding_id}' in the latest saved walk (snapshot {latest.id}, "
                f"{latest.taken_at:%Y-%m-%d %H:%M} UTC); `tandem walk` prints each finding's id"
            )
        action = service.create_action(
            session, finding=finding, owner=owner, due=due_date, step=step, actor=cli_actor(), snapshot_id=latest.id
        )
        return action.id

    try:
        action_id = retrying(open_database(), work)
    except FollowupError as error:
        fail(str(error))
    typer.echo(action_id)


def present_text(present: bool | None) -> str:
    return "—" if present is None else ("yes" if present else "no")


@app.command("list")
def list_command(
    status: list[ActionStatus] | None = typer.Option(
        None, "--status", help="Only actions with this status: open, done or dropped (repeat)."
    ),
    team: str | None = typer.Option(None, "--team", help="Only this team's actions."),
    limit: int = typer.Option(50, "--limit", min=1, max=1000),
) -> None:
    """List actions, open ones first by due date: id, status, due, team, owner, finding id, whether the finding is
    still in the latest saved walk (yes, no, or — with none saved), title (tab-separated)."""
    with transaction(open_database()) as session:
        rows, _ = service.action_listing(session, statuses=status or [], team=team, limit=limit)
        latest, present = service.latest_finding_ids(session)
        for a in rows:
            still = None if latest is None else a.finding_id in present
            typer.echo(
                f"{a.id}\t{a.status.value}\t{a.due:%Y-%m-%d}\t{a.team or '—'}\t{a.owner_id}\t{a.finding_id}\t"
                f"{present_text(still)}\t{a.title}"
            )


def close(action_id: int, status: ActionStatus, note: str) -> None:
    """Close an action, retried if a concurrent step won the race; then what became of its finding."""

    def work(session: Session) -> str:
        action = service.get_action(session, action_id)
        if action is None:
            fail(f"no action has the id {action_id} (`tandem actions list` lists them)")
        service.close_action(session, action=action, status=status, actor=cli_actor(), note=note)
        return f"Action {action.id} is {action.status.value}{finding_outcome(session, action)}."

    try:
        message = retrying(open_database(), work)
    except FollowupError as error:
        fail(str(error))
    out_console.print(message, markup=False)


def finding_outcome(session: Session, action: WalkAction) -> str:
    latest, present = service.latest_finding_ids(session)
    if latest is None:
        return ""
    where = "is still in" if action.finding_id in present else "is gone from"
    return f"; its finding {where} the latest saved walk (snapshot {latest.id})"


NOTE_HELP = "What was done, or why it was dropped."


@app.command("done")
def done_command(
    action_id: int = typer.Argument(..., help="The action's id."),
    note: str = typer.Option("", "--note", help=NOTE_HELP),
) -> None:
    """Mark an open action done."""
    close(action_id, ActionStatus.DONE, note)


@app.command("drop")
def drop_command(
    action_id: int = typer.Argument(..., help="The action's id."),
    note: str = typer.Option("", "--note", help=NOTE_HELP),
) -> None:
    """Drop an open action (say why with --note)."""
    close(action_id, ActionStatus.DROPPED, note)
