"""``tandem constraints`` from the command line, against real databases: exact output, clear errors."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from factories import TEAMS_HEADER, small_org, small_teams, to_csv
from tandem.cli import app
from tandem.constraints.importer import LogRow
from tandem.constraints.importer import to_csv as log_csv

runner = CliRunner()


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


def post(*extra: str) -> str:
    return run(
        "constraints", "post", "--team", "payments", "--as", "dev1@example.com", "--kind", "blocked",
        "--text", "Waiting on the sandbox", *extra,
    ).strip()  # fmt: skip


def test_post_ack_resolve(org: None) -> None:
    constraint = post("--would-help", "An account by Thursday")
    assert constraint.isdigit()
    assert run("constraints", "ack", constraint, "--as", "pmone") == f"Constraint {constraint} is acknowledged.\n"
    resolved = run("constraints", "resolve", constraint, "--as", "dev1", "--note", "Arrived")
    assert resolved == f"Constraint {constraint} is resolved (jointly).\n"


def test_resolving_alone_says_so(org: None) -> None:
    constraint = post()
    assert run("constraints", "resolve", constraint, "--as", "dev1") == f"Constraint {constraint} is resolved.\n"


def test_list_is_tab_separated(org: None) -> None:
    constraint = post()
    today = datetime.now(UTC).strftime("%Y-%m-%d")
    assert run("constraints", "list", "--team", "Payments") == (
        f"{constraint}\tPayments\tblocked\topen\t{today}\tdev1\tless than a working day unacknowledged\t"
        "Waiting on the sandbox\n"
    )
    assert run("constraints", "list", "--state", "resolved") == ""


def test_a_refused_step_exits_2_with_the_reason(org: None) -> None:
    constraint = post()
    result = runner.invoke(app, ["constraints", "ack", constraint, "--as", "em1"])
    assert result.exit_code == 2
    assert "only the poster's counterpart lead acknowledges a constraint" in result.stderr
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["constraints", "ack", "999", "--as", "pm1"], "no constraint has the id 999"),
        (
            ["constraints", "post", "--team", "Payments", "--as", "nobody", "--kind", "blocked", "--text", "x"],
            "nobody in the org is 'nobody'",
        ),
        (["constraints", "list", "--team", "Nowhere"], "no team is called Nowhere"),
        (
            ["constraints", "post", "--team", "Nowhere", "--as", "dev1", "--kind", "blocked", "--text", "x"],
            "no team is called Nowhere",
        ),
        (
            ["constraints", "post", "--team", "Payments", "--as", "gm", "--kind", "blocked", "--text", "x"],
            "only the people of team Payments post constraints on its board",
        ),
    ],
)
def test_user_errors_are_clear(org: None, args: list[str], message: str) -> None:
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert message in result.stderr


def test_import_is_idempotent_and_a_bad_file_writes_nothing(org: None, tmp_path: Path) -> None:
    log = tmp_path / "blockers.csv"
    rows = [
        LogRow(
            datetime(2026, 3, 2, 9, tzinfo=UTC),
            "Payments",
            "dev1",
            "blocked",
            "Sandbox",
            datetime(2026, 3, 3, tzinfo=UTC),
            "pm1",
        ),
        LogRow(datetime(2026, 3, 4, 9, tzinfo=UTC), "Payments", "pm1", "uncertain", "Pricing"),
    ]
    log.write_bytes(log_csv(rows))
    assert run("constraints", "import", str(log), "--dry-run") == (
        "Would import blockers.csv: 2 created, 0 updated, 0 unchanged.\n"
    )
    assert run("constraints", "import", str(log)) == "Imported blockers.csv: 2 created, 0 updated, 0 unchanged.\n"
    assert run("constraints", "import", str(log)) == "Imported blockers.csv: 0 created, 0 updated, 2 unchanged.\n"
    bad = tmp_path / "bad.csv"
    bad.write_bytes(log_csv([*rows, LogRow(datetime(2026, 3, 5, tzinfo=UTC), "Payments", "nobody", "blocked", "x")]))
    result = runner.invoke(app, ["constraints", "import", str(bad)])
    assert result.exit_code == 2
    assert f"{bad}:4:3: by: unknown person 'nobody'" in result.stderr
    assert "1 problem(s) found; nothing was written" in result.stderr
    assert len(run("constraints", "list").splitlines()) == 2
    (acknowledged,) = run("constraints", "list", "--state", "acknowledged").splitlines()
    assert acknowledged.split("\t")[1:6] == ["Payments", "blocked", "acknowledged", "2026-03-02", "dev1"]
