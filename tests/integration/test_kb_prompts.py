"""One truth for the IVR: an editor's publish changes what the next caller hears, not a call in progress.

The flow's office-hours prompt reads a knowledge-base article (`kb:`). An
editor publishes a longer version on /kb while a caller is already in the
menu. That caller still hears the old prompt; the next caller hears the new
one. Checked on the audio: the time from the key press to the hotline's
goodbye grows by exactly the difference of the two rendered prompts' lengths.
"""

from __future__ import annotations

import http.cookiejar
import re
import urllib.parse
import urllib.request
import wave
from datetime import datetime
from pathlib import Path

from ivr.admin import users
from ivr.kb.speech import plain
from ivr.pbx import tts
from tests.integration.conftest import WEB_PORT, Service
from tests.integration.sipp import SippLab

PASSWORD = "jeonju-2221000!"
OLD = "업무시간은 평일 아홉 시부터 여섯 시까지입니다."
NEW = (
    OLD + " 점심시간에도 상담합니다. 토요일과 일요일, 공휴일에는 쉽니다. 급한 일은 당직실로 연락해 주십시오."
)
ARTICLE = """---
id: office-hours
title: 콜센터 업무시간
status: published
topics: [office_hours]
department: civil-affairs
---

{body}
"""
_CSRF = re.compile(r'<meta name="csrf-token" content="([^"]*)">')


class Browser:
    """A person at the desk over plain HTTP: their own cookies, the page's CSRF token."""

    def __init__(self) -> None:
        self.base = f"http://127.0.0.1:{WEB_PORT}"
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def get(self, path: str) -> str:
        with self.opener.open(self.base + path, timeout=30) as response:
            return str(response.read().decode())

    def post(self, path: str, form: dict[str, str], token_from: str) -> str:
        """Submit a form as the page at `token_from` would; the URL the browser ends on."""
        found = _CSRF.search(self.get(token_from))
        assert found
        data = urllib.parse.urlencode({"csrf_token": found.group(1), **form}).encode()
        with self.opener.open(self.base + path, data=data, timeout=60) as response:
            return str(response.url)


def _seconds(text: str) -> float:
    with wave.open(str(tts.render(text, "ko"))) as w:
        return w.getnframes() / w.getframerate()


def _after_key(hotline: Service, caller: str) -> float:
    """Seconds from the caller's menu key to the end of the call: the office-hours prompt, then the rest."""
    [call] = hotline.query("SELECT id, ended_at FROM calls WHERE caller = ?", (caller,))
    [key] = hotline.query(
        "SELECT at FROM call_events WHERE call_id = ? AND kind = 'menu_choice' ORDER BY id LIMIT 1",
        (call["id"],),
    )
    return (datetime.fromisoformat(call["ended_at"]) - datetime.fromisoformat(key["at"])).total_seconds()


def test_an_editors_publish_changes_the_next_call_and_a_call_in_the_menu_keeps_the_old_prompt(
    hotline: Service, lab: SippLab, tmp_path: Path
) -> None:
    folder = tmp_path / "knowledge"
    folder.mkdir()
    (folder / "office-hours.md").write_text(ARTICLE.format(body=OLD), encoding="utf-8")
    assert hotline.ivr("kb", "import", str(folder)).returncode == 0
    flow = hotline.flows_dir / "itest.yaml"
    flow.write_text(flow.read_text().replace(f"info: {{ko: {OLD}}}", "info: {kb: office-hours}"))
    published = hotline.ivr("flows", "publish", "--by", "test")
    assert published.returncode == 0, published.stdout + published.stderr
    hotline.wait_log("flows reloaded")
    users.add_user(
        hotline.database,
        "civil1",
        "민원 편집",
        "editor",
        PASSWORD,
        department="civil-affairs",
        actor="pytest",
    )
    editor = Browser()
    editor.post("/login", {"username": "civil1", "password": PASSWORD}, token_from="/login")

    # A caller already in the menu when the editor publishes; they press 1 afterwards.
    before = lab.citizen(digits=[(6000, "1")], caller="01011110000", expect_bye_within_ms=60000)
    hotline.wait_for_event("answered")
    form = {"slug": "office-hours", "title": "콜센터 업무시간", "body": NEW, "topics": "office_hours"}
    landed = editor.post(
        "/kb/save", {**form, "action": "publish", "note": "주말 안내 추가"}, "/kb/a/office-hours"
    )
    assert landed.endswith("/kb/a/office-hours?done=published-prompts"), landed
    after = lab.citizen(digits=[(1000, "1")], caller="01022220000", expect_bye_within_ms=60000)

    assert before.wait(90) == 0, before.errors()
    assert after.wait(90) == 0, after.errors()
    hotline.closed_calls(2)
    [published_at] = hotline.query(
        "SELECT at FROM kb_article_versions WHERE slug = 'office-hours' AND version = 2"
    )
    [pressed] = hotline.query(
        "SELECT e.at FROM call_events e JOIN calls c ON c.id = e.call_id "
        "WHERE c.caller = '01011110000' AND e.kind = 'menu_choice'"
    )
    # The first caller chose after the publish, and still heard the version their call started with.
    assert datetime.fromisoformat(pressed["at"]) > datetime.fromisoformat(published_at["at"])
    longer = _seconds(plain(NEW)) - _seconds(plain(OLD))
    heard = _after_key(hotline, "01022220000") - _after_key(hotline, "01011110000")
    print(f"\nprompt grew by {longer:.2f} s of audio; the next call's tail grew by {heard:.2f} s")
    assert longer > 3
    assert abs(heard - longer) < 0.75
    assert [a["action"] for a in hotline.query("SELECT action FROM audit WHERE target = 'office-hours'")] == [
        "kb.publish",
        "kb.edit",
    ]
