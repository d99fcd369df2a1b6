"""``tandem decisions`` and ``tandem worker`` from the command line, against real databases."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, select
from typer.testing import CliRunner

from factories import TEAMS_HEADER, small_org, small_teams, to_csv
from http_receiver import Receiver
from tandem.audit.models import AuditEvent
from tandem.cli import app
from tandem.config import DecisionSettings
from tandem.db import transaction, utcnow
from tandem.decisions import service
from tandem.decisions.service import Actor
from tandem.org.models import Team

runner = CliRunner()
A, B = "Now, behind a flag", "After the rewrite"


@pytest.fixture
def org(cli_env: str, tmp_path: Path) -> None:
    (tmp_path / "people.csv").write_bytes(to_csv(small_org()))
    (tmp_path / "teams.csv").write_bytes(to_csv(small_teams(), TEAMS_HEADER))
    result = runner.invoke(app, ["org", "import", str(tmp_path / "people.csv"), "--teams", str(tmp_path / "teams.csv")])
    assert result.exit_code == 0, result.output


def run(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.stdout


def new(*extra: str) -> str:
    return run(
        "decisions",
        "new",
        "--team",
        "Payments",
        "--title",
        "Offline mode",
        "--option",
        A,
        "--option",
        B,
        "--as",
        "pm1@example.com",
        *extra,
    ).strip()


def test_a_decision_from_draft_to_decided(org: None) -> None:
    decision = new()
    assert run("decisions", "open", decision, "--as", "pm1") == f"Decision {decision} is open.\n"
    run("decisions", "score", decision, "--as", "em1", "--option", B, "--factor", "system_robustness", "--score", "2")
    run("decisions", "sign", decision, "--as", "pm1", "--option", A)
    assert run("decisions", "sign", decision, "--as", "emone", "--option", B) == f"Decision {decision} is contested.\n"
    assert run("decisions", "escalate", decision, "--as", "em1") == f"Decision {decision} is escalated.\n"
    decided = run("decisions", "decide", decision, "--as", "gm", "--option", B, "--rationale", "Sync first.")
    assert decided == f"Decision {decision} is decided.\n"
    shown = run("decisions", "show", decision)
    assert " by cli:" in shown and " as em1 -> escalated" in shown  # the history names the lead who acted
    assert "engineering lead em1: After the rewrite/system_robustness +2" in shown
    assert shown.strip().endswith("decided by cli:" + shown.strip().split("decided by cli:")[-1])


def test_a_step_someone_may_not_take_is_a_clear_error(org: None) -> None:
    decision = new("--open")
    result = runner.invoke(app, ["decisions", "decide", decision, "--as", "gm", "--option", A, "--rationale", "x"])
    assert result.exit_code == 2
    assert "an open decision cannot be decided" in result.stderr
    result = runner.invoke(app, ["decisions", "sign", decision, "--as", "dev1", "--option", A])
    assert result.exit_code == 2
    assert "only the team's product lead or engineering lead can do this" in result.stderr


def test_decisions_are_listed_tab_separated(org: None) -> None:
    decision = new()
    listed = run("decisions", "list", "--team", "payments", "--state", "draft")
    assert listed.startswith(f"{decision}\tPayments\tdraft\t")
    assert run("decisions", "list", "--state", "open") == ""


def test_an_import_error_names_the_line_and_writes_nothing(org: None, tmp_path: Path) -> None:
    log = tmp_path / "log.json"
    log.write_text(
        json.dumps(
            [
                {
                    "team": "Nowhere",
                    "title": "x",
                    "opened_at": "2026-01-05T09:00:00Z",
                    "decide_by": "2026-01-09T09:00:00Z",
                    "options": ["a", "b"],
                }
            ],
            indent=1,
        )
    )
    result = runner.invoke(app, ["decisions", "import", str(log)])
    assert result.exit_code == 2
    assert f"{log}:2:1:" in result.stderr
    assert run("decisions", "list") == ""


def test_the_worker_escalates_overdue_decisions_and_sends_notifications(
    org: None, receiver: Receiver, monkeypatch: pytest.MonkeyPatch, engine: Engine
) -> None:
    from tandem.config import get_settings

    monkeypatch.setenv("TANDEM_NOTIFICATIONS__URLS", json.dumps([receiver.url]))
    get_settings.cache_clear()
    a_month_ago = utcnow() - timedelta(days=30)
    with transaction(engine) as session:  # opened a month ago, so its five-working-day time-box has run out
        team = session.scalars(select(Team).where(Team.name == "Payments")).one()
        decision = service.create(
            session,
            team=team,
            title="Offline mode",
            options=[A, B],
            now=a_month_ago,
            actor=Actor("t", "pm1"),
            settings=DecisionSettings(),
        )
        service.open_decision(session, decision=decision, actor=Actor("t", "pm1"), now=a_month_ago)
    assert (
        run("worker", "--once")
        == "escalated 1 decision(s); opened 0 pulse(s); notifications: 2 sent, 0 to retry, 0 failed\n"
    )
    assert receiver.titles() == ["Score and sign: Offline mode", "Escalated to you: Offline mode"]
    assert run("decisions", "list", "--state", "escalated").startswith(f"{decision.id}\tPayments\tescalated")
    assert (
        run("worker", "--once")
        == "escalated 0 decision(s); opened 0 pulse(s); notifications: 0 sent, 0 to retry, 0 failed\n"
    )


README_EXAMPLE = [
    {
        "team": "Payments",
        "title": "Offline mode now or after the sync rewrite",
        "opened_at": "2026-03-02T09:00:00Z",
        "decide_by": "2026-03-09T17:00:00Z",
        "options": [A, B],
        "scores": [{"by": "pm1", "option": A, "factor": "user_experience", "score": 2}],
        "preferences": [{"by": "em1", "option": B}],
        "signoffs": [
            {"by": "pm1", "at": "2026-03-04T10:00:00Z", "option": A, "stance": "agree"},
            {"by": "em1", "at": "2026-03-04T11:00:00Z", "option": B, "stance": "agree"},
        ],
        "escalated_at": "2026-03-05T09:00:00Z",
        "decided_at": "2026-03-05T15:00:00Z",
        "decided_by": "gm",
        "chosen_option": B,
        "closed_at": None,
    }
]


def test_the_readme_example_imports_once_and_is_audited(org: None, engine: Engine, tmp_path: Path) -> None:
    log = tmp_path / "log.json"
    log.write_text(json.dumps(README_EXAMPLE))
    assert run("decisions", "import", str(log)) == "Imported log.json: 1 created, 0 unchanged.\n"
    assert run("decisions", "import", str(log)) == "Imported log.json: 0 created, 1 unchanged.\n"
    assert run("decisions", "list").split("\t")[2] == "decided"
    with transaction(engine) as session:
        actions = [e.action for e in session.scalars(select(AuditEvent))]
    assert actions.count("decisions.import") == 1
