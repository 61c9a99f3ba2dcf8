"""axe-core on every page of the desk, as each role sees it: no critical and no serious finding.

One service, one browser, no calls: each role logs in and walks the pages its
role reaches (and the 404 page); axe-core (tests/browser/axe, from npm) runs on
each with the WCAG 2.1 A and AA rules. A 민원, a knowledge-base article and a
counselor with a browser phone (c11: the softphone panel) are there, so their
pages are walked too.
"""

from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from playwright.sync_api import Page, expect

from ivr.admin import users
from ivr.cases.case import NewCase
from ivr.config import CaseSettings, case_rules
from ivr.store import case_rows
from ivr.store.desk_schema import transaction
from tests.browser.accessibility import axe_issues_sync
from tests.browser.conftest import BASE, PASSWORD, Windows
from tests.browser.test_qa_player import _seed
from tests.integration.conftest import Service

CALL = "/qa/calls/qa-call-1"
CASE = "/cases/NUMBER"  # the 민원 the test registers
ARTICLE = "/kb/a/property-tax"
KNOWLEDGE = Path(__file__).resolve().parents[2] / "knowledge"
SUPERVISION = [
    "/reports",
    "/reports/pilot",
    "/protection",
    "/protection/report",
    "/bookings",
    "/case-followups",
    "/cases",
    CASE,
    "/reports/cases",
]
# Each role's pages (beyond "/" and a missing page, which every role gets).
PAGES: dict[str, list[str]] = {
    "admin": [
        "/admin/users",
        "/admin/phones",
        "/flows",
        "/flows/itest",
        "/flows/itest/diff",  # without versions to compare: the error page, 400
        "/kb",
        "/kb/new",
        ARTICLE,
        f"{ARTICLE}/history",
        "/admin/phones/itest-c1/rotate",  # a phone on a fixed address: the refusal page, 409
        "/prompts",
        "/qa",
        CALL,
        "/counselor",
        *SUPERVISION,
    ],
    "supervisor": [
        "/wallboard",
        "/wallboard/kiosk",
        "/counselor",
        "/counselor/c1",
        "/qa",
        CALL,
        *SUPERVISION,
    ],
    "qa": ["/qa", CALL],
    "counselor": ["/counselor/c1", "/qa", CALL, "/bookings", "/cases", CASE],
    # 한지우 (c11): a desk phone and a browser phone, so the desk shows the softphone.
    "softphone": ["/counselor/c11"],
    "voice": ["/prompts"],
    "editor": ["/kb", "/kb/new", ARTICLE, f"{ARTICLE}/history"],
    "department": ["/cases", CASE],
}
USERS = {
    "admin": ("admin1", "관리자", None, None),
    "supervisor": ("super1", "박감독", None, None),
    "qa": ("qa1", "최평가", None, None),
    "counselor": ("minji", "김민지", "c1", None),
    "softphone": ("juwon", "한지우", "c11", None),
    "voice": ("voice1", "안내음", None, None),
    "editor": ("editor1", "편집자", None, "tax"),
    "department": ("dept1", "세무과 담당", None, "tax"),
}


def _window(windows: Windows) -> Page:
    """A window that lets axe-core's script in: the desk's CSP allows no injected script."""
    context = windows.browser.new_context(
        base_url=BASE, viewport={"width": 1400, "height": 1000}, bypass_csp=True
    )
    windows.contexts.append(context)
    return context.new_page()


def _log_in(page: Page, username: str) -> None:
    page.goto("/login")
    page.fill('input[name="username"]', username)
    page.fill('input[name="password"]', PASSWORD)
    page.click('button[type="submit"]')
    expect(page.locator("header .who")).to_contain_text(username)


def _seed_case_and_article(hotline: Service) -> str:
    """A 민원 for 세무과 and the knowledge base's 재산세 article; the case's number."""
    new = NewCase("01055556666", "재산세 고지서를 받지 못했습니다.", "query", "tax", "minji")
    seoul = ZoneInfo("Asia/Seoul")
    with transaction(hotline.database) as db:
        number = case_rows.register(db, new, case_rules(CaseSettings()), datetime.now(seoul), seoul).number
    folder = hotline.config_path.parent / "knowledge"
    folder.mkdir()
    shutil.copy(KNOWLEDGE / "property-tax.md", folder)
    imported = hotline.ivr("kb", "import", str(folder))
    assert imported.returncode == 0, imported.stdout + imported.stderr
    return str(number)


def test_every_page_for_every_role_has_no_critical_or_serious_axe_finding(
    windows: Windows, hotline: Service
) -> None:
    for key, (username, name, counselor, department) in USERS.items():
        if username not in ("super1", "minji"):  # the windows fixture made those two
            users.add_user(
                hotline.database,
                username,
                name,
                "counselor" if key == "softphone" else key,
                PASSWORD,
                counselor_id=counselor,
                department=department,
                actor="pytest",
            )
    _seed(hotline)
    number = _seed_case_and_article(hotline)
    failures: list[str] = []

    def check(page: Page, who: str, path: str) -> None:
        for v in axe_issues_sync(page):  # critical and serious only
            failures.append(f"{who} {path}: {v['impact']} {v['id']} ({v['help']}) {v['nodes']}")

    anonymous = _window(windows)
    anonymous.goto("/login")
    check(anonymous, "anonymous", "/login")
    walked = 1
    for key, (username, *_) in USERS.items():
        page = _window(windows)
        _log_in(page, username)
        for path in ["/", *PAGES[key], "/no/such/page"]:
            path = path.replace("NUMBER", number)
            response = page.goto(path)
            assert response is not None and response.status in (200, 400, 404, 409), (key, path)
            assert response.status != 404 or path == "/no/such/page", (key, path)
            page.wait_for_load_state("networkidle")
            if page.locator("#live-status").count():  # live pages: judge them with their data drawn
                expect(page.locator("#live-status")).to_have_attribute("data-state", "live")
                page.wait_for_timeout(300)
            check(page, key, path)
            walked += 1
    print(f"\naxe-core: {walked} pages walked, {len(USERS)} users and an anonymous visitor")
    assert failures == [], "\n".join(failures)
