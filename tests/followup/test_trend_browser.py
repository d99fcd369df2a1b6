"""The trend page in real headless Chromium (Debian's) against a live server, under the strict Content-Security-
Policy: an executive saves the walk as a snapshot, the chart draws, and a finding becomes an action through its
form. Chromium missing is a failure, never a skip (see tests/browserfixtures.py)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, Response, expect

from followup.factories import in_days
from webfixtures import PASSWORD, SEARCH_GAP


@pytest.fixture
def problems() -> list[str]:
    """Console errors, uncaught exceptions (a CSP violation is a console error) and failed requests."""
    return []


def watched(browser: Browser, problems: list[str]) -> Page:
    page = browser.new_context().new_page()

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error" and not message.text.startswith("Failed to load resource"):  # see on_response
            problems.append(message.text)

    def on_response(response: Response) -> None:
        if response.status >= 400 and not response.url.endswith("/favicon.ico"):
            problems.append(f"{response.status} {response.request.method} {response.url}")

    page.on("console", on_console)
    page.on("response", on_response)
    page.on("pageerror", lambda error: problems.append(str(error)))
    return page


def test_a_snapshot_draws_the_trend_and_a_finding_becomes_an_action(
    browser: Browser, live_server: str, problems: list[str]
) -> None:
    page = watched(browser, problems)
    page.goto(f"{live_server}/sign-in?next=/walk/trend")
    page.get_by_label("E-mail").fill("admin@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="The walk over time")).to_be_visible()

    page.get_by_role("button", name="Save today's walk as a snapshot").click()
    expect(page.get_by_text("Saved today's walk as a snapshot.")).to_be_visible()
    expect(page.locator("#trend-chart[data-drawn]")).to_have_count(1)
    expect(page.locator("#trend-chart .scatterlayer .trace")).to_have_count(2)  # equal power, and all findings

    page.goto(f"{live_server}/findings/{SEARCH_GAP}/action")
    page.get_by_label("Owner").fill("pm2")
    page.get_by_label("Due").fill(str(in_days(10)))
    page.get_by_label("The practice step").fill("Promote the product lead")
    page.get_by_role("button", name="Take the action").click()
    expect(page.locator("#action-1")).to_contain_text("Promote the product lead")
    expect(page.locator("#action-1")).to_contain_text("finding still present")
    assert problems == []
