"""``tandem constraints …``: the constraints board from the command line, acting as a person in the org."""

from __future__ import annotations

import getpass
from collections.abc import Callable
from pathlib import Path

import typer
from sqlalchemy.orm import Session

from tandem.cliutils import fail, open_database, out_console
from tandem.constraints import analysis, service
from tandem.constraints.facts import ConstraintKind, ConstraintState
from tandem.constraints.importer import import_constraint_log
from tandem.constraints.models import Constraint
from tandem.constraints.service import ConstraintError
from tandem.db import retrying, transaction, utcnow
from tandem.decisions.cli import import_log, person_id
from tandem.decisions.service import Actor
from tandem.org.service import team_by_name

app = typer.Typer(
    help="The constraints board: post your own constraints; the counterpart lead acknowledges; both resolve.",
    no_args_is_help=True,
)

AS_HELP = "Who acts: a person's id, e-mail or alias (the poster, or their counterpart lead)."


def _actor(session: Session, who: str) -> Actor:
    acting = person_id(session, who)
    return Actor(f"cli:{getpass.getuser()} as {acting}", acting)


def act(constraint_id: int, who: str, step: Callable[[Session, Constraint, Actor], None]) -> None:
    """One step as ``who``, retried if a concurrent step won the race; then the constraint's new state."""

    def work(session: Session) -> str:
        constraint = service.get(session, constraint_id)
        if constraint is None:
            fail(f"no constraint has the id {constraint_id}")
        step(session, constraint, _actor(session, who))
        jointly = " (jointly)" if constraint.resolved_jointly else ""
        return f"Constraint {constraint.id} is {constraint.state.value}{jointly}."

    try:
        message = retrying(open_database(), work)
    except ConstraintError as error:
        fail(str(error))
    out_console.print(message, markup=False)


@app.command("post")
def post_command(
    team: str = typer.Option(..., "--team", help="The team whose board it goes on."),
    who: str = typer.Option(..., "--as", help="Who posts: a person's id, e-mail or alias (on that team)."),
    kind: ConstraintKind = typer.Option(..., "--kind", help="overloaded, blocked or uncertain."),
    text: str = typer.Option(..., "--text", help="The constraint, in your words."),
    would_help: str = typer.Option("", "--would-help", help="What would help."),
) -> None:
    """Post your own constraint; your counterpart lead is notified. Prints its id."""

    def work(session: Session) -> int:
        chosen = team_by_name(session, team)
        if chosen is None:
            fail(f"no team is called {team}")
        constraint = service.post(
            session, team=chosen, actor=_actor(session, who), kind=kind, text=text, help=would_help
        )
        return constraint.id

    try:
        constraint_id = retrying(open_database(), work)
    except ConstraintError as error:
        fail(str(error))
    typer.echo(constraint_id)


@app.command("ack")
def ack_command(
    constraint_id: int = typer.Argument(..., help="The constraint's id."),
    who: str = typer.Option(..., "--as", help=AS_HELP),
) -> None:
    """Acknowledge a constraint (its poster's counterpart lead); the poster is told."""
    act(constraint_id, who, lambda s, c, a: service.acknowledge(s, constraint=c, actor=a))


@app.command("resolve")
def resolve_command(
    constraint_id: int = typer.Argument(..., help="The constraint's id."),
    who: str = typer.Option(..., "--as", help=AS_HELP),
    note: str = typer.Option("", "--note", help="What resolved it."),
) -> None:
    """Resolve a constraint (the poster or a counterpart lead); joint when it was acknowledged first."""
    act(constraint_id, who, lambda s, c, a: service.resolve(s, constraint=c, actor=a, note=note))


@app.command("list")
def list_command(
    team: str | None = typer.Option(None, "--team", help="Only this team's constraints."),
    state: list[ConstraintState] | None = typer.Option(
        None, "--state", help="Only constraints in this state (repeat)."
    ),
    limit: int = typer.Option(50, "--limit", min=1, max=1000),
) -> None:
    """List constraints, newest first: id, team, kind, state, posted, by, age, text (tab-separated)."""
    now = utcnow()
    with transaction(open_database()) as session:
        chosen = team_by_name(session, team) if team else None
        if team and chosen is None:
            fail(f"no team is called {team}")
        rows, _ = service.listing(session, team=chosen, states=state or [], limit=limit)
        for c in rows:
            age = analysis.age_text(service.facts_of(c), now)
            text = " ".join(c.text.split())
            typer.echo(
                f"{c.id}\t{c.team.name}\t{c.kind.value}\t{c.state.value}\t{c.posted_at:%Y-%m-%d}\t{c.posted_by}\t{age}\t{text}"
            )


@app.command("import")
def import_command(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, readable=True, help="The blockers log (CSV)."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Validate and count; write nothing."),
) -> None:
    """Import an existing blockers log: all or nothing, idempotent on re-import."""
    report = import_log(import_constraint_log, file, dry_run=dry_run)
    verb = "Would import" if dry_run else "Imported"
    out_console.print(
        f"{verb} {file.name}: {report.created} created, {report.updated} updated, {report.unchanged} unchanged.",
        markup=False,
    )
