"""The walk report in real headless Chromium (Debian's): the self-contained file from a real walk of the demo org,
opened from disk with the network cut off, and the same report as the web app's home page under its strict
Content-Security-Policy. Chromium missing is a failure, never a skip (see tests/browserfixtures.py)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, Request, Response, Route, ViewportSize, expect
from sqlalchemy import Engine
from typer.testing import CliRunner

from overlap.factories import add_occurrence
from tandem.accounts.models import Role
from tandem.cli import app
from tandem.config import get_settings
from tandem.db import transaction, utcnow
from tandem.overlap.facts import RitualKind
from webfixtures import EMAILS, PASSWORD, SEARCH_GAP

DESKTOP: ViewportSize = {"width": 1280, "height": 900}


@dataclass(frozen=True)
class DemoReport:
    html: Path
    walk: dict[str, Any]


@pytest.fixture(scope="module")
def demo_report(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoReport]:
    """``tandem demo --format html --out report.html`` into a fresh SQLite database (once for the module), and the
    same walk as JSON right after, for what the file should show."""
    folder = tmp_path_factory.mktemp("demo-report")
    runner = CliRunner()
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TANDEM_DATABASE_URL", f"sqlite:///{folder / 'demo.db'}")
        patch.setenv("TANDEM_CONFIG", str(folder / "tandem.toml"))
        patch.chdir(folder)
        get_settings.cache_clear()
        try:
            html = folder / "report.html"
            made = runner.invoke(app, ["demo", "--dir", str(folder / "demo"), "--format", "html", "--out", str(html)])
            assert made.exit_code == 0, made.output
            walked = runner.invoke(app, ["walk", "--format", "json"])
            assert walked.exit_code == 0, walked.output
        finally:
            get_settings.cache_clear()
    yield DemoReport(html=html, walk=json.loads(walked.stdout))


@pytest.fixture
def problems() -> list[str]:
    """Console errors, uncaught exceptions (a CSP violation is a console error) and failed requests."""
    return []


def watch(page: Page, problems: list[str]) -> None:
    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            problems.append(message.text)

    def on_response(response: Response) -> None:
        if response.status >= 400 and not response.url.endswith("/favicon.ico"):
            problems.append(f"{response.status} {response.request.method} {response.url}")

    page.on("console", on_console)
    page.on("response", on_response)
    page.on("pageerror", lambda error: problems.append(str(error)))


@pytest.fixture
def offline_page(browser: Browser, problems: list[str]) -> Iterator[tuple[Page, list[str]]]:
    """A page with no network at all: every request that is not for a file on disk is aborted and recorded."""
    context = browser.new_context(viewport=DESKTOP, offline=True)
    fetched: list[str] = []

    def refuse(route: Route, request: Request) -> None:
        fetched.append(request.url)
        route.abort()

    context.route(lambda url: not url.startswith("file://"), refuse)
    page = context.new_page()
    watch(page, problems)
    yield page, fetched
    context.close()


def test_the_file_opens_from_disk_offline_and_draws_every_chart(
    demo_report: DemoReport, offline_page: tuple[Page, list[str]], problems: list[str], tmp_path: Path
) -> None:
    page, fetched = offline_page
    page.goto(demo_report.html.as_uri())
    expect(page.get_by_role("heading", name="The walk", exact=True)).to_be_visible()
    charts = page.locator(".walk-chart")
    expect(page.locator(".walk-chart[data-drawn]")).to_have_count(charts.count())
    assert charts.count() >= 2
    expect(page.locator("#chart-heatmap.js-plotly-plot .main-svg").first).to_be_attached()
    rows = [text for text in page.locator("#chart-heatmap .ytick").all_text_contents() if text]
    assert sorted(rows) == sorted(card["team"] for card in demo_report.walk["scorecards"])
    expect(page.locator("#findings .walk-chart.js-plotly-plot .main-svg").first).to_be_attached()
    page.screenshot(path=str(tmp_path / "report.png"), full_page=True)
    assert (tmp_path / "report.png").stat().st_size > 0
    assert fetched == []
    assert problems == []


def test_the_files_executive_summary_names_the_top_findings_and_the_model_pairs(
    demo_report: DemoReport, offline_page: tuple[Page, list[str]]
) -> None:
    page, _ = offline_page
    page.goto(demo_report.html.as_uri())
    top = page.locator(".top-findings li")
    expect(top).to_have_count(5)
    worst = sorted(demo_report.walk["findings"], key=lambda f: (-f["severity"], f["kind"], f["id"]))[:5]
    for number, finding in enumerate(worst):
        expect(top.nth(number)).to_contain_text(finding["title"])
    pairs = page.locator(".summary-pairs > li")
    assert demo_report.walk["model_pairs"], "the demo plants healthy pairs"
    expect(pairs).to_have_count(len(demo_report.walk["model_pairs"]))
    for number, pair in enumerate(demo_report.walk["model_pairs"]):
        for text in (pair["team"], pair["product_lead_name"], pair["engineering_lead_name"], *pair["why"][:2]):
            expect(pairs.nth(number)).to_contain_text(text)
    expect(page.locator(".weakest li")).to_have_count(3)
    expect(page.locator("table.scorecards tbody tr")).to_have_count(len(demo_report.walk["scorecards"]))


def test_hovering_a_heatmap_cell_shows_the_teams_score(
    demo_report: DemoReport, offline_page: tuple[Page, list[str]]
) -> None:
    page, _ = offline_page
    page.goto(demo_report.html.as_uri())
    heatmap = page.locator("#chart-heatmap")
    expect(page.locator("#chart-heatmap[data-drawn]")).to_have_count(1)
    heatmap.scroll_into_view_if_needed()
    box = page.locator("#chart-heatmap .nsewdrag").first.bounding_box()
    assert box is not None
    rows = len(demo_report.walk["scorecards"])
    # the top row (the worst team) and the first column (equal power, judged for every team)
    page.mouse.move(box["x"] + box["width"] / 16 - 4, box["y"] + box["height"] / rows / 2, steps=4)
    page.mouse.move(box["x"] + box["width"] / 16, box["y"] + box["height"] / rows / 2, steps=4)
    label = page.locator("#chart-heatmap .hoverlayer .hovertext")
    expect(label).to_contain_text(demo_report.walk["scorecards"][0]["team"])
    expect(label).to_contain_text("score")


# --- the web app's home page ---------------------------------------------------------------------------------------


@pytest.fixture
def rituals(engine: Engine, web_org: None) -> None:
    """Payments' weekly discovery with an engineer at fewer than half and daily standups with product at one in
    three: both overlap findings, each with its chart."""
    now = utcnow()
    with transaction(engine) as session:
        for week in range(9):
            attendees = ["pm1", "dev1"] if week % 2 else ["pm1"]
            add_occurrence(session, "Payments", RitualKind.DISCOVERY, now - timedelta(weeks=week, hours=1), attendees)
        for day in range(60):
            attendees = ["em1", "dev1", "pm1"] if day % 3 == 0 else ["em1", "dev1"]
            add_occurrence(session, "Payments", RitualKind.STANDUP, now - timedelta(days=day, hours=2), attendees)


def test_the_home_page_is_the_same_report_for_an_executive(
    browser: Browser, live_server: str, rituals: None, problems: list[str], tmp_path: Path
) -> None:
    page = browser.new_context(viewport=DESKTOP).new_page()
    watch(page, problems)
    page.goto(f"{live_server}/sign-in")
    page.get_by_label("E-mail").fill(EMAILS[Role.EXECUTIVE])
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="The walk", exact=True)).to_be_visible()
    for heading in ("Executive summary", "Teams and practices", "Findings by practice, worst first", "Scorecards"):
        expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible()
    expect(page.locator("#pairs-title")).to_have_text("Model pairs")
    top = page.locator(".top-findings")
    gap = top.get_by_role("link", name="Search: the engineering lead is 3 levels above the product lead")
    expect(gap).to_have_attribute("href", f"/findings/{SEARCH_GAP}")
    expect(top).to_contain_text("Payments: engineers are in")
    expect(page.locator("#chart-heatmap[data-drawn]")).to_have_count(1)
    expect(page.locator("#chart-heatmap.js-plotly-plot .main-svg").first).to_be_attached()
    expect(page.locator("#findings .walk-chart[data-drawn]")).to_have_count(2)  # both overlap findings
    expect(page.locator("table.scorecards tbody tr")).to_have_count(2)  # Payments and Search
    expect(page.locator("table.scorecards").get_by_role("link", name="Payments")).to_have_attribute(
        "href", "/teams/Payments"
    )
    page.screenshot(path=str(tmp_path / "home.png"), full_page=True)
    assert problems == []
