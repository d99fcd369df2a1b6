"""The pulse answer page on a phone in real headless Chromium (Debian's) against a live server, under the strict
Content-Security-Policy: answer once, see the thank-you page; then the results page draws its chart once five
have answered and the pulse has closed (figures come from closed pulses only). Chromium missing is a failure,
never a skip (see tests/browserfixtures.py)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, Response, expect
from sqlalchemy import Engine, select, update

from tandem.db import transaction, utcnow
from tandem.org.models import Function, Person, Team
from tandem.trust import service
from tandem.trust.models import Pulse
from webfixtures import PASSWORD

PHONE = {"width": 390, "height": 844}
SCORES = {"respect": 5, "positive_intent": 6, "safety": 4, "reliability": 5, "openness": 6}
IGNORED = ("/favicon.ico",)


@pytest.fixture
def engineer_tokens(engine: Engine, web_org: None) -> list[str]:
    """Four more engineers on Payments (six with em1 and dev1) and an open pulse; the engineers' tokens."""
    with transaction(engine) as session:
        team = session.scalars(select(Team).where(Team.name == "Payments")).one()
        for n in range(2, 6):
            session.add(
                Person(
                    id=f"dev{n}",
                    name=f"Dev {n}",
                    email=f"dev{n}@example.com",
                    function=Function.ENGINEERING,
                    level=4,
                    manager_id="em1",
                    team_id=team.id,
                    active=True,
                )
            )
        session.flush()
        _pulse, links = service.open_pulse(session, team, actor_label="test")
        return [link.token for link in links if link.person_id != "pm1"]


@pytest.fixture
def problems() -> list[str]:
    """Console errors, uncaught exceptions (a CSP violation is a console error) and failed requests."""
    return []


def watched(browser: Browser, problems: list[str], *, allowed: tuple[int, ...] = ()) -> Page:
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            problems.append(message.text)

    def on_response(response: Response) -> None:
        if response.status >= 400 and response.status not in allowed and not response.url.endswith(IGNORED):
            problems.append(f"{response.status} {response.request.method} {response.url}")

    page.on("console", on_console)
    page.on("response", on_response)
    page.on("pageerror", lambda error: problems.append(str(error)))
    return page


def test_a_phone_answers_a_pulse_once_and_the_results_draw_their_chart_from_five(
    browser: Browser,
    live_server: str,
    engineer_tokens: list[str],
    engine: Engine,
    problems: list[str],
    tmp_path: Path,
) -> None:
    page = watched(browser, problems, allowed=(404,))
    page.goto(f"{live_server}/pulse/{engineer_tokens[0]}")
    expect(page.get_by_role("heading", name="Payments: trust pulse")).to_be_visible()
    expect(page.get_by_text("Your answers are anonymous.")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]  # no sideways scrolling
    items = page.locator("fieldset.pulse-item")
    expect(items).to_have_count(5)
    for item, score in SCORES.items():
        group = page.locator(f"#q-{item}")
        group.get_by_label(f"{score} ", exact=False).first.check()
        expect(group.locator(f'input[value="{score}"]')).to_be_checked()
    page.get_by_label("Anything to add?").fill("Thanks for the quick answers this sprint.")
    page.screenshot(path=str(tmp_path / "pulse.png"), full_page=True)
    page.get_by_role("button", name="Send my answers").click()
    expect(page.get_by_role("heading", name="Thank you")).to_be_visible()
    assert page.url == f"{live_server}/pulse/thanks"
    page.goto(f"{live_server}/pulse/{engineer_tokens[0]}")
    expect(page.get_by_text("This link cannot be used")).to_be_visible()
    assert problems == []

    for token in engineer_tokens[1:5]:
        with transaction(engine) as session:
            service.answer(session, token, SCORES)
    with transaction(engine) as session:  # closed before the first results read (the walk cache keys on answers)
        session.execute(update(Pulse).values(closes_at=utcnow() - timedelta(minutes=1)))
    results = watched(browser, problems)
    results.goto(f"{live_server}/sign-in?next=/teams/Payments/trust")
    results.get_by_label("E-mail").fill("pm1@example.com")
    results.get_by_label("Password").fill(PASSWORD)
    results.get_by_role("button", name="Sign in").click()
    expect(results.get_by_role("heading", name="Payments: trust between product and engineering")).to_be_visible()
    expect(results.locator("#trust-chart[data-drawn]")).to_have_count(1)
    expect(results.locator("#trust-chart svg.main-svg").first).to_be_attached()
    expect(results.locator("#trust-chart .scatterlayer .trace")).to_have_count(1)
    expect(results.get_by_text("Not shown: fewer than 5 respondents.")).to_have_count(1)
    results.screenshot(path=str(tmp_path / "trust.png"), full_page=True)
    assert problems == []
