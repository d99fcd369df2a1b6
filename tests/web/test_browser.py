"""The web app in real headless Chromium (Debian's), driven by Playwright, against a live server.

Chromium missing is a failure, never a skip: CI installs it, and a browser suite that quietly does not run
proves nothing.
"""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from fastapi import FastAPI
from playwright.sync_api import Browser, Page, expect, sync_playwright

from factories import person, to_csv
from tandem.accounts.models import Role
from webfixtures import EMAILS, PASSWORD, SEARCH_GAP, web_org_people

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if shutil.which(CHROMIUM) is None:
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (apt-get install chromium)", pytrace=False)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def live_server(app: FastAPI, web_org: None) -> Iterator[str]:
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


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
