"""Real headless Chromium (Debian's `chromium`) against `ivr serve` on the real Asterisk.

Playwright drives the browser Debian installed (its own browser download is
not available here). The service, the PBX and the SIPp phones are the
integration tests' fixtures, shared here by import.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright

from ivr.admin import users
from tests.integration.conftest import WEB_PORT, Service, hotline, lab, pbx

__all__ = ["hotline", "lab", "pbx"]  # fixtures, shared with the integration tests

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
BASE = f"http://127.0.0.1:{WEB_PORT}"
PASSWORD = "jeonju-2221000!"
# username -> (display name, role, counselor id)
DESK_USERS = {
    "super1": ("박감독", "supervisor", None),
    "minji": ("김민지", "counselor", "c1"),
}
SCREENSHOTS = os.environ.get("HOTLINE_SCREENSHOTS")  # a folder: save the pages shown in the README


def fake_microphone(wav: Path) -> list[str]:
    """Chromium's switches for a scripted microphone that plays `wav` (looped), asked no questions."""
    return [
        "--no-sandbox",
        "--use-fake-ui-for-media-stream",
        "--use-fake-device-for-media-stream",
        f"--use-file-for-fake-audio-capture={wav}",
    ]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "browser" in str(item.path):
            item.add_marker(pytest.mark.integration)


@pytest.fixture
def browser() -> Iterator[Browser]:
    """Chromium for one test. Not for the session: Playwright's sync API keeps its event
    loop set on this thread while it runs, and the asyncio tests after it would find it."""
    with sync_playwright() as playwright:
        # As root (here, and in CI) Chromium's sandbox cannot start.
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield chromium
        chromium.close()


class Windows:
    """Browser windows, each with its own cookies, on the service under test."""

    def __init__(self, browser: Browser) -> None:
        self.browser = browser
        self.contexts: list[BrowserContext] = []

    def new(self) -> Page:
        context = self.browser.new_context(base_url=BASE, viewport={"width": 1400, "height": 1000})
        self.contexts.append(context)
        return context.new_page()

    def log_in(self, username: str, path: str) -> Page:
        """A new window that opens `path`, logs in on the way, and waits for the live socket."""
        page = self.new()
        page.goto(path)
        expect(page.locator("h1")).to_contain_text("로그인")
        page.fill('input[name="username"]', username)
        page.fill('input[name="password"]', PASSWORD)
        page.click('button[type="submit"]')
        expect(page.locator("#live-status")).to_have_attribute("data-state", "live")
        return page

    def close(self) -> None:
        for context in self.contexts:
            context.close()


@pytest.fixture
def windows(browser: Browser, hotline: Service) -> Iterator[Windows]:
    """A supervisor and counselor c1's user in the service's database (as `ivr users add`
    makes them), and windows to log them in; the windows close before the service stops."""
    for username, (name, role, counselor) in DESK_USERS.items():
        users.add_user(
            hotline.database, username, name, role, PASSWORD, counselor_id=counselor, actor="pytest"
        )
    opened = Windows(browser)
    yield opened
    opened.close()


def screenshot(page: Page, name: str) -> None:
    """With HOTLINE_SCREENSHOTS=<folder>, keep what the page shows now as <folder>/<name>.png."""
    if SCREENSHOTS:
        folder = Path(SCREENSHOTS)
        folder.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(folder / f"{name}.png"), full_page=True)
