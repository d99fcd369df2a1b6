"""The walk as one self-contained HTML file, and the sections every format shares: the executive summary, the model
pairs and the scorecards ("—" for missing evidence)."""

from __future__ import annotations

import json
import re
from pathlib import Path

from plotly.offline import get_plotlyjs  # type: ignore[import-untyped]  # plotly ships no type information
from typer.testing import CliRunner

from factories import TEAMS_HEADER, small_org, small_teams, to_csv
from tandem.cli import app
from tandem.walk.report import ReportFormat, render
from tandem.walk.report.html import report_view
from tandem.walk.report.summary import counts_by_practice, lowest_practices, top_findings
from walk.report_factories import EVIL, FINDINGS, GAP, PAIR, PARALYSIS, hand_made_report

FIGURES = re.compile(r'<script type="application/json" id="walk-figures">(.*?)</script>', re.S)


def section(page: str, start: str, end: str) -> str:
    """From the first ``start`` to the first ``end`` after it."""
    begin = page.index(start)
    return page[begin : page.index(end, begin)]


def test_the_file_carries_plotly_and_loads_nothing_from_the_network() -> None:
    page = render(hand_made_report(), ReportFormat.HTML)
    assert get_plotlyjs() in page
    assert re.search(r"<script[^>]*\bsrc=", page) is None
    assert re.search(r"<link[^>]*\bhref=", page) is None
    assert page.count("</script>") == 3  # the figures' JSON, Plotly, walk.js


def test_the_figures_in_the_file_are_the_views_figures() -> None:
    report = hand_made_report()
    match = FIGURES.search(render(report, ReportFormat.HTML))
    assert match is not None
    assert json.loads(match[1]) == json.loads(json.dumps(report_view(report).figures))


def test_user_provided_text_is_escaped_everywhere() -> None:
    page = render(hand_made_report(), ReportFormat.HTML)
    assert EVIL not in page
    assert "<script>alert(1)" not in page
    assert "&lt;b&gt;R&amp;D&lt;/b&gt; &lt;script&gt;alert(1)&lt;/script&gt;" in page  # the table's row heading
    figures = FIGURES.search(page)
    assert figures is not None and "</" not in figures[1]  # nothing in the JSON can close the script element


def test_the_sections_come_in_order() -> None:
    page = render(hand_made_report(), ReportFormat.HTML)
    headings = ["executive-title", "heatmap-title", "findings-title", "pairs-title", "scorecards-title"]
    positions = [page.index(f'<h2 id="{heading}"') for heading in headings]
    assert positions == sorted(positions)


def test_the_executive_summary_names_the_worst_findings_the_model_pairs_and_the_weakest_practices() -> None:
    report = hand_made_report()
    summary = section(render(report, ReportFormat.HTML), "Executive summary", "Teams and practices")
    top = top_findings(report)
    assert [f.id for f in top] == [GAP.id, PARALYSIS.id, *[f.id for f in top[2:]]]
    for finding in top:
        assert f'href="#{finding.id}"' in summary
    assert FINDINGS[-1].title in summary and "org-wide" in summary
    assert "Help Center" in summary and "Traci Hernandez" in summary and "Jennifer Day" in summary
    assert PAIR.why[0] in summary and PAIR.why[1] in summary
    assert PAIR.why[2] not in summary  # the first two lines only; the model pairs section has all
    for median in lowest_practices(report):
        assert median.describe() in summary


def test_the_weakest_practices_are_the_lowest_medians_with_missing_scores_left_out() -> None:
    lowest = lowest_practices(hand_made_report())
    assert [(m.practice.value, m.median, m.teams, m.missing) for m in lowest] == [
        ("overlap", 30.0, 3, 1),
        ("relationships", 81.0, 3, 1),
        ("equal_power", 100.0, 4, 0),  # mean 77.5, below the other 100s
    ]


def test_counts_by_practice_cover_every_practice() -> None:
    counts = dict(counts_by_practice(hand_made_report()))
    assert len(counts) == 8
    assert counts["overlap"] == 2 and counts["relationships"] == 0  # type: ignore[index]


def test_the_scorecards_table_marks_missing_evidence() -> None:
    page = render(hand_made_report(), ReportFormat.HTML)
    table = section(page, '<table class="scorecards">', "</table>")
    media = section(table, '<th scope="row">Media</th>', "</tr>")
    assert media.count("no evidence") == 6
    assert '<td class="num score score-low">10</td>' in media


def test_each_finding_has_its_evidence_recommendation_and_chart() -> None:
    page = render(hand_made_report(), ReportFormat.HTML)
    article = section(page, f'<article class="finding" id="{PARALYSIS.id}"', "</article>")
    assert f'data-figure="{PARALYSIS.id}"' in article
    assert "median working days to decide" in article
    assert PARALYSIS.recommendation.step in article
    gap = section(page, f'<article class="finding" id="{GAP.id}"', "</article>")
    assert "data-figure" not in gap  # a power gap has no chart


def test_a_report_without_charts_carries_no_plotly() -> None:
    page = render(hand_made_report(findings=[GAP], scorecards=[]), ReportFormat.HTML)
    assert get_plotlyjs()[:1000] not in page
    assert 'id="walk-figures"' not in page


def test_text_and_markdown_carry_the_same_sections() -> None:
    report = hand_made_report()
    for rendered in (render(report, ReportFormat.TEXT, width=120), render(report, ReportFormat.MD)):
        order = [rendered.index(s) for s in ("Executive summary", "Fix first", "Model pairs", "Scorecards")]
        assert order == sorted(order)
        assert "Traci Hernandez (product, p6) and Jennifer Day (engineering, p7)" in rendered
        assert PAIR.why[2] in rendered  # in the model pairs section
        assert GAP.title in rendered
    markdown = render(report, ReportFormat.MD)
    assert "| Media | 10 | — | 100 | — | — | — | — | — | 55 |" in markdown
    assert "1. **1.00** The senior product leader is not a peer of the senior engineering leader · org-wide" in markdown
    assert "1. Overlapping interests: median 30 (mean 51.7) over 3 teams, 1 without evidence" in markdown


def test_json_is_unchanged_by_the_new_sections() -> None:
    report = hand_made_report()
    assert json.loads(render(report, ReportFormat.JSON)) == json.loads(report.model_dump_json())


def test_the_cli_writes_one_self_contained_file(cli_env: str, tmp_path: Path) -> None:
    runner = CliRunner()
    people, teams = tmp_path / "people.csv", tmp_path / "teams.csv"
    people.write_bytes(to_csv(small_org()))
    teams.write_bytes(to_csv(small_teams(), TEAMS_HEADER))
    assert runner.invoke(app, ["org", "import", str(people), "--teams", str(teams)]).exit_code == 0
    folder = tmp_path / "out"
    folder.mkdir()
    result = runner.invoke(app, ["walk", "--format", "html", "--out", str(folder / "report.html")])
    assert result.exit_code == 0, result.output
    assert result.stdout == f"Wrote the walk (0 findings) to {folder / 'report.html'}\n"
    assert [p.name for p in folder.iterdir()] == ["report.html"]
    page = (folder / "report.html").read_text(encoding="utf-8")
    assert page.startswith("<!doctype html>")
    assert get_plotlyjs() in page  # the heatmap of the one team
    assert '<script src="http' not in page and "<link" not in page
    assert "Executive summary" in page and "Payments" in page
