"""The ``tandem`` command, run through Typer's runner against real databases."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.main import get_command
from typer.testing import CliRunner

from factories import TEAMS_HEADER, person, small_org, small_teams, to_csv
from tandem.cli import app

runner = CliRunner()
README = Path(__file__).parent.parent / "README.md"


@pytest.fixture
def org_files(tmp_path: Path) -> tuple[Path, Path]:
    people, teams = tmp_path / "people.csv", tmp_path / "teams.csv"
    people.write_bytes(to_csv(small_org()))
    teams.write_bytes(to_csv(small_teams(), TEAMS_HEADER))
    return people, teams


def test_import_prints_what_it_did(cli_env: str, org_files: tuple[Path, Path]) -> None:
    people, teams = org_files
    result = runner.invoke(app, ["org", "import", str(people), "--teams", str(teams)])
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        "Imported people.csv: 7 created, 0 updated, 0 deactivated, 0 unchanged; "
        "teams: 1 created, 0 updated, 0 deactivated.\n"
    )


def test_a_bad_file_exits_2_with_every_problem_and_no_traceback(cli_env: str, tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_bytes(to_csv([*small_org(), person("x", "nobody"), person("y", "em1", level=0)]))
    result = runner.invoke(app, ["org", "import", str(bad)])
    assert result.exit_code == 2
    assert f"{bad}:9:6: manager_id: unknown manager 'nobody'" in result.stderr
    assert f"{bad}:10:5: level: '0' is not a whole number from 1 to 999" in result.stderr
    assert "2 problem(s) found; nothing was written" in result.stderr
    assert "Traceback" not in result.output


def test_dry_run_lists_changes_and_writes_nothing(cli_env: str, org_files: tuple[Path, Path], tmp_path: Path) -> None:
    people, teams = org_files
    runner.invoke(app, ["org", "import", str(people), "--teams", str(teams)])
    changed = small_org()
    changed[6]["level"] = "5"
    people.write_bytes(to_csv([*changed[:6], changed[6], person("new", "em1")]))
    result = runner.invoke(app, ["org", "import", str(people), "--dry-run"])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "Dry run of people.csv, nothing was written. It would make: 1 created, 1 updated, 0 deactivated, "
        "6 unchanged; teams: 0 created, 0 updated, 0 deactivated.",
        "+ person new Person NEW (engineering, level 5)",
        "~ person dev1: level 4 → 5",
    ]
    again = runner.invoke(app, ["org", "import", str(people), "--dry-run"])
    assert again.stdout == result.stdout


def test_walk_json_is_the_contract(cli_env: str, org_files: tuple[Path, Path]) -> None:
    people, teams = org_files
    teams.write_bytes(to_csv([dict(small_teams()[0], engineering_lead="")], TEAMS_HEADER))
    runner.invoke(app, ["org", "import", str(people), "--teams", str(teams)])
    result = runner.invoke(app, ["walk", "--format", "json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert [(f["kind"], f["scope"]["teams"]) for f in document["findings"]] == [("missing_counterpart", ["Payments"])]


def test_walk_writes_markdown_to_a_file(cli_env: str, org_files: tuple[Path, Path], tmp_path: Path) -> None:
    people, teams = org_files
    runner.invoke(app, ["org", "import", str(people), "--teams", str(teams)])
    out = tmp_path / "walk.md"
    result = runner.invoke(app, ["walk", "--format", "md", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_text().startswith("# Tandem walk")
    assert result.stdout == f"Wrote the walk (0 findings) to {out}\n"


def test_thresholds_come_from_tandem_toml(cli_env: str, org_files: tuple[Path, Path], tmp_path: Path) -> None:
    people, teams = org_files
    runner.invoke(app, ["org", "import", str(people), "--teams", str(teams)])
    (tmp_path / "tandem.toml").write_text("[thresholds]\nescalation_distance = 1\n")
    from tandem.config import get_settings

    get_settings.cache_clear()
    document = json.loads(runner.invoke(app, ["walk", "--format", "json"]).stdout)
    assert [f["kind"] for f in document["findings"]] == ["distant_accountable_manager"]


def test_an_invalid_setting_is_a_clear_error(cli_env: str, tmp_path: Path) -> None:
    (tmp_path / "tandem.toml").write_text("[thresholds]\npower_gap_levels = 'two'\n")
    result = runner.invoke(app, ["walk"])
    assert result.exit_code == 2
    assert "invalid settings" in result.stderr


def test_db_upgrade_reports_the_revision(cli_env: str) -> None:
    result = runner.invoke(app, ["db", "upgrade"])
    assert result.exit_code == 0, result.output
    assert re.fullmatch(r"Database at revision \S+\.\n", result.stdout)


def test_demo_imports_the_org_writes_its_truth_and_walks(cli_env: str, tmp_path: Path) -> None:
    result = runner.invoke(app, ["demo", "--format", "json", "--out", str(tmp_path / "walk.json")])
    assert result.exit_code == 0, result.output
    truth = json.loads((tmp_path / "tandem-demo" / "truth.json").read_text())
    walk = json.loads((tmp_path / "walk.json").read_text())
    for problem in truth["planted"]:  # a finding of its kind names its team (a pooled finding names several)
        assert any(
            f["kind"] == problem["kind"]
            and (problem["team"] in f["scope"]["teams"] if problem["team"] else not f["scope"]["teams"])
            for f in walk["findings"]
        ), problem
    assert not any(set(f["scope"]["teams"]) & set(truth["healthy_teams"]) for f in walk["findings"])


def all_commands() -> list[str]:
    names: list[str] = []

    def visit(command: object, prefix: str) -> None:
        subcommands = getattr(command, "commands", None)
        if subcommands:
            for name, sub in subcommands.items():
                visit(sub, f"{prefix} {name}".strip())
        else:
            names.append(prefix)

    visit(get_command(app), "")
    return names


def test_every_command_has_help_and_appears_in_the_readme() -> None:
    readme = README.read_text()
    for name in all_commands():
        assert f"tandem {name}" in readme, f"`tandem {name}` is not documented in README.md"
        result = runner.invoke(app, [*name.split(), "--help"])
        assert result.exit_code == 0
        assert "usage" in result.output.lower()


def test_sqlite_migrates_itself_and_postgresql_asks_for_an_upgrade(
    blank_database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tandem.config import get_settings

    monkeypatch.setenv("TANDEM_DATABASE_URL", blank_database_url)
    monkeypatch.setenv("TANDEM_CONFIG", str(tmp_path / "tandem.toml"))
    get_settings.cache_clear()
    first = runner.invoke(app, ["walk", "--format", "json"])
    if blank_database_url.startswith("sqlite"):
        assert first.exit_code == 2
        assert "the database holds no org yet" in first.stderr  # the schema was created on the way
        return
    assert first.exit_code == 2
    assert "run `tandem db upgrade`" in first.stderr
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    assert "the database holds no org yet" in runner.invoke(app, ["walk"]).stderr


def test_walk_to_a_missing_folder_is_a_clear_error(cli_env: str, org_files: tuple[Path, Path], tmp_path: Path) -> None:
    people, teams = org_files
    runner.invoke(app, ["org", "import", str(people), "--teams", str(teams)])
    result = runner.invoke(app, ["walk", "--out", str(tmp_path / "missing" / "walk.md")])
    assert result.exit_code == 2
    assert f"cannot write {tmp_path / 'missing' / 'walk.md'}: the folder" in result.stderr
