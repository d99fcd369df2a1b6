"""``tandem schedule`` plan and commitment commands from the command line, against real databases."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from factories import TEAMS_HEADER, small_org, small_teams, to_csv
from tandem.cli import app

runner = CliRunner()
LATER = (date.today() + timedelta(days=120)).isoformat()


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


def refused(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 2, result.output
    return result.output


def planned() -> list[str]:
    """Two items added by the product lead (by alias) and estimated by the engineering lead (by e-mail)."""
    ids = [run("schedule", "add", "--team", "Payments", "--title", title, "--as", "pmone").strip() for title in "AB"]
    for item in ids:
        run("schedule", "estimate", item, "--as", "em1@example.com", "--optimistic", "1", "--likely", "2",
            "--pessimistic", "4")  # fmt: skip
    return ids


def test_plan_shows_items_in_work_order_with_dates_and_the_cut_line(org: None, tmp_path: Path) -> None:
    first, second = planned()
    run("schedule", "rank", second, first, "--team", "Payments", "--as", "pm1")
    chart = tmp_path / "fan.html"
    out = run("schedule", "plan", "--team", "Payments", "--target", LATER, "--html", str(chart))
    rows = [line.split("\t") for line in out.splitlines() if line[:1].isdigit()]
    assert [(row[0], row[1], row[2]) for row in rows] == [(second, "1", "1/2/4"), (first, "2", "1/2/4")]
    assert "cut line" in out
    assert "Plotly.newPlot" in chart.read_text(encoding="utf-8")


def test_engineering_cannot_rank_from_the_cli_either(org: None) -> None:
    first, second = planned()
    assert "product lead's call" in refused("schedule", "rank", second, first, "--team", "Payments", "--as", "em1")


def test_a_commitment_is_in_force_once_both_sign_and_a_revision_waits_for_the_counterpart(org: None) -> None:
    items = planned()
    commitment = run(
        "schedule", "commit", "--team", "Payments", "--title", "Launch", "--date", LATER,
        "--item", items[0], "--item", items[1], "--as", "pm1",
    ).strip()  # fmt: skip
    assert "proposed" in run("schedule", "commitments", "--team", "Payments")
    assert "in_force" in run("schedule", "sign", commitment, "--revision", "1", "--as", "em1")
    assert (
        run("schedule", "revise", commitment, "--as", "em1", "--item", items[0], "--reason", "B slips").strip() == "2"
    )
    listing = run("schedule", "commitments", "--team", "Payments")
    assert "revising, revision 1 in force" in listing and "B slips" in listing
    assert "not the latest" in refused("schedule", "sign", commitment, "--revision", "1", "--as", "pm1")


def test_an_unknown_team_or_person_is_a_clear_error(org: None) -> None:
    assert "no team is called Nope" in refused("schedule", "plan", "--team", "Nope")
    assert "nobody in the org is 'ghost'" in refused("schedule", "add", "--team", "Payments", "--title", "X", "--as",
                                                     "ghost")  # fmt: skip
