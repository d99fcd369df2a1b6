"""The web app in real headless Chromium (Debian's), driven by Playwright, against a live server.

Chromium missing is a failure, never a skip: CI installs it, and a browser suite that quietly does not run
proves nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import Engine

from factories import person, to_csv
from tandem.accounts.models import Role
from tandem.accounts.service import create_user, set_password
from tandem.db import transaction
from webfixtures import EMAILS, PASSWORD, SEARCH_GAP, web_org_people


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    yield context.new_page()
    context.close()


def sign_in(page: Page, base: str, role: Role, start: str = "/") -> None:
    page.goto(base + start)
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    page.get_by_label("E-mail").fill(EMAILS[role])
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_an_executive_signs_in_and_sees_the_walk(page: Page, live_server: str, tmp_path: Path) -> None:
    sign_in(page, live_server, Role.EXECUTIVE)
    expect(page.get_by_role("heading", name="The walk")).to_be_visible()
    expect(page.get_by_role("heading", name="Equal power")).to_be_visible()
    expect(
        page.get_by_role("link", name="Search: the engineering lead is 3 levels above the product lead").first
    ).to_be_visible()
    page.screenshot(path=str(tmp_path / "walk.png"), full_page=True)


def test_a_finding_opens_on_its_evidence(page: Page, live_server: str) -> None:
    sign_in(page, live_server, Role.LEAD)
    page.get_by_role("link", name="Evidence").first.click()
    expect(page).to_have_url(f"{live_server}/findings/{SEARCH_GAP}")
    evidence = page.locator("table.evidence")
    expect(evidence.get_by_role("row", name="level gap")).to_contain_text("3")
    expect(page.get_by_role("heading", name="What to do")).to_be_visible()


def test_a_bad_upload_shows_its_line_errors(page: Page, live_server: str, tmp_path: Path) -> None:
    bad = tmp_path / "people.csv"
    bad.write_bytes(to_csv([*web_org_people(), person("x", "nobody"), person("y", "em1", function="sales")]))
    sign_in(page, live_server, Role.ADMIN, "/admin/import")
    expect(page.get_by_role("heading", name="Import the org")).to_be_visible()
    page.get_by_label("People CSV").set_input_files(str(bad))
    page.get_by_role("button", name="Import").click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("2 problems; nothing was written")
    expect(alert).to_contain_text("people.csv:11:6 manager_id: unknown manager 'nobody'")
    expect(alert).to_contain_text("people.csv:12:4 function: 'sales' is not one of")


def test_a_member_is_forbidden_from_an_admin_page(page: Page, live_server: str) -> None:
    sign_in(page, live_server, Role.MEMBER)
    expect(page).to_have_url(f"{live_server}/teams/Payments")
    expect(page.get_by_role("link", name="Users")).to_have_count(0)
    response = page.goto(f"{live_server}/admin/users")
    assert response is not None and response.status == 403
    expect(page.get_by_text("Your role does not allow this page.")).to_be_visible()


def test_signing_out_returns_to_sign_in(page: Page, live_server: str) -> None:
    sign_in(page, live_server, Role.ADMIN)
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    page.goto(f"{live_server}/org")
    expect(page).to_have_url(f"{live_server}/sign-in?next=/org")


@pytest.fixture
def decision_people(engine: Engine, web_org: None) -> None:
    """The Payments engineering lead and the accountable manager (gm) get accounts too."""
    with transaction(engine) as session:
        for email in ("em1@example.com", "gm@example.com"):
            user = create_user(session, email=email, role=Role.LEAD, actor="test")
            set_password(session, user=user, password=PASSWORD, actor="test")


def sign_in_as(browser: Browser, base: str, email: str) -> Page:
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    page.goto(base + "/sign-in")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    return page


def test_a_decision_goes_from_draft_through_contest_and_escalation_to_a_decision(
    browser: Browser, live_server: str, decision_people: None, tmp_path: Path
) -> None:
    product = sign_in_as(browser, live_server, "pm1@example.com")
    product.goto(f"{live_server}/teams/Payments")
    product.get_by_text("Record a new decision").click()
    product.get_by_label("Title").fill("Offline mode now or after the sync rewrite")
    product.get_by_label("Options, one per line").fill("Now, behind a flag\nAfter the rewrite")
    product.get_by_role("button", name="Record as a draft").click()
    expect(product.locator("#decision-state")).to_have_text("draft")
    product.get_by_role("button", name="Open for scoring and sign-off").click()
    expect(product.locator("#decision-state")).to_have_text("open")
    score = product.get_by_role("form", name="Score an option")
    score.get_by_label("Option").select_option("Now, behind a flag")
    score.get_by_label("Factor").select_option("user_experience")
    score.get_by_label("Score").select_option("2")
    score.get_by_label("Why (one line)").fill("Customers on trains ask for it weekly")
    score.get_by_role("button", name="Save score").click()
    expect(product.locator("table.scores")).to_contain_text("+2")
    sign = product.get_by_role("form", name="Sign an option")
    sign.get_by_label("Sign option").select_option("Now, behind a flag")
    sign.get_by_role("button", name="Sign").click()
    decision_url = product.url

    engineering = sign_in_as(browser, live_server, "em1@example.com")
    engineering.goto(decision_url)
    sign = engineering.get_by_role("form", name="Sign an option")
    sign.get_by_label("Sign option").select_option("After the rewrite")
    sign.get_by_role("button", name="Sign").click()
    expect(engineering.locator("#decision-state")).to_have_text("contested")
    engineering.get_by_role("button", name="Escalate to the accountable manager").click()
    expect(engineering.locator("#decision-state")).to_have_text("escalated")
    expect(engineering.get_by_role("button", name="Decide")).to_have_count(0)

    manager = sign_in_as(browser, live_server, "gm@example.com")
    manager.goto(decision_url)
    decide = manager.get_by_role("form", name="Decide")
    decide.get_by_label("Decide for").select_option("After the rewrite")
    decide.get_by_label("Rationale").fill("Sync conflicts would hurt more users than the wait.")
    decide.get_by_role("button", name="Decide").click()
    expect(manager.locator("#decision-state")).to_have_text("decided")
    expect(manager.get_by_text("chosen: After the rewrite")).to_be_visible()
    history = manager.locator("ol.history")
    for kind in ("created", "opened", "scored", "signed", "escalated", "decided"):
        expect(history).to_contain_text(kind)
    manager.screenshot(path=str(tmp_path / "decision.png"), full_page=True)
