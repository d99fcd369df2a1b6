"""``tandem decisions …``: the decision workflow from the command line, acting as a person in the org."""

from __future__ import annotations

import getpass
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Protocol, TypeVar

import typer
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tandem.cliutils import fail, open_database, out_console, settings
from tandem.db import retrying, transaction
from tandem.decisions import service
from tandem.decisions.facts import DecisionState, Factor, Stance
from tandem.decisions.importer import import_decision_log
from tandem.decisions.lifecycle import IllegalTransitionError
from tandem.decisions.models import Decision
from tandem.decisions.service import Actor, DecisionError
from tandem.org.importer import ImportRejectedError
from tandem.org.models import Person, PersonAlias
from tandem.org.service import team_by_name

app = typer.Typer(help="Two-in-a-box decisions: record, score, sign, escalate, decide.", no_args_is_help=True)

AS_HELP = "Who acts: a person's id, e-mail or alias (a lead of the team, or its accountable manager)."


def person_id(session: Session, who: str) -> str:
    """A person by id, e-mail or alias."""
    person = (
        session.get(Person, who)
        or session.scalars(select(Person).where(func.lower(Person.email) == who.strip().lower())).first()
    )
    if person is None:
        alias = session.get(PersonAlias, who.strip().lower())
        person = session.get(Person, alias.person_id) if alias else None
    if person is None:
        fail(f"nobody in the org is '{who}' (by id, e-mail or alias)")
    return person.id


def act(decision_id: int, who: str, step: Callable[[Session, Decision, Actor], None]) -> None:
    """One step as ``who``, retried if a concurrent step won the race; then the decision's new state."""
    engine = open_database()

    def work(session: Session) -> str:
        decision = service.get(session, decision_id)
        if decision is None:
            fail(f"no decision has the id {decision_id}")
        acting = person_id(session, who)
        step(session, decision, Actor(f"cli:{getpass.getuser()} as {acting}", acting))
        return f"Decision {decision.id} is {decision.state.value}."

    try:
        message = retrying(engine, work)
    except (DecisionError, IllegalTransitionError) as error:
        fail(str(error))
    out_console.print(message, markup=False)


@app.command("list")
def list_command(
    team: str | None = typer.Option(None, "--team", help="Only this team's decisions."),
    state: list[DecisionState] | None = typer.Option(None, "--state", help="Only decisions in this state (repeat)."),
    limit: int = typer.Option(50, "--limit", min=1, max=1000),
) -> None:
    """List decisions, newest first: id, team, state, decide-by, title (tab-separated)."""
    with transaction(open_database()) as session:
        chosen = team_by_name(session, team) if team else None
        if team and chosen is None:
            fail(f"no team is called {team}")
        rows, _ = service.listing(session, team=chosen, states=state or [], limit=limit)
        for d in rows:
            typer.echo(f"{d.id}\t{d.team.name}\t{d.state.value}\t{d.decide_by:%Y-%m-%d}\t{d.title}")


@app.command("show")
def show_command(decision_id: int = typer.Argument(..., help="The decision's id.")) -> None:
    """Show a decision: options, both leads' scores, sign-offs and history."""
    with transaction(open_database()) as session:
        decision = service.get(session, decision_id)
        if decision is None:
            fail(f"no decision has the id {decision_id}")
        roles = service.team_roles(session, decision.team)
        out_console.print(
            f"#{decision.id} {decision.title} [{decision.state.value}] — {decision.team.name}", markup=False
        )
        out_console.print(
            f"decide by {decision.decide_by:%Y-%m-%d %H:%M} UTC; options: {', '.join(decision.options)}", markup=False
        )
        for lead, label in ((roles.product_lead, "product"), (roles.engineering_lead, "engineering")):
            scores = [s for s in decision.scores if s.person_id == lead]
            line = "; ".join(f"{s.option}/{s.factor.value} {s.score:+d}" for s in scores) or "no scores"
            out_console.print(f"{label} lead {lead}: {line}", markup=False)
        for s in decision.signoffs:
            out_console.print(f"signed by {s.person_id}: {s.option} ({s.stance.value})", markup=False)
        for e in decision.events:
            out_console.print(f"{e.at:%Y-%m-%d %H:%M} {e.kind} by {e.actor} -> {e.state.value}", markup=False)


@app.command("new")
def new_command(
    team: str = typer.Option(..., "--team", help="The team the decision belongs to."),
    title: str = typer.Option(..., "--title", help="What is being decided."),
    option: list[str] = typer.Option(..., "--option", help="An option (give two or more)."),
    who: str = typer.Option(..., "--as", help=AS_HELP),
    context: str = typer.Option("", "--context", help="Background, constraints, links."),
    decide_by: datetime | None = typer.Option(None, "--decide-by", help="Time-box (default: 5 working days)."),
    open_now: bool = typer.Option(False, "--open", help="Open it for scoring and sign-off at once."),
) -> None:
    """Record a decision as a draft (or open it at once with --open)."""
    engine = open_database()
    config = settings()

    def work(session: Session) -> int:
        chosen = team_by_name(session, team)
        if chosen is None:
            fail(f"no team is called {team}")
        acting = person_id(session, who)
        actor = Actor(f"cli:{getpass.getuser()} as {acting}", acting)
        when = decide_by.astimezone() if decide_by is not None else None
        decision = service.create(
            session,
            team=chosen,
            title=title,
            options=option,
            context=context,
            decide_by=when,
            actor=actor,
            settings=config.decisions,
        )
        if open_now:
            service.open_decision(
                session, decision=decision, actor=actor, timebox_working_days=config.decisions.timebox_working_days
            )
        return decision.id

    try:
        decision_id = retrying(engine, work)
    except (DecisionError, IllegalTransitionError) as error:
        fail(str(error))
    typer.echo(decision_id)


@app.command("open")
def open_command(decision_id: int = typer.Argument(...), who: str = typer.Option(..., "--as", help=AS_HELP)) -> None:
    """Open a draft for scoring and sign-off (both leads are notified)."""
    timebox = settings().decisions.timebox_working_days
    act(decision_id, who, lambda s, d, a: service.open_decision(s, decision=d, actor=a, timebox_working_days=timebox))


@app.command("score")
def score_command(
    decision_id: int = typer.Argument(...),
    who: str = typer.Option(..., "--as", help=AS_HELP),
    option: str = typer.Option(..., "--option"),
    factor: Factor = typer.Option(..., "--factor"),
    value: int = typer.Option(..., "--score", min=-2, max=2, help="From -2 to +2."),
    rationale: str = typer.Option("", "--rationale", help="One line: why."),
) -> None:
    """Score one option on one factor (a later score replaces an earlier one)."""
    act(
        decision_id,
        who,
        lambda s, d, a: service.score(
            s, decision=d, actor=a, option=option, factor=factor, value=value, rationale=rationale
        ),
    )


@app.command("sign")
def sign_command(
    decision_id: int = typer.Argument(...),
    who: str = typer.Option(..., "--as", help=AS_HELP),
    option: str = typer.Option(..., "--option"),
    disagree_and_commit: bool = typer.Option(False, "--disagree-and-commit", help="Sign while recording dissent."),
) -> None:
    """Sign an option; with both leads signed the decision is agreed or contested."""
    stance = Stance.DISAGREE_AND_COMMIT if disagree_and_commit else Stance.AGREE
    act(decision_id, who, lambda s, d, a: service.sign(s, decision=d, actor=a, option=option, stance=stance))


@app.command("escalate")
def escalate_command(
    decision_id: int = typer.Argument(...), who: str = typer.Option(..., "--as", help=AS_HELP)
) -> None:
    """Escalate to the team's accountable manager."""
    act(decision_id, who, lambda s, d, a: service.escalate(s, decision=d, actor=a))


@app.command("decide")
def decide_command(
    decision_id: int = typer.Argument(...),
    who: str = typer.Option(..., "--as", help=AS_HELP),
    option: str = typer.Option(..., "--option"),
    rationale: str = typer.Option(..., "--rationale", help="Why this option."),
) -> None:
    """Decide an escalated decision (the accountable manager only)."""
    act(decision_id, who, lambda s, d, a: service.decide(s, decision=d, actor=a, option=option, rationale=rationale))


@app.command("close")
def close_command(decision_id: int = typer.Argument(...), who: str = typer.Option(..., "--as", help=AS_HELP)) -> None:
    """Close an agreed or decided decision."""
    act(decision_id, who, lambda s, d, a: service.close(s, decision=d, actor=a))


class _ImportReport(Protocol):
    @property
    def warnings(self) -> Sequence[object]: ...


R = TypeVar("R", bound=_ImportReport)


def import_log(importer: Callable[..., R], file: Path, *, dry_run: bool) -> R:
    """Run a log importer in one transaction as the CLI user: every problem and the count on stderr (exit 2) when
    the file is refused, its warnings on stderr otherwise; the importer's report."""
    engine = open_database()
    try:
        with transaction(engine) as session:
            report = importer(
                session, data=file.read_bytes(), name=str(file), actor=f"cli:{getpass.getuser()}", dry_run=dry_run
            )
    except ImportRejectedError as error:
        for problem in error.problems:
            typer.echo(str(problem), err=True)
        fail(f"{len(error.problems)} problem(s) found; nothing was written")
    for warning in report.warnings:
        typer.echo(f"warning: {warning}", err=True)
    return report


@app.command("import")
def import_command(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, readable=True, help="The decision log (JSON)."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Validate and count; write nothing."),
) -> None:
    """Import an existing decision log: all or nothing, idempotent on re-import."""
    report = import_log(import_decision_log, file, dry_run=dry_run)
    verb = "Would import" if dry_run else "Imported"
    out_console.print(f"{verb} {file.name}: {report.created} created, {report.unchanged} unchanged.", markup=False)
