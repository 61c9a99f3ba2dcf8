"""A department user answers a 민원 in real Chromium, and a colleague who opened the same
case meanwhile is told in Korean that it was answered first (the service on the real PBX)."""

from __future__ import annotations

import time
from datetime import datetime
from zoneinfo import ZoneInfo

from playwright.sync_api import Page, expect

from ivr.admin import users
from ivr.cases.case import NewCase
from ivr.config import CaseSettings, case_rules
from ivr.store import case_rows
from ivr.store.desk_schema import transaction
from tests.browser.conftest import PASSWORD, Windows, screenshot
from tests.integration.conftest import Service

SEOUL = ZoneInfo("Asia/Seoul")


def log_in(windows: Windows, username: str, path: str) -> Page:
    page = windows.new()
    page.goto(path)
    page.fill('input[name="username"]', username)
    page.fill('input[name="password"]', PASSWORD)
    page.click('button[type="submit"]')
    return page


def test_a_department_user_answers_a_case_and_the_second_answer_is_refused(
    windows: Windows, hotline: Service
) -> None:
    started = time.monotonic()
    for name in ("road1", "road2"):
        users.add_user(
            hotline.database, name, "도로과 담당", "department", PASSWORD, department="road", actor="t"
        )
    new = NewCase("01055556666", "덕진공원 앞 가로등이 꺼져 있습니다.", "inconvenience", "road", "minji")
    with transaction(hotline.database) as db:
        number = case_rows.register(db, new, case_rules(CaseSettings()), datetime.now(SEOUL), SEOUL).number

    first = log_in(windows, "road1", "/cases")
    row = first.locator(f'#cases tr[data-number="{number}"]')
    expect(row).to_contain_text("이관")
    second = log_in(windows, "road2", f"/cases/{number}")  # opened before road1 answers
    expect(second.locator("#description")).to_contain_text("가로등")
    expect(second.locator("#facts")).to_contain_text("010-****-6666")  # the department sees it masked

    row.locator("a").click()
    form = first.locator('form[data-event="answer"]')
    form.locator("textarea").fill("12월 8일 교체를 마쳤습니다.")
    form.locator("button").click()
    expect(first.locator("#status")).to_have_text("답변 완료")
    expect(first.locator("#answer")).to_contain_text("12월 8일 교체를 마쳤습니다.")
    expect(first.locator("#history")).to_contain_text("답변")
    screenshot(first, "case-answered")

    late = second.locator('form[data-event="answer"]')
    late.locator("textarea").fill("이번 주에 교체하겠습니다.")
    late.locator("button").click()
    expect(second.locator("#problem")).to_contain_text("road1 님이 먼저")
    expect(second.locator("#answer")).to_contain_text("12월 8일 교체를 마쳤습니다.")
    [stored] = hotline.query("SELECT status, answer, answered_by FROM cases WHERE number = ?", (number,))
    assert stored == {"status": "answered", "answer": "12월 8일 교체를 마쳤습니다.", "answered_by": "road1"}
    print(f"\ntest_case_desk: {time.monotonic() - started:.1f} s")
