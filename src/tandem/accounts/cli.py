"""``tandem users …`` and ``tandem tokens …``: accounts from the command line (how the first admin is made)."""

from __future__ import annotations

import getpass
import sys

import typer
from sqlalchemy import select

from tandem.accounts.models import ApiToken, Role, User
from tandem.accounts.service import (
    AccountError,
    create_api_token,
    create_user,
    password_link_url,
    set_password,
    user_by_email,
)
from tandem.cliutils import fail, open_database, out_console, settings
from tandem.db import transaction

users_app = typer.Typer(help="Users of the web app and their roles.", no_args_is_help=True)
tokens_app = typer.Typer(help="Personal API tokens.", no_args_is_help=True)


def cli_actor() -> str:
    return f"cli:{getpass.getuser()}"


@users_app.command("create")
def users_create(
    email: str = typer.Option(..., "--email", help="The user's e-mail (matches them to a person in the org)."),
    role: Role = typer.Option(..., "--role", help="admin, executive, lead or member."),
    password_stdin: bool = typer.Option(
        False, "--password-stdin", help="Read the password from standard input instead of printing a link."
    ),
) -> None:
    """Create a user; print a one-time set-password link (or take the password from stdin)."""
    password = sys.stdin.readline().rstrip("\n") if password_stdin else None
    config = settings()
    engine = open_database()
    try:
        with transaction(engine) as session:
            user = create_user(session, email=email, role=role, actor=cli_actor())
            if password is not None:
                set_password(session, user=user, password=password, actor=cli_actor())
                link = None
            else:
                link = password_link_url(session, user=user, web=config.web, actor=cli_actor())
    except AccountError as error:
        fail(str(error))
    out_console.print(f"Created {user.email} ({role.value}).", markup=False)
    if link:
        hours = config.web.password_link_hours
        out_console.print(f"Set the password within {hours} hours at:\n{link}", markup=False)


@users_app.command("list")
def users_list() -> None:
    """List users with their roles."""
    with transaction(open_database()) as session:
        for user in session.scalars(select(User).order_by(User.email)):
            status = "active" if user.active else "deactivated"
            typer.echo(f"{user.email}\t{user.role.value}\t{status}")  # tab-separated for scripts


@tokens_app.command("create")
def tokens_create(
    email: str = typer.Option(..., "--email", help="Whose token: it acts with that user's role."),
    name: str = typer.Option("api", "--name", help="A label to recognise the token by."),
) -> None:
    """Create a personal API token and print it once (only its hash is stored)."""
    with transaction(open_database()) as session:
        user = user_by_email(session, email)
        if user is None:
            fail(f"no user has the e-mail {email}; create one with `tandem users create`")
        raw = create_api_token(session, user=user, name=name, actor=cli_actor())
    typer.echo(raw)


@tokens_app.command("list")
def tokens_list() -> None:
    """List tokens by their visible prefix (the rest is never stored)."""
    with transaction(open_database()) as session:
        for token in session.scalars(select(ApiToken).order_by(ApiToken.id)):
            state = "revoked" if token.revoked_at else "active"
            typer.echo(f"{token.prefix}…\t{token.user.email}\t{token.name}\t{state}")
