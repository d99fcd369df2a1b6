"""``tandem walk`` saving snapshots, ``tandem walk snapshots``, ``tandem walk --compare`` and ``tandem actions``,
run through the runner on both databases with exact output."""

from __future__ import annotations

import getpass
import json
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from typer.testing import CliRunner

from factories import load_org
from followup.factories import (
    GROWTH_GAP,
    LEDGER_MISSING,
    MOBILE_MISSING,
    SEARCH_GAP,
    after_people,
    after_teams,
    before_people,
    before_teams,
    in_days,
)
from tandem.cli import app
from tandem.db import transaction
from tandem.followup.models import WalkSnapshot

runner = CliRunner()
SEARCH_TITLE = "Search: the engineering lead is 3 levels above the product lead"


@pytest.fixture
def planted(cli_env: str, engine: Engine) -> None:
    load_org(engine, before_people(), before_teams())


def snapshot_count(engine: Engine) -> int:
    with transaction(engine) as session:
        return session.scalar(select(func.count()).select_from(WalkSnapshot)) or 0


def walked_at(engine: Engine, snapshot_id: int) -> str:
    with transaction(engine) as session:
        return f"{session.get_one(WalkSnapshot, snapshot_id).generated_at:%Y-%m-%d %H:%M} UTC"


def test_every_walk_is_saved_unless_told_not_to(planted: None, engine: Engine) -> None:
    result = runner.invoke(app, ["walk"])
    assert result.exit_code == 0, result.output
    assert result.stdout.endswith("\nSaved the walk as snapshot 1.\n")
    machine = runner.invoke(app, ["walk", "--format", "json"])
    assert len(json.loads(machine.output)["findings"]) == 3  # JSON stays pure: the snapshot is not announced
    unsaved = runner.invoke(app, ["walk", "--no-save"])
    assert unsaved.exit_code == 0
    assert "Saved the walk" not in unsaved.output
    assert snapshot_count(engine) == 2


def test_snapshots_are_listed_newest_first(planted: None, engine: Engine) -> None:
    runner.invoke(app, ["walk"])
    load_org(engine, after_people(), after_teams())
    runner.invoke(app, ["walk", "--format", "md"])
    result = runner.invoke(app, ["walk", "snapshots"])
    assert result.exit_code == 0, result.output
    with transaction(engine) as session:
        taken = {s.id: f"{s.taken_at:%Y-%m-%dT%H:%M:%SZ}" for s in session.scalars(select(WalkSnapshot))}
    user = f"cli:{getpass.getuser()}"
    assert result.stdout == f"2\t{taken[2]}\t3\tequal_power 3\t{user}\n1\t{taken[1]}\t3\tequal_power 3\t{user}\n"


def test_compare_latest_says_what_became_of_each_finding_and_action(planted: None, engine: Engine) -> None:
    runner.invoke(app, ["walk"])
    assert runner.invoke(app, ["actions", "add", SEARCH_GAP, "--owner", "pm2", "--due", str(in_days(14))]).stdout == (
        "1\n"
    )
    assert runner.invoke(
        app, ["actions", "add", LEDGER_MISSING, "--owner", "pm4", "--due", str(in_days(7))]
    ).stdout == ("2\n")
    load_org(engine, after_people(), after_teams())  # the planted fixes

    result = runner.invoke(app, ["walk", "--compare", "latest"])

    assert result.exit_code == 0, result.output
    report, comparison = result.stdout.split("\nCompared with ")
    assert "Mobile: no engineering lead" in report
    assert "Compared with " + comparison == (
        f"Compared with snapshot 1 (walked {walked_at(engine, 1)}): "
        "1 new, 1 persisting, 1 improved, 0 worsened, 1 resolved.\n"
        f"  + new         0.90         Mobile: no engineering lead  [{MOBILE_MISSING}]\n"
        f"  = persisting  0.90         Ledger: no engineering lead  [{LEDGER_MISSING}]\n"
        "  ↓ improved    1.00 → 0.50  Growth: the engineering lead is 2 levels above the product lead  "
        f"[{GROWTH_GAP}]\n"
        f"  ✓ resolved    0.75         {SEARCH_TITLE}  [{SEARCH_GAP}]\n"
        "Actions: 2 (2 open, 0 done, 0 dropped); 1 with the finding gone.\n"
        f"  #2 open, due {in_days(7)}, Person PM4: Ledger: no engineering lead → finding persisting\n"
        f"  #1 open, due {in_days(14)}, Person PM2: {SEARCH_TITLE} → finding gone\n"
        "Scores that moved:\n"
        "  Growth: equal_power 0 → 50 (+50), overall 50 → 75 (+25)\n"
        "  Mobile: equal_power — → 10, common_manager — → 100, overall — → 55\n"
        "  Search: equal_power 25 → 100 (+75), overall 62 → 100 (+38)\n"
        "Saved the walk as snapshot 2.\n"
    )


def test_compare_in_json_adds_a_comparison_beside_the_report(planted: None, engine: Engine) -> None:
    runner.invoke(app, ["walk"])
    runner.invoke(app, ["actions", "add", SEARCH_GAP, "--owner", "pm2", "--due", str(in_days(1))])
    runner.invoke(app, ["actions", "done", "1"])
    load_org(engine, after_people(), after_teams())

    document = json.loads(runner.invoke(app, ["walk", "--format", "json", "--compare", "1"]).stdout)

    plain = json.loads(runner.invoke(app, ["walk", "--format", "json", "--no-save"]).stdout)
    assert set(document) == {*plain, "comparison"}
    comparison = document["comparison"]
    assert set(comparison) == {"previous", "current", "counts", "findings", "actions", "scorecards"}
    assert (comparison["previous"]["snapshot_id"], comparison["current"]["snapshot_id"]) == (1, 2)
    assert comparison["counts"] == {"new": 1, "persisting": 1, "improved": 1, "worsened": 0, "resolved": 1}
    assert [(f["id"], f["status"]) for f in comparison["findings"]][-1] == (SEARCH_GAP, "resolved")
    assert [(a["id"], a["status"], a["finding_status"], a["finding_resolved"]) for a in comparison["actions"]] == [
        (1, "done", "resolved", True)
    ]
    assert comparison["scorecards"]["Search"]["equal_power"] == {"previous": 25, "current": 100, "delta": 75}
    assert comparison["scorecards"]["Search"]["trust"] == {"previous": None, "current": None, "delta": None}


def test_compare_with_a_walk_json_file(planted: None, engine: Engine, tmp_path: Path) -> None:
    earlier = tmp_path / "earlier.json"
    runner.invoke(app, ["walk", "--format", "json", "--out", str(earlier), "--no-save"])
    load_org(engine, after_people(), after_teams())
    result = runner.invoke(app, ["walk", "--format", "md", "--compare", str(earlier), "--no-save"])
    assert result.exit_code == 0, result.output
    generated = json.loads(earlier.read_text())["generated_at"]
    assert f"## Compared with earlier.json (walked {generated[:10]} {generated[11:16]} UTC)" in result.stdout
    assert f"| ✓ | resolved | 0.75 | {SEARCH_TITLE} | `{SEARCH_GAP}` |" in result.stdout
    assert snapshot_count(engine) == 0


@pytest.mark.parametrize(
    ("previous", "message"),
    [
        ("latest", "--compare latest: no walk has been saved yet; run `tandem walk` once first"),
        ("9", "--compare 9: no snapshot has the id 9 (`tandem walk snapshots` lists them)"),
        ("nowhere.json", "--compare nowhere.json: not a snapshot id, `latest`, or an existing walk JSON file"),
    ],
)
def test_an_unknown_previous_walk_is_a_clear_error_and_saves_nothing(
    planted: None, engine: Engine, previous: str, message: str
) -> None:
    result = runner.invoke(app, ["walk", "--compare", previous])
    assert result.exit_code == 2
    assert result.stderr == f"error: {message}\n"
    assert snapshot_count(engine) == 0


def test_a_file_that_is_not_a_walk_is_named_with_line_and_column(planted: None, tmp_path: Path) -> None:
    broken, other = tmp_path / "broken.json", tmp_path / "other.json"
    broken.write_text('{"findings": [\n  oops]}')
    other.write_text('{"findings": []}')
    result = runner.invoke(app, ["walk", "--compare", str(broken)])
    assert (result.exit_code, result.stderr) == (2, f"error: {broken}:2:3: not valid JSON: Expecting value\n")
    result = runner.invoke(app, ["walk", "--compare", str(other)])
    assert result.exit_code == 2
    assert result.stderr == (
        f"error: {other}: not the JSON of `tandem walk --format json`: tandem_version: Field required\n"
    )


def test_compare_refuses_a_format_it_cannot_add_to(planted: None) -> None:
    result = runner.invoke(app, ["walk", "--format", "html", "--compare", "latest"])
    assert (result.exit_code, result.stderr) == (2, "error: --compare prints with --format text, md, json, not html\n")


def test_actions_are_listed_with_whether_their_finding_is_still_there(planted: None, engine: Engine) -> None:
    runner.invoke(app, ["walk"])
    runner.invoke(app, ["actions", "add", SEARCH_GAP, "--owner", "pm2@example.com", "--due", str(in_days(14))])
    runner.invoke(app, ["actions", "add", LEDGER_MISSING, "--owner", "pm4", "--due", str(in_days(7)), "--step", "Hire"])
    load_org(engine, after_people(), after_teams())
    runner.invoke(app, ["walk"])

    result = runner.invoke(app, ["actions", "list"])

    assert result.exit_code == 0, result.output
    assert result.stdout == (
        f"2\topen\t{in_days(7)}\tLedger\tpm4\t{LEDGER_MISSING}\tyes\tLedger: no engineering lead\n"
        f"1\topen\t{in_days(14)}\tSearch\tpm2\t{SEARCH_GAP}\tno\t{SEARCH_TITLE}\n"
    )
    done = runner.invoke(app, ["actions", "done", "1", "--note", "pm2 promoted"])
    assert done.stdout == "Action 1 is done; its finding is gone from the latest saved walk (snapshot 2).\n"
    dropped = runner.invoke(app, ["actions", "drop", "2"])
    assert dropped.stdout == "Action 2 is dropped; its finding is still in the latest saved walk (snapshot 2).\n"
    assert runner.invoke(app, ["actions", "list", "--status", "open"]).stdout == ""
    assert runner.invoke(app, ["actions", "list", "--status", "done", "--team", "search"]).stdout.startswith(
        "1\tdone\t"
    )
    again = runner.invoke(app, ["actions", "done", "1"])
    assert (again.exit_code, again.stderr) == (2, "error: action 1 is already done\n")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["power_gap-000000000000", "--due", "2099-01-01"],
            "no finding 'power_gap-000000000000' in the latest saved walk",
        ),
        ([SEARCH_GAP, "--due", "soon"], "--due: 'soon' is not a date (YYYY-MM-DD)"),
        ([SEARCH_GAP, "--due", "2020-01-01"], "due: 2020-01-01 has passed; give today or a later date"),
    ],
)
def test_a_bad_action_is_a_clear_error(planted: None, engine: Engine, args: list[str], message: str) -> None:
    runner.invoke(app, ["walk"])
    result = runner.invoke(app, ["actions", "add", *args, "--owner", "pm2"])
    assert result.exit_code == 2
    assert message in result.stderr
    assert "Traceback" not in result.output


def test_an_action_needs_a_saved_walk(planted: None) -> None:
    result = runner.invoke(app, ["actions", "add", SEARCH_GAP, "--owner", "pm2", "--due", "2099-01-01"])
    assert (result.exit_code, result.stderr) == (
        2,
        "error: no walk has been saved yet: run `tandem walk`, then take actions on its findings\n",
    )


def test_an_unknown_action_is_a_clear_error(planted: None) -> None:
    result = runner.invoke(app, ["actions", "done", "7"])
    assert (result.exit_code, result.stderr) == (
        2,
        "error: no action has the id 7 (`tandem actions list` lists them)\n",
    )
