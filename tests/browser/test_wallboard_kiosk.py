"""The wallboard on the room's TV and on a supervisor's desk, in real Chromium: eleven
counselors and twelve alerts fit one 1920x1080 screen, labels are readable across the
room, a dropped socket greys the figures and stops the clocks, and axe-core finds no
critical or serious issue. The desk is the real one on a real SQLite file; the queue is
a dispatcher the test drives (what the PBX would do is not what is tested here)."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestServer
from playwright.async_api import Page, WebSocketRoute, async_playwright, expect

from ivr.acd.counselor_model import Counselor, CounselorRules, Event, PauseReason
from ivr.acd.dispatcher import Dispatcher
from ivr.acd.routing import QueueConfig
from ivr.admin import users
from ivr.store.db import Database
from ivr.store.desk_schema import create_schema
from ivr.web.context import DeskDeps
from ivr.web.desk import build_desk
from tests.browser.accessibility import axe_issues
from tests.browser.conftest import CHROMIUM, PASSWORD, SCREENSHOTS
from tests.web.conftest import Monotonic

NAMES = "김민지 이서준 박지현 최도윤 정하은 강시우 조수아 윤예준 장서연 임주원 한지우".split()
COUNSELORS = {f"c{i + 1}": name for i, name in enumerate(NAMES)}
QUEUES = {"general": "일반 상담", "tax": "세무 상담", "welfare": "복지 상담"}
TV = {"width": 1920, "height": 1080}


class Board:
    """The desk's server, its queue, and Chromium windows on it."""

    def __init__(self, server: TestServer, acd: Dispatcher, browser: Any) -> None:
        self.server, self.acd, self.browser = server, acd, browser

    async def open(self, path: str, viewport: dict[str, int], socket: Any = None) -> Page:
        context = await self.browser.new_context(
            base_url=str(self.server.make_url("")),
            viewport=viewport,
            bypass_csp=True,  # axe-core is injected
        )
        page = await context.new_page()
        if socket is not None:
            await page.route_web_socket("**/api/wallboard/live", socket)
        await page.goto(path)
        await page.fill('input[name="username"]', "super1")
        await page.fill('input[name="password"]', PASSWORD)
        await page.click('button[type="submit"]')
        await expect(page.locator("#live-status")).to_have_attribute("data-state", "live")
        return page


@pytest.fixture
async def board(tmp_path: Path) -> AsyncIterator[Board]:
    path = tmp_path / "hotline.sqlite3"
    users.add_user(path, "super1", "박감독", "supervisor", PASSWORD, actor="pytest")
    db = Database(path, create_schema)
    db.start()
    acd = Dispatcher(
        [Counselor(cid, skills=dict.fromkeys(QUEUES, 1)) for cid in COUNSELORS],
        [QueueConfig(q) for q in QUEUES],
        CounselorRules(wrap_up_seconds=30, ring_timeout_seconds=60),
        Monotonic(),
    )
    app = build_desk(DeskDeps(db, counselors=COUNSELORS, acd=acd, queues=QUEUES))
    server = TestServer(app)
    await server.start_server()
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            yield Board(server, acd, browser)
        finally:
            await browser.close()
            await server.close()
            db.close()


def a_hard_morning(acd: Dispatcher) -> None:
    """Eleven counselors logged in, twelve alerts: ten phones unreachable (one of them in a
    long wrap-up as well, one on a call), one paused after missed calls; callers waiting."""
    for cid in COUNSELORS:
        acd.apply(cid, Event.login())
    acd.apply("c1", Event.offer("call-1"))
    acd.apply("c1", Event.answer("call-1"))
    acd.call_ended("c1")
    acd.apply("c1", Event.extend_wrap_up())
    acd.apply("c11", Event.offer("call-2"))
    acd.apply("c11", Event.answer("call-2"))
    acd.apply("c2", Event.pause(PauseReason.MEAL))
    acd.apply("c3", Event.pause(PauseReason.MISSED_CALLS))
    for cid in ("c1", "c2", "c4", "c5", "c6", "c7", "c8", "c9", "c10", "c11"):
        acd.set_reachable(cid, False)
    for n, queue in enumerate(("general", "general", "tax")):
        acd.enter(f"waiting-{n}", queue)
    acd.now.t += 120  # type: ignore[attr-defined]


async def test_kiosk_fits_a_tv_with_eleven_counselors_and_twelve_alerts_and_greys_out_when_the_socket_drops(
    board: Board,
) -> None:
    a_hard_morning(board.acd)
    sockets: list[WebSocketRoute] = []

    async def socket(ws: WebSocketRoute) -> None:
        if sockets:  # after the drop: every new attempt is refused, the page keeps trying
            await ws.close()
            return
        ws.connect_to_server()
        sockets.append(ws)

    page = await board.open("/wallboard/kiosk", TV, socket)
    alerts = page.locator("#alerts li")
    await expect(alerts.first).to_contain_text("전화 끊김 10명")
    assert [await li.get_attribute("data-kind") for li in await alerts.all()] == [
        "unreachable",
        "long_wrap_up",
        "missed_calls",
    ]
    await expect(page.locator("#counselors tbody tr")).to_have_count(11)
    counts = page.locator("#state-counts")
    await expect(counts.locator('[data-state="unreachable"] strong')).to_have_text("10")
    await expect(counts.locator('[data-state="available"] strong')).to_have_text("0")
    await expect(page.locator("#queues tbody td.name")).to_have_text(list(QUEUES.values()))

    # One screen: no scrolling, and no text smaller than 24 px.
    size = await page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.scrollHeight]"
    )
    assert size[0] <= TV["width"] and size[1] <= TV["height"], f"the kiosk needs {size} on a 1920x1080 TV"
    smallest = await page.evaluate(
        """() => Math.min(...[...document.querySelectorAll("main *")]
            .filter(el => el.offsetParent !== null && [...el.childNodes].some(n => n.nodeType === 3
                && n.textContent.trim()))
            .map(el => parseFloat(getComputedStyle(el).fontSize)))"""
    )
    assert smallest >= 24, f"text of {smallest} px on the kiosk"
    assert await axe_issues(page) == []
    if SCREENSHOTS:
        await page.screenshot(path=os.path.join(SCREENSHOTS, "wallboard-kiosk.png"))

    # The socket drops: a note, greyed figures, and the clocks stop.
    in_state = page.locator('#counselors tr[data-counselor="c2"] td.in-state')
    await sockets[0].close()
    await expect(page.locator("#stale-note")).to_be_visible()
    await expect(page.locator("body")).to_have_class("wallboard kiosk stale")
    frozen = await in_state.text_content()
    await page.wait_for_timeout(2200)
    assert await in_state.text_content() == frozen
    grey = await page.locator("#waiting-total").evaluate("el => getComputedStyle(el).color")
    assert grey == "rgb(107, 107, 107)"
    assert await axe_issues(page) == []


async def test_supervisors_board_has_no_serious_accessibility_issue_and_rows_open_the_desk(
    board: Board,
) -> None:
    a_hard_morning(board.acd)
    page = await board.open("/wallboard", {"width": 1400, "height": 1000})
    await expect(page.locator("#counselors tbody tr")).to_have_count(11)
    assert await axe_issues(page) == []
    row = page.locator('#counselors tr[data-counselor="c11"]')
    await expect(row.locator('button[data-act="listen"]')).to_be_disabled()  # no supervisor phone here
    await expect(row.locator('button[data-act="logout"]')).to_be_enabled()
    await row.locator("td.in-state").click()
    await expect(page).to_have_url(str(board.server.make_url("/counselor/c11")))
    assert await axe_issues(page) == []


SUPERVISOR_PAGES = (
    "/",
    "/wallboard",
    "/wallboard/kiosk",
    "/counselor",
    "/counselor/c1",
    "/qa",
    "/reports",
    "/reports/pilot",
    "/protection",
    "/bookings",
)


async def test_every_supervisor_page_has_no_critical_or_serious_accessibility_issue(board: Board) -> None:
    a_hard_morning(board.acd)
    page = await board.open("/wallboard", {"width": 1400, "height": 1000})
    found = {}
    for path in SUPERVISOR_PAGES:
        response = await page.goto(path)
        assert response is not None and response.status == 200, path
        issues = await axe_issues(page)
        if issues:
            found[path] = issues
    assert found == {}
