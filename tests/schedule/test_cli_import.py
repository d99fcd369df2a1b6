"""``tandem schedule import`` through Typer's runner against real databases."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from factories import load_org
from tandem.cli import app
from tandem.db import engine_for, transaction
from tandem.schedule import cli as schedule_cli
from tandem.schedule.models import ScheduleChange, TrackerImport

runner = CliRunner()
FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def cli_org(cli_env: str) -> str:
    load_org(engine_for(cli_env))
    return cli_env


def rows(url: str, model: type[ScheduleChange] | type[TrackerImport]) -> int:
    with transaction(engine_for(url)) as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def test_import_prints_counts_unknown_actors_and_unmapped_projects(cli_org: str) -> None:
    result = runner.invoke(app, ["schedule", "import", "--jira", str(FIXTURES / "jira")])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "Imported jira history from jira: 3 items (3 added, 0 updated, 0 unchanged, 1 completed); "
        "10 schedule changes (10 added, 0 already present).",
        "2 unknown actor(s), their changes kept without a person (add them as aliases in the people file):",
        "  557058:ffff (Zed Outsider): 3",
        "  (unknown): 1",
        "1 project(s) mapped to no team, their items kept without a team (add them to the teams file):",
        "  OPS: 1",
    ]
    again = runner.invoke(app, ["schedule", "import", "--jira", str(FIXTURES / "jira")])
    assert again.stdout.splitlines()[0] == (
        "Imported jira history from jira: 3 items (0 added, 0 updated, 3 unchanged, 1 completed); "
        "10 schedule changes (0 added, 10 already present)."
    )


def test_warnings_go_to_stderr(cli_org: str) -> None:
    result = runner.invoke(app, ["schedule", "import", "--github", str(FIXTURES / "github" / "issues.json")])
    assert result.exit_code == 0, result.output
    assert result.stderr == "warning: 1 pull request(s) skipped: only issues are work items\n"
    assert result.stdout.startswith(
        "Imported github history from issues.json: 3 items (3 added, 0 updated, 0 unchanged, 2 completed)"
    )


def test_a_long_list_of_unknown_actors_is_cut_short(cli_org: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(schedule_cli, "SHOWN", 1)
    result = runner.invoke(app, ["schedule", "import", "--jira", str(FIXTURES / "jira")])
    assert "  557058:ffff (Zed Outsider): 3\n  … and 1 more\n" in result.stdout


def test_dry_run_writes_nothing(cli_org: str) -> None:
    result = runner.invoke(
        app, ["schedule", "import", "--linear", str(FIXTURES / "linear" / "issues.csv"), "--dry-run"]
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == (
        "Dry run of the linear import from issues.csv, nothing was written. It would import: 4 items (4 added, "
        "0 updated, 0 unchanged, 2 completed); 0 schedule changes (0 added, 0 already present)."
    )
    assert rows(cli_org, TrackerImport) == 0


@pytest.mark.parametrize(
    "arguments",
    [[], ["--jira", "a.json", "--linear", "b.csv"]],
)
def test_exactly_one_source_is_required(cli_env: str, arguments: list[str]) -> None:
    result = runner.invoke(app, ["schedule", "import", *arguments])
    assert result.exit_code == 2
    assert "give exactly one of --jira, --github or --linear" in result.stderr


def test_a_bad_file_exits_2_names_the_place_and_writes_nothing(cli_org: str, tmp_path: Path) -> None:
    bad = tmp_path / "export.json"
    bad.write_text('{"issues": [\n  {"key": "PAY-1", "fields": {"summary": "x",}}\n]}\n')
    result = runner.invoke(app, ["schedule", "import", "--jira", str(bad)])
    assert result.exit_code == 2
    assert f"{bad}:2:46: invalid JSON: invalid object key (must be a string); nothing was written" in result.stderr
    assert "Traceback" not in result.output
    assert rows(cli_org, ScheduleChange) == 0


def test_a_missing_path_exits_2(cli_env: str, tmp_path: Path) -> None:
    result = runner.invoke(app, ["schedule", "import", "--github", str(tmp_path / "nope")])
    assert result.exit_code == 2
    assert f"{tmp_path / 'nope'}: no such file or directory" in result.stderr
