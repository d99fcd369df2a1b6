"""The ``tandem`` command: each domain mounts its commands here."""

from __future__ import annotations

import typer

from tandem import __version__
from tandem.accounts.cli import tokens_app, users_app
from tandem.cliutils import open_database, out_console
from tandem.constraints.cli import app as constraints_app
from tandem.db import current_revision, head_revision, upgrade
from tandem.decisions.cli import app as decisions_app
from tandem.demo.cli import demo
from tandem.evaluate.cli import evaluate_command
from tandem.followup.cli import app as actions_app
from tandem.org.cli import app as org_app
from tandem.overlap.cli import app as rituals_app
from tandem.schedule.cli import app as schedule_app
from tandem.trust.cli import app as pulse_app
from tandem.walk.cli import app as walk_app
from tandem.web.cli import serve
from tandem.worker import worker

app = typer.Typer(
    name="tandem",
    help="Tandem: product and engineering as one team with equal authority.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
db_app = typer.Typer(help="The database schema.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(org_app, name="org")
app.add_typer(decisions_app, name="decisions")
app.add_typer(schedule_app, name="schedule")
app.add_typer(pulse_app, name="pulse")
app.add_typer(constraints_app, name="constraints")
app.add_typer(rituals_app, name="rituals")
app.add_typer(walk_app, name="walk")
app.add_typer(actions_app, name="actions")
app.command("demo")(demo)
app.command("evaluate")(evaluate_command)
app.command("serve")(serve)
app.command("worker")(worker)
app.add_typer(users_app, name="users")
app.add_typer(tokens_app, name="tokens")


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply pending migrations (needed on PostgreSQL; SQLite upgrades itself)."""
    engine = open_database(migrate=False)
    upgrade(engine)
    out_console.print(f"Database at revision {current_revision(engine)}.", markup=False)


@db_app.command("current")
def db_current() -> None:
    """Print the database's schema revision and the code's."""
    engine = open_database(migrate=False)
    out_console.print(f"database: {current_revision(engine)}\ncode:     {head_revision(engine)}", markup=False)


@app.command(
    "forecast",
    context_settings={"allow_extra_args": True, "ignore_unknown_options": True, "help_option_names": []},
    add_help_option=False,
)
def forecast(ctx: typer.Context) -> None:
    """Monte Carlo forecast from completed-item history: `tandem forecast --history ITEMS.csv (--items N | --by DATE)`
    (see `tandem forecast --help`)."""
    from tandem.schedule.forecast_cli import main as forecast_main

    raise typer.Exit(forecast_main(list(ctx.args)))


@app.command("version")
def version() -> None:
    """Print Tandem's version."""
    out_console.print(__version__)
