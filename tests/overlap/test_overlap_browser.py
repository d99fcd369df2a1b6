"""The overlap page in real headless Chromium (Debian's) against a live server, under the strict
Content-Security-Policy: Plotly draws the ritual calendar heatmap and the monthly trend from one request to the
page's JSON API, next to their tables. Chromium missing is a failure, never a skip (see tests/browserfixtures.py)."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, Response, expect
from sqlalchemy import Engine

from overlap.factories import add_occurrence
from tandem.db import transaction, utcnow
from tandem.overlap.facts import RitualKind
from webfixtures import PASSWORD

DESKTOP = {"width": 1280, "height": 900}
IGNORED = ("/favicon.ico",)
API = "/api/v1/teams/Payments/overlap"


@pytest.fixture
def rituals(engine: Engine, web_org: None) -> None:
    """Two months of Payments' weekly discovery (an engineer at every other one) and daily standups (product at
    one in three), added before the first page reads the walk."""
    now = utcnow()
    with transaction(engine) as session:
        for week in range(9):
            attendees = ["pm1", "dev1"] if week % 2 else ["pm1"]
            add_occurrence(session, "Payments", RitualKind.DISCOVERY, now - timedelta(weeks=week, hours=1), attendees)
        for day in range(60):
            attendees = ["em1", "dev1", "pm1"] if day % 3 == 0 else ["em1", "dev1"]
            add_occurrence(session, "Payments", RitualKind.STANDUP, now - timedelta(days=day, hours=2), attendees)


@pytest.fixture
def problems() -> list[str]:
    """Console errors, uncaught exceptions (a CSP violation is a console error) and failed requests."""
    return []


def signed_in_page(browser: Browser, live_server: str, problems: list[str], requests: list[str]) -> Page:
    page = browser.new_context(viewport=DESKTOP).new_page()

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            problems.append(message.text)

    def on_response(response: Response) -> None:
        if response.status >= 400 and not response.url.endswith(IGNORED):
            problems.append(f"{response.status} {response.request.method} {response.url}")

    page.on("console", on_console)
    page.on("response", on_response)
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("request", lambda request: requests.append(request.url))
    page.goto(f"{live_server}/sign-in?next=/teams/Payments/overlap")
    page.get_by_label("E-mail").fill("pm1@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Payments: overlap between product and engineering")).to_be_visible()
    return page


def test_the_page_draws_the_ritual_calendar_heatmap_and_the_trend_beside_their_tables(
    browser: Browser, live_server: str, rituals: None, problems: list[str], tmp_path: Path
) -> None:
    page = signed_in_page(browser, live_server, problems, [])
    expect(page.locator("#overlap-heatmap[data-drawn]")).to_have_count(1)
    expect(page.locator("#overlap-heatmap.js-plotly-plot .main-svg").first).to_be_attached()
    expect(page.locator("#overlap-heatmap .heatmaplayer image")).to_have_count(1)
    rows = [text for text in page.locator("#overlap-heatmap .ytick").all_text_contents() if text]
    assert sorted(rows) == [
        "discovery · engineering",
        "discovery · product",
        "standup · engineering",
        "standup · product",
    ]
    expect(page.locator("#overlap-trend[data-drawn]")).to_have_count(1)
    expect(page.locator("#overlap-trend.js-plotly-plot .main-svg").first).to_be_attached()
    expect(page.locator("#overlap-trend .scatterlayer .trace")).to_have_count(4)  # two shares, two thresholds
    expect(page.locator("table.overlap-trend tbody tr")).to_have_count(12)
    expect(page.locator("table.overlap-leads")).to_be_visible()
    page.get_by_text("The calendar as a table").click()
    expect(page.locator(".overlap-calendar table")).to_be_visible()
    page.screenshot(path=str(tmp_path / "overlap.png"), full_page=True)
    assert (tmp_path / "overlap.png").stat().st_size > 0
    assert problems == []


def test_both_charts_are_drawn_from_one_request_to_the_api(
    browser: Browser, live_server: str, rituals: None, problems: list[str]
) -> None:
    requests: list[str] = []
    page = signed_in_page(browser, live_server, problems, requests)
    expect(page.locator(".overlap-chart[data-drawn]")).to_have_count(2)
    assert [url for url in requests if url.endswith(API)] == [f"{live_server}{API}"]
    assert problems == []


def test_hovering_a_heatmap_cell_shows_how_many_rituals_had_that_side_present(
    browser: Browser, live_server: str, rituals: None, problems: list[str]
) -> None:
    page = signed_in_page(browser, live_server, problems, [])
    expect(page.locator("#overlap-heatmap[data-drawn]")).to_have_count(1)
    page.locator("#overlap-heatmap").scroll_into_view_if_needed()
    box = page.locator("#overlap-heatmap .nsewdrag").first.bounding_box()
    assert box is not None
    # the newest week's column (the right edge), the third row: standup · product (this week's standups)
    page.mouse.move(box["x"] + box["width"] - 20, box["y"] + box["height"] * 0.625, steps=5)
    page.mouse.move(box["x"] + box["width"] - 15, box["y"] + box["height"] * 0.625, steps=5)
    label = page.locator("#overlap-heatmap .hoverlayer .hovertext")
    expect(label).to_contain_text("standup · product")
    expect(label).to_contain_text(re.compile(r"present at \d+ of \d+"))
    assert problems == []
