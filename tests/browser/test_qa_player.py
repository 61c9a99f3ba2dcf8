"""QA in real Chromium: find a recorded call, play it, seek in it, score it."""

from __future__ import annotations

import math
import sqlite3
import struct
import wave
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from playwright.sync_api import Page, Request, expect

from ivr.admin import users
from tests.browser.conftest import BASE, PASSWORD, Windows, screenshot
from tests.integration.conftest import Service

SECONDS = 12
SEOUL = ZoneInfo("Asia/Seoul")


def _conversation(path: Path) -> None:
    """Twelve seconds of two voices taking turns (tones), as a recorded call looks."""
    path.parent.mkdir(parents=True, exist_ok=True)
    frames = bytearray()
    for n in range(8000 * SECONDS):
        second = n // 8000
        level = 0.0 if second % 3 == 2 else (0.6 if second % 2 else 0.3)
        frames += struct.pack("<h", int(level * 32767 * math.sin(2 * math.pi * 440 * n / 8000)))
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(8000)
        w.writeframes(bytes(frames))


def _seed(hotline: Service) -> str:
    """A call c1 answered today, its recording copied into storage.recordings, as the service leaves it."""
    started = datetime.now(SEOUL).replace(microsecond=0) - timedelta(minutes=30)
    connected = started + timedelta(seconds=25)

    def at(offset: float) -> str:
        return (connected + timedelta(seconds=offset)).isoformat(timespec="milliseconds")

    relative = f"{started:%Y/%m/%d}/qa-call-1.wav"
    _conversation(hotline.config_path.parent / "recordings" / relative)
    con = sqlite3.connect(hotline.database, timeout=10)
    with con:
        con.execute(
            "INSERT INTO calls (id, caller, dialed, started_at, connected_at, ended_at, counselor_id, "
            "talk_seconds, ivr_path, disposition, open) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0)",
            [
                "qa-call-1",
                "01012345678",
                "2221000",
                at(-25),
                at(0),
                at(SECONDS),
                "c1",
                SECONDS,
                "greeting > menu > counselor",
                "answered",
            ],
        )
        con.execute(
            "INSERT INTO recordings (call_id, kind, name, path, format, seconds, status, recorded_at) "
            "VALUES ('qa-call-1', 'conversation', 'call-qa-call-1', ?, 'wav', ?, 'stored', ?)",
            [relative, SECONDS, at(0)],
        )
        for offset, kind in [
            (-25, "call_started"),
            (-20, "queue_entered"),
            (0, "connected"),
            (0, "recording_started"),
            (6, "abuse_warning"),
            (SECONDS, "call_ended"),
        ]:
            con.execute(
                "INSERT INTO call_events (call_id, at, kind, detail) VALUES ('qa-call-1', ?, ?, ?)",
                [at(offset), kind, '{"counselor": "c1"}' if kind == "connected" else "{}"],
            )
    con.close()
    return started.strftime("%Y-%m-%d")


def _log_in(page: Page, username: str, path: str) -> None:
    page.goto(path)
    page.fill('input[name="username"]', username)
    page.fill('input[name="password"]', PASSWORD)
    page.click('button[type="submit"]')


_PLAYED_BETWEEN = """(a, [low, high, ms]) => new Promise((ok, fail) => {
  const end = Date.now() + ms;
  const check = () => {
    if (a.currentTime >= low && a.currentTime <= high) { ok(a.currentTime); }
    else if (Date.now() > end) { fail(new Error("the player stayed at " + a.currentTime + " s")); }
    else { setTimeout(check, 50); }
  };
  check();
})"""


def _played_to(page: Page, low: float, high: float, timeout_ms: int = 10000) -> float:
    """Wait (in the page, on its own clock) until the player's position is within [low, high]."""
    return float(page.locator("#audio").evaluate(_PLAYED_BETWEEN, [low, high, timeout_ms]))


def test_qa_finds_a_call_plays_it_seeks_within_it_and_scores_it(windows: Windows, hotline: Service) -> None:
    users.add_user(hotline.database, "qa1", "최평가", "qa", PASSWORD, actor="pytest")
    day = _seed(hotline)
    page = windows.new()
    _log_in(page, "qa1", f"/qa?from={day}&to={day}")
    expect(page).to_have_url(f"{BASE}/qa?from={day}&to={day}")
    row = page.locator('#recordings tr[data-call="qa-call-1"]')
    expect(row.locator("td.caller")).to_have_text("010-****-5678")  # QA needs no phone numbers
    ranges: list[str] = []

    def asked(request: Request) -> None:
        if "/audio" in request.url:
            ranges.append(request.headers.get("range", ""))

    page.on("request", asked)
    row.locator("a").click()

    expect(page.locator("h1")).to_contain_text("통화 평가")
    expect(page.locator("#caller")).to_have_text("010-****-5678")
    expect(page.locator("#length")).to_have_text("0:12")
    page.locator("#audio").evaluate("a => a.play()")
    _played_to(page, 0.3, SECONDS)

    # A click at three quarters of the waveform jumps to 0:09.
    box = page.locator("#waveform").bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + box["width"] * 0.75, box["y"] + box["height"] / 2)
    _played_to(page, 8.5, 10)
    # The abuse warning in the timeline takes the player to it (6 s into the recording).
    page.locator("#timeline li.seekable", has_text="언어폭력 경고").click()
    _played_to(page, 5.5, 7)
    # The timeline reads in words, with the counselor by name.
    expect(page.locator("#timeline")).to_contain_text("상담사 김민지 연결")
    # ← and → skip 5 s (a key press, not a mouse at the right pixel).
    page.keyboard.press("ArrowLeft")
    _played_to(page, 0.5, 3)
    page.keyboard.press("ArrowRight")
    _played_to(page, 5.5, 8)
    # The browser streams the file by byte ranges from the start.
    assert ranges and ranges[0] == "bytes=0-", ranges

    # The criteria start empty: a score with one left empty is refused, naming it, and not saved.
    criteria = page.locator("#score-form fieldset:not([hidden]) select[data-criterion]")
    names = [criteria.nth(i).get_attribute("data-name") for i in range(criteria.count())]
    for i in range(criteria.count()):
        expect(criteria.nth(i)).to_have_value("")
        if criteria.nth(i).get_attribute("data-criterion") != "accuracy":
            maximum = criteria.nth(i).get_attribute("data-max") or ""
            criteria.nth(i).select_option(maximum)
    expect(page.locator("#running-total")).to_contain_text("70.0점")  # every mark full but accuracy (30)
    page.click('#score-form button[type="submit"]')
    accuracy = page.locator('select[data-criterion="accuracy"]')
    expect(page.locator("#score-message")).to_contain_text(accuracy.get_attribute("data-name") or "?")
    expect(accuracy).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#no-scores")).to_be_visible()
    assert len(names) > 1

    accuracy.select_option("4")
    expect(page.locator("#running-total")).to_have_text("94.0점")
    page.fill("#feedback", "경고 안내가 정확했습니다. 끝인사를 조금 더 분명하게 해 주십시오.")
    page.click('#score-form button[type="submit"]')
    expect(page.locator("#scores .total")).to_have_text("94.0점")  # accuracy 4/5 of 30 = 24; the rest full
    expect(page.locator("#scores .feedback")).to_contain_text("경고 안내가 정확했습니다")
    page.locator("#audio").evaluate("a => { a.pause(); a.currentTime = 6; }")
    screenshot(page, "qa-player")

    con = sqlite3.connect(f"file:{hotline.database}?mode=ro", uri=True)
    played = con.execute("SELECT actor FROM audit WHERE action = 'recording_played'").fetchall()
    scored = con.execute("SELECT total, scored_by FROM qa_scores WHERE call_id = 'qa-call-1'").fetchall()
    con.close()
    assert played and {p[0] for p in played} == {"qa1"}
    assert scored == [(94.0, "qa1")]
