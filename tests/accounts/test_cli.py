"""``tandem users`` and ``tandem tokens``: how the first admin and the first API token are made."""

from __future__ import annotations

import getpass
import re

from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from typer.testing import CliRunner

from tandem.audit.models import AuditEvent
from tandem.cli import app
from tandem.config import Settings
from tandem.db import transaction
from tandem.web.app import create_app
from webfixtures import sign_in

runner = CliRunner()


def test_creating_a_user_prints_a_working_set_password_link(cli_env: str) -> None:
    result = runner.invoke(app, ["users", "create", "--email", "Boss@Example.com", "--role", "admin"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[:2] == ["Created boss@example.com (admin).", "Set the password within 72 hours at:"]
    token = re.fullmatch(r"http://127\.0\.0\.1:8000/set-password/(\S+)", lines[2])
    assert token is not None
    with TestClient(create_app(Settings(database_url=cli_env))) as client:
        assert client.get(f"/set-password/{token.group(1)}").status_code == 200


def test_a_password_can_come_from_stdin(cli_env: str) -> None:
    result = runner.invoke(
        app,
        ["users", "create", "--email", "e@example.com", "--role", "executive", "--password-stdin"],
        input="a-long-enough-password\n",
    )
    assert result.stdout == "Created e@example.com (executive).\n"
    with TestClient(create_app(Settings(database_url=cli_env))) as client:
        assert sign_in(client, "e@example.com", "a-long-enough-password") == 303


def test_a_duplicate_user_is_a_clear_error(cli_env: str) -> None:
    runner.invoke(app, ["users", "create", "--email", "a@example.com", "--role", "lead"])
    result = runner.invoke(app, ["users", "create", "--email", "A@example.com", "--role", "lead"])
    assert result.exit_code == 2
    assert "a user with the e-mail a@example.com already exists" in result.stderr


def test_a_short_stdin_password_creates_nothing(cli_env: str) -> None:
    result = runner.invoke(
        app, ["users", "create", "--email", "s@example.com", "--role", "lead", "--password-stdin"], input="short\n"
    )
    assert result.exit_code == 2
    assert "at least 10 characters" in result.stderr
    assert "s@example.com" not in runner.invoke(app, ["users", "list"]).stdout


def test_a_token_is_printed_once_and_listed_by_prefix(cli_env: str) -> None:
    runner.invoke(app, ["users", "create", "--email", "api@example.com", "--role", "executive"])
    token = runner.invoke(app, ["tokens", "create", "--email", "api@example.com"]).stdout.strip()
    assert re.fullmatch(r"tdm_[A-Za-z0-9_-]{43}", token)
    listing = runner.invoke(app, ["tokens", "list"]).stdout
    assert listing == f"{token[:12]}…\tapi@example.com\tapi\tactive\n"
    with TestClient(create_app(Settings(database_url=cli_env))) as client:
        assert client.get("/api/v1/org", headers={"Authorization": f"Bearer {token}"}).status_code == 200


def test_a_token_for_an_unknown_user_is_a_clear_error(cli_env: str) -> None:
    result = runner.invoke(app, ["tokens", "create", "--email", "ghost@example.com"])
    assert result.exit_code == 2
    assert "no user has the e-mail ghost@example.com" in result.stderr


def test_command_line_writes_are_audited_as_the_os_user(cli_env: str, engine: Engine) -> None:
    runner.invoke(app, ["users", "create", "--email", "x@example.com", "--role", "member"])
    with transaction(engine) as session:
        actors = {e.actor for e in session.scalars(select(AuditEvent))}
    assert actors == {f"cli:{getpass.getuser()}"}


def test_creating_a_token_is_audited_by_its_prefix_only(cli_env: str, engine: Engine) -> None:
    runner.invoke(app, ["users", "create", "--email", "api@example.com", "--role", "lead"])
    token = runner.invoke(app, ["tokens", "create", "--email", "api@example.com", "--name", "ci"]).stdout.strip()
    with transaction(engine) as session:
        event = session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(1)).one()
        assert (event.action, event.entity_id, event.after) == (
            "token.create",
            token[:12],
            {"user": "api@example.com", "name": "ci"},
        )
