"""``tandem pulse`` from the command line: links, imports, results behind the privacy gate."""

from __future__ import annotations

import csv
import json
import stat
from pathlib import Path

import pytest
from typer.testing import CliRunner

from factories import TEAMS_HEADER, small_org, small_teams, to_csv
from tandem.cli import app

runner = CliRunner()
ITEMS = ("respect", "positive_intent", "safety", "reliability", "openness")


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


def answers(path: Path, respondents: int) -> Path:
    rows = ["submitted_at,team,function,item,score,respondent"]
    rows += [f"2026-11-02T10:00:00Z,Payments,engineering,{i},4,r{n}" for n in range(respondents) for i in ITEMS]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def test_open_writes_one_private_link_per_invitee(org: None, tmp_path: Path) -> None:
    out = tmp_path / "links.csv"
    assert "3 personal link(s) in" in run("pulse", "open", "--team", "Payments", "--out", str(out))
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert sorted(r["email"] for r in rows) == ["dev1@example.com", "em1@example.com", "pm1@example.com"]
    assert all("/pulse/" in r["link"] for r in rows)
    assert stat.S_IMODE(out.stat().st_mode) == 0o600


def test_results_of_four_respondents_show_nothing_and_of_five_show_the_index(org: None, tmp_path: Path) -> None:
    run("pulse", "import", str(answers(tmp_path / "four.csv", 4)))
    assert json.loads(run("pulse", "results", "--json")) == {}
    assert "No results to show" in run("pulse", "results")
    run("pulse", "import", str(answers(tmp_path / "five.csv", 5)))
    figures = json.loads(run("pulse", "results", "--json", "--team", "Payments"))
    assert figures["Payments"]["engineering_to_product"]["respondents"] == 5


def test_a_bad_file_lists_its_lines_and_exits_2(org: None, tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("submitted_at,team,function,item,score\n2026-11-02,Payments,design,respect,4\n", encoding="utf-8")
    result = runner.invoke(app, ["pulse", "import", str(bad)])
    assert result.exit_code == 2
    assert f"{bad}:2: function must be product or engineering" in result.output


def test_a_custom_item_joins_the_next_version(org: None) -> None:
    out = run(
        "pulse", "item", "--id", "candour", "--subscale", "affective",
        "--product-text", "Engineering tells me bad news early.",
        "--engineering-text", "Product tells me bad news early.",
    )  # fmt: skip
    assert out.startswith("Instrument version 2:") and "candour" in out


def test_without_a_file_or_a_way_to_send_links_nothing_opens(org: None) -> None:
    result = runner.invoke(app, ["pulse", "open", "--team", "Payments"])
    assert result.exit_code == 2 and "invitation_url" in result.output
