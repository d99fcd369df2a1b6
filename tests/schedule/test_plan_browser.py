"""The plan page in real headless Chromium (Debian's) against a live server: reorder by drag and drop, by the
keyboard, and without JavaScript; Plotly draws the fan chart under the strict Content-Security-Policy.

Chromium missing is a failure, never a skip (see tests/browserfixtures.py).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, Response, expect
from sqlalchemy import Engine, select

from tandem.accounts.models import Role
from tandem.accounts.service import create_user, set_password
from tandem.db import transaction
from tandem.decisions.service import Actor
from tandem.org.models import Team
from tandem.schedule import service
from webfixtures import PASSWORD

PM = Actor("user:pm1@example.com", "pm1")
EM = Actor("user:em1@example.com", "em1")


@pytest.fixture
def plan(engine: Engine, web_org: None) -> list[int]:
    """Three estimated Payments items, and an account for the engineering lead; the items' ids in rank order."""
    with transaction(engine) as session:
        user = create_user(session, email="em1@example.com", role=Role.LEAD, actor="test")
        set_password(session, user=user, password=PASSWORD, actor="test")
        team = session.scalars(select(Team).where(Team.name == "Payments")).one()
        ids = []
        for title, estimate in (("Login", (1, 2, 4)), ("Checkout", (2, 3, 6)), ("Refunds", (1, 2, 3))):
            item = service.add_item(session, team, PM, title=title)
            service.estimate(session, item, EM, optimistic=estimate[0], likely=estimate[1], pessimistic=estimate[2])
            ids.append(item.id)
        return ids


def order_of(engine: Engine) -> list[str]:
    with transaction(engine) as session:
        team = session.scalars(select(Team).where(Team.name == "Payments")).one()
        return [item.title for item in service.open_items(session, team)]


@pytest.fixture
def problems() -> list[str]:
    """Console errors, uncaught exceptions (a CSP violation is a console error) and failed requests."""
    return []


IGNORED = ("/favicon.ico",)
"""The browser asks for a favicon the app does not have: not the plan page's problem."""


def open_plan(browser: Browser, base: str, email: str, problems: list[str], *, javascript: bool = True) -> Page:
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, java_script_enabled=javascript)
    page = context.new_page()

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            problems.append(message.text)

    def on_response(response: Response) -> None:
        if response.status >= 400 and not response.url.endswith(IGNORED):
            problems.append(f"{response.status} {response.request.method} {response.url}")

    page.on("console", on_console)
    page.on("response", on_response)
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.goto(base + "/sign-in?next=/teams/Payments/plan")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Payments: plan and commitments")).to_be_visible()
    if javascript:
        expect(page.locator("#plan-items[data-ready]")).to_have_count(1)
    return page


def titles_on(page: Page) -> list[str]:
    return [text.strip() for text in page.locator("#plan-items th.title").all_inner_texts()]


def test_the_product_lead_drags_an_item_to_the_top_and_the_fan_chart_is_drawn(
    browser: Browser, live_server: str, plan: list[int], engine: Engine, problems: list[str], tmp_path: Path
) -> None:
    page = open_plan(browser, live_server, "pm1@example.com", problems)
    expect(page.locator("#fan-chart svg.main-svg").first).to_be_attached()
    expect(page.locator("#fan-chart .scatterlayer .trace")).to_have_count(4)
    page.locator(f"#item-{plan[2]} th.title").drag_to(page.locator(f"#item-{plan[0]} th.title"))
    expect(page.get_by_text("The new order is saved.")).to_be_visible()
    assert titles_on(page) == ["Refunds", "Login", "Checkout"]
    assert order_of(engine) == ["Refunds", "Login", "Checkout"]
    expect(page.locator(f"#item-{plan[2]} td.rank")).to_have_text("1")
    expect(page.locator("#fan-chart svg.main-svg").first).to_be_attached()
    page.screenshot(path=str(tmp_path / "plan.png"), full_page=True)
    assert problems == []


def test_the_keyboard_moves_an_item_and_keeps_the_focus(
    browser: Browser, live_server: str, plan: list[int], engine: Engine, problems: list[str]
) -> None:
    page = open_plan(browser, live_server, "pm1@example.com", problems)
    button = page.get_by_role("button", name="Move Login down")
    button.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_text("The new order is saved.")).to_be_visible()
    assert order_of(engine) == ["Checkout", "Login", "Refunds"]
    expect(page.get_by_role("button", name="Move Login down")).to_be_focused()
    assert problems == []


def test_the_move_buttons_work_without_javascript(
    browser: Browser, live_server: str, plan: list[int], engine: Engine, problems: list[str]
) -> None:
    page = open_plan(browser, live_server, "pm1@example.com", problems, javascript=False)
    page.get_by_role("button", name="Move Refunds up").click()
    expect(page.get_by_text("The new order is saved.")).to_be_visible()
    assert order_of(engine) == ["Login", "Refunds", "Checkout"]
    assert titles_on(page) == ["Login", "Refunds", "Checkout"]


def test_a_refused_order_is_shown_and_the_rows_go_back(
    browser: Browser, live_server: str, plan: list[int], engine: Engine, problems: list[str]
) -> None:
    page = open_plan(browser, live_server, "pm1@example.com", problems)
    with transaction(engine) as session:  # someone adds an item after the page was read
        team = session.scalars(select(Team).where(Team.name == "Payments")).one()
        service.add_item(session, team, EM, title="Disputes")
    page.get_by_role("button", name="Move Checkout up").click()
    expect(page.get_by_role("alert")).to_contain_text("reload and retry")
    assert titles_on(page) == ["Login", "Checkout", "Refunds"]
    assert order_of(engine) == ["Login", "Checkout", "Refunds", "Disputes"]
    assert [p for p in problems if not p.startswith("409 PUT")] == []


def test_the_engineering_lead_cannot_drag(
    browser: Browser, live_server: str, plan: list[int], problems: list[str]
) -> None:
    page = open_plan(browser, live_server, "em1@example.com", problems)
    expect(page.locator("#plan-items tr[draggable]")).to_have_count(0)
    expect(page.get_by_role("button", name="Move Login down")).to_have_count(0)
    expect(page.get_by_role("form", name="Estimate an item")).to_be_visible()
    expect(page.locator("#fan-chart svg.main-svg").first).to_be_attached()
    assert problems == []
