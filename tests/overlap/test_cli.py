"""``tandem rituals import`` from the command line, against real databases: exact output, clear errors.

The counts of ``data/google.ics`` in the window 2026-01-01 to 2026-04-01 are worked out in test_importer.py: 19
occurrences stored; 1 all-day event, 2 cancelled occurrences, 2 events with no team, 1 with no ritual kind and 2
attendee addresses that are no one in the org skipped.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

from overlap.factories import add_occurrence
from tandem.cli import app
from tandem.db import transaction
from tandem.overlap.facts import RitualKind
from tandem.overlap.importer import CalendarEvent, RitualRow, to_csv, to_ics

runner = CliRunner()
DATA = Path(__file__).parent / "data"
WINDOW = ("--since", "2026-01-01", "--until", "2026-04-01")


def run(*args: str) -> tuple[str, str]:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.stdout, result.stderr


def test_import_prints_what_it_did_and_what_it_skipped(cli_env: str, org: None) -> None:
    stdout, stderr = run("rituals", "import", str(DATA / "google.ics"), *WINDOW)
    assert stdout == (
        "Imported google.ics: 19 created, 0 updated, 0 unchanged, 0 removed.\n"
        "Skipped: 1 all-day, 2 cancelled, 2 with no team, 1 with no ritual kind, 2 unknown attendee address(es).\n"
    )
    assert stderr == (
        'note: no team: "[Growth] Customer interview", "Quarterly planning review"\nnote: no ritual kind: "Lunch"\n'
    )


def test_a_dry_run_says_what_it_would_do_and_a_reimport_changes_nothing(cli_env: str, org: None) -> None:
    google = str(DATA / "google.ics")
    dry, _ = run("rituals", "import", google, *WINDOW, "--dry-run")
    assert dry.splitlines()[0] == "Would import google.ics: 19 created, 0 updated, 0 unchanged, 0 removed."
    first, _ = run("rituals", "import", google, *WINDOW)
    assert first.splitlines()[0] == "Imported google.ics: 19 created, 0 updated, 0 unchanged, 0 removed."
    again, _ = run("rituals", "import", google, *WINDOW)
    assert again.splitlines()[0] == "Imported google.ics: 0 created, 0 updated, 19 unchanged, 0 removed."


def test_the_window_is_the_last_year_by_default(cli_env: str, org: None, tmp_path: Path) -> None:
    now = datetime.now(UTC).replace(microsecond=0)

    def retro(uid: str, start: datetime) -> CalendarEvent:
        return CalendarEvent(uid, "Retro", start, 60, "pm1@example.com", [("em1@example.com", "ACCEPTED")])

    # only the retro of ten days ago: 400 days ago is before the window, tomorrow has not happened
    events = [
        retro("a", now - timedelta(days=10)),
        retro("b", now - timedelta(days=400)),
        retro("c", now + timedelta(days=1)),
    ]
    (tmp_path / "recent.ics").write_bytes(to_ics(events))
    stdout, stderr = run("rituals", "import", str(tmp_path / "recent.ics"))
    assert (stdout, stderr) == ("Imported recent.ics: 1 created, 0 updated, 0 unchanged, 0 removed.\n", "")


def test_a_csv_is_imported_too(cli_env: str, org: None, tmp_path: Path) -> None:
    start = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
    row = RitualRow(start, start + timedelta(minutes=15), "Payments", "standup", "em1", ["pm1", "dev1"])
    (tmp_path / "rituals.csv").write_bytes(to_csv([row]))
    stdout, _ = run("rituals", "import", str(tmp_path / "rituals.csv"))
    assert stdout == "Imported rituals.csv: 1 created, 0 updated, 0 unchanged, 0 removed.\n"


def test_a_bad_file_exits_2_with_every_problem_and_writes_nothing(cli_env: str, org: None, tmp_path: Path) -> None:
    text = (DATA / "google.ics").read_text()
    bad = tmp_path / "bad.ics"
    bad.write_text(text.replace("UID:8h6f4d2b0z8x6v4t2r0p@google.com\n", ""))  # Lunch, from line 183
    result = runner.invoke(app, ["rituals", "import", str(bad), *WINDOW])
    assert result.exit_code == 2
    assert f"{bad}:183:1: the event has no UID" in result.stderr
    assert "1 problem(s) found; nothing was written" in result.stderr
    assert "Traceback" not in result.output
    stdout, _ = run("rituals", "import", str(DATA / "google.ics"), *WINDOW)
    assert stdout.startswith("Imported google.ics: 19 created,")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--since", "2026-04-01", "--until", "2026-01-01"], "--since must be before --until"),
        (["--since", "last tuesday"], "--since: 'last tuesday' is not a date (like 2026-03-02)"),
    ],
)
def test_a_bad_window_is_a_clear_error(cli_env: str, org: None, args: list[str], message: str) -> None:
    result = runner.invoke(app, ["rituals", "import", str(DATA / "google.ics"), *args])
    assert result.exit_code == 2
    assert message in result.stderr


# --- list, overlap, pressure ------------------------------------------------------------------------------------------


def _rituals(engine: Engine) -> datetime:
    """Four discovery sessions (one with an engineer) and six standups (three with product), in the last weeks."""
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    with transaction(engine) as session:
        for day in range(4):
            attendees = ["pm1", "dev1"] if day == 0 else ["pm1"]
            add_occurrence(session, "Payments", RitualKind.DISCOVERY, now - timedelta(days=day + 1), attendees, "pm1")
        for day in range(6):
            attendees = ["em1", "dev1", "pm1"] if day % 2 else ["em1", "dev1"]
            add_occurrence(
                session, "Payments", RitualKind.STANDUP, now - timedelta(days=day + 10), attendees, "em1", minutes=15
            )
    return now


def test_list_prints_the_newest_occurrences_first(cli_env: str, org: None, engine: Engine) -> None:
    now = _rituals(engine)
    stdout, _ = run("rituals", "list", "--team", "Payments", "--limit", "2")
    first, second = (now - timedelta(days=1)), (now - timedelta(days=2))
    assert stdout == (
        f"{first:%Y-%m-%d %H:%M}\tdiscovery\t30\tpm1\t2\tyes\tyes\tdiscovery {first:%Y-%m-%d %H:%M}\n"
        f"{second:%Y-%m-%d %H:%M}\tdiscovery\t30\tpm1\t1\tyes\tno\tdiscovery {second:%Y-%m-%d %H:%M}\n"
    )


def test_list_of_an_unknown_team_is_a_clear_error(cli_env: str, org: None) -> None:
    result = runner.invoke(app, ["rituals", "list", "--team", "Nope"])
    assert result.exit_code == 2
    assert "no team is called Nope" in result.stderr


def test_overlap_prints_the_shares_of_each_team(cli_env: str, org: None, engine: Engine) -> None:
    _rituals(engine)
    stdout, _ = run("rituals", "overlap", "--team", "Payments")
    assert stdout == (
        "team\trituals\tdiscovery+planning\twith engineer\tdelivery\twith product\tboth\tcalled by product\n"
        "Payments\t10\t4\t25%\t6\t50%\t40%\t40%\n"
    )


def test_overlap_json_is_the_walks_metrics(cli_env: str, org: None, engine: Engine) -> None:
    _rituals(engine)
    stdout, _ = run("rituals", "overlap", "--json")
    payments = json.loads(stdout)["Payments"]
    assert (payments["discovery_with_engineer"], payments["delivery_with_product"]) == (0.25, 0.5)


def test_pressure_without_a_pressure_period_says_so(cli_env: str, org: None, engine: Engine) -> None:
    _rituals(engine)
    stdout, _ = run("rituals", "pressure")
    assert stdout == "No team has a pressure period in the window: nothing to compare.\n"


def test_pressure_after_an_incident_compares_the_team(cli_env: str, org: None, engine: Engine) -> None:
    now = _rituals(engine)
    with transaction(engine) as session:
        add_occurrence(session, "Payments", RitualKind.INCIDENT, now - timedelta(days=5), ["em1"], "em1")
    stdout, _ = run("rituals", "pressure", "--team", "Payments")
    assert stdout.splitlines()[0].startswith("Payments: 1 pressure period(s), ")
    assert stdout.splitlines()[1] == "  too little evidence on either side to compare any measure"
