"""The wallboard and the counselor desk in real Chromium, on the real service and Asterisk."""

from __future__ import annotations

import time

from playwright.sync_api import Page, expect

from tests.browser.conftest import BASE, Windows, screenshot
from tests.integration.conftest import COUNSELOR_PORTS, Service
from tests.integration.sipp import SippLab

WITHIN_A_SECOND = 1000  # ms: how soon a change must show on the wallboard


def test_supervisor_logs_in_and_lands_on_the_live_wallboard(windows: Windows, hotline: Service) -> None:
    page = windows.new()
    page.goto("/wallboard")
    expect(page).to_have_url(f"{BASE}/login?next=%2Fwallboard")
    page.fill('input[name="username"]', "super1")
    page.fill('input[name="password"]', "not the password")
    page.click('button[type="submit"]')
    expect(page.locator(".alert")).to_contain_text("아이디 또는 비밀번호가 맞지 않습니다")

    page = windows.log_in("super1", "/wallboard")
    expect(page).to_have_url(f"{BASE}/wallboard")
    # Eleven counselors, logged in when the service started, all free.
    expect(page.locator("#counselors tbody tr")).to_have_count(11)
    expect(page.locator('#state-counts li[data-state="available"] strong')).to_have_text("11")
    expect(page.locator('#counselors tr[data-counselor="c1"] td.state')).to_have_text("대기")
    expect(page.locator("#waiting-total")).to_have_text("0")


def test_counselor_pauses_and_unpauses_and_the_wallboard_shows_it_within_a_second(
    windows: Windows, hotline: Service
) -> None:
    board = windows.log_in("super1", "/wallboard")
    c1 = board.locator('#counselors tr[data-counselor="c1"] td.state')
    expect(c1).to_have_text("대기")
    desk = windows.log_in("minji", "/counselor")
    expect(desk).to_have_url(f"{BASE}/counselor/c1")
    expect(desk.locator("#state")).to_have_text("대기")  # Korean only, unless the user chose English
    # Only what the state allows: a free counselor may pause or end work, not unpause or log in.
    expect(desk.locator('button[data-action="unpause"]')).to_be_disabled()
    expect(desk.locator('button[data-action="login"]')).to_be_disabled()

    desk.select_option("#pause-reason", "meal")
    started = time.monotonic()
    desk.click('button[data-action="pause"]')
    expect(c1).to_have_text("휴식 · 식사", timeout=WITHIN_A_SECOND)
    paused_shown = time.monotonic() - started
    expect(desk.locator("#state")).to_have_text("휴식 · 식사")
    expect(desk.locator("#message")).to_have_text("휴식 상태입니다.")
    expect(board.locator('#state-counts li[data-state="paused"] strong')).to_have_text("1")

    started = time.monotonic()
    desk.click('button[data-action="unpause"]')
    expect(c1).to_have_text("대기", timeout=WITHIN_A_SECOND)
    unpaused_shown = time.monotonic() - started
    # Asking again is not offered: the button is off until a pause.
    expect(desk.locator('button[data-action="unpause"]')).to_be_disabled()
    expect(desk.locator('button[data-action="pause"]')).to_be_enabled()

    actions = hotline.query(
        "SELECT actor, target, detail FROM audit WHERE action = 'counselor_action' ORDER BY id"
    )
    assert [a["detail"] for a in actions] == [
        "pause(meal) ok",
        "unpause ok",
    ]
    assert {(a["actor"], a["target"]) for a in actions} == {("minji", "c1")}
    print(f"\nclick to wallboard: pause {paused_shown * 1000:.0f} ms, unpause {unpaused_shown * 1000:.0f} ms")


def test_a_sipp_call_shows_on_the_wallboard_and_on_the_counselors_desk(
    windows: Windows, hotline: Service, lab: SippLab
) -> None:
    board = windows.log_in("super1", "/wallboard")
    desk = windows.log_in("minji", "/counselor/c1")
    expect(desk.locator("#no-call")).to_be_visible()
    number = "01098765432"
    # An earlier call of the same citizen, who hung up during the greeting.
    earlier = lab.citizen(hangup_after_ms=600, caller=number)
    assert earlier.wait(30) == 0, earlier.errors()
    hotline.closed_calls(1)

    lab.counselor(COUNSELOR_PORTS[0], "answer")
    citizen = lab.citizen(digits=[(1500, "0")], hangup_after_ms=15000, caller=number)
    hotline.wait_for_event("connected")
    c1 = board.locator('#counselors tr[data-counselor="c1"] td.state')
    expect(c1).to_have_text("통화 중", timeout=WITHIN_A_SECOND)
    expect(board.locator("#today-offered")).to_have_text("1")

    expect(desk.locator("#caller")).to_have_text("010-9876-5432")
    expect(desk.locator("#call-title")).to_contain_text("현재 통화")
    # In the menu's own words ("상담사 연결은 0번"), not its node ids.
    expect(desk.locator("#ivr-path")).to_have_text("상담사 연결")
    # The abuse endings are there during the call (and only then).
    expect(desk.locator("#call-tools")).to_be_visible()
    expect(desk.locator("#previous tbody tr")).to_have_count(1)
    expect(desk.locator("#previous tbody tr td").nth(1)).to_have_text("ARS 중 종료")

    desk.select_option("#note-topic", "documents")
    desk.fill("#note-text", "여권 재발급 서류 안내, 주민센터 방문 예정")
    desk.click('#note-form button[type="submit"]')
    expect(desk.locator("#notes li")).to_have_count(1)
    expect(desk.locator("#notes li")).to_contain_text("민원 서류")
    [note] = hotline.query("SELECT call_id, counselor_id, author, topic FROM call_notes")
    assert (note["counselor_id"], note["author"], note["topic"]) == ("c1", "minji", "documents")
    screenshot(board, "wallboard")
    screenshot(desk, "counselor-desk")

    assert citizen.wait(60) == 0, citizen.errors()
    [_, call] = hotline.closed_calls(2)
    assert call["id"] == note["call_id"] and call["disposition"] == "answered"
    # After the call and its wrap-up: free again, and the figures count the answered call.
    expect(c1).to_have_text("대기", timeout=5000)
    expect(board.locator("#today-answered")).to_have_text("1", timeout=5000)
    expect(board.locator("#service-level")).to_have_text("100%")
    expect(desk.locator("#call-title")).to_contain_text("최근 통화")
    expect(desk.locator("#call-tools")).to_be_hidden()


def test_after_a_restart_of_the_service_the_wallboard_shows_the_same_counts(
    windows: Windows, hotline: Service, lab: SippLab
) -> None:
    """Each counselor's state, calls today and time in state come back from the records."""
    phone = lab.counselor(COUNSELOR_PORTS[0], "answer", calls=2, hangup_after_ms=1000)
    for _ in range(2):  # two calls of 세무 상담, whose one counselor is 김민지 (c1)
        citizen = lab.citizen(digits=[(800, "2")], expect_bye_within_ms=30000)
        assert citizen.wait(40) == 0, citizen.errors()
    assert phone.wait(30) == 0, phone.errors()
    board = windows.log_in("super1", "/wallboard")
    desk = windows.log_in("minji", "/counselor/c1")
    c1 = board.locator('#counselors tr[data-counselor="c1"]')
    expect(c1.locator("td.calls")).to_have_text("2")
    expect(c1.locator("td.state")).to_have_text("대기", timeout=5000)  # after the wrap-up
    desk.select_option("#pause-reason", "meal")
    desk.click('button[data-action="pause"]')
    expect(c1.locator("td.state")).to_have_text("휴식 · 식사")
    before = _rows(board)

    hotline.kill()  # as a crash would: nothing is saved on the way out
    hotline.start()
    board.reload()
    expect(board.locator("#live-status")).to_have_attribute("data-state", "live")
    expect(board.locator("#counselors tbody tr")).to_have_count(11)
    after = _rows(board)
    assert {c: (s, n) for c, (s, n, _) in after.items()} == {c: (s, n) for c, (s, n, _) in before.items()}
    assert after["c1"][:2] == ("휴식 · 식사", "2")
    # Time in state goes on from where it was, not from zero.
    assert all(_seconds(after[c][2]) >= _seconds(before[c][2]) for c in before), (before, after)


def _rows(board: Page) -> dict[str, tuple[str, str, str]]:
    """Each counselor's row on the board: state, calls today, time in state."""
    found: dict[str, tuple[str, str, str]] = {}
    for row in board.locator("#counselors tbody tr").all():
        cells = [row.locator(f"td.{name}").inner_text().strip() for name in ("state", "calls", "in-state")]
        found[row.get_attribute("data-counselor") or ""] = (cells[0], cells[1], cells[2])
    return found


def _seconds(shown: str) -> int:
    """'1:05' or '1:02:03' as seconds."""
    total = 0
    for part in shown.split(":"):
        total = total * 60 + int(part)
    return total
