"""Back to the citizen on the real Asterisk: the automated answer call rings a SIPp phone
through the trunk and reads the answer after the 1; a 해피콜 (the case closed three days
ago: its closing time moved back, nothing slept) stores the citizen's answers; a call
the phone declines and one it does not answer are retried, then left for a person."""

from __future__ import annotations

import shutil
import time
import wave
from array import array
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import pytest
import sqlite_utils

from ivr import config as config_mod
from ivr.admin.flows import sounds_dir
from ivr.cases.case import NewCase
from ivr.cases.states import CaseEvent
from ivr.config import CaseSettings, case_rules
from ivr.store import case_rows
from ivr.store.case_changes import CaseChange, change
from ivr.store.desk_schema import open_file
from tests.integration.conftest import CALLBACK_PORT, CONFIG, FLOWS, Service
from tests.integration.sipp import SippLab

KST = ZoneInfo("Asia/Seoul")
T = TypeVar("T")
RULES = case_rules(CaseSettings())
ANSWER = "요청하신 덕진동 가로등은 오늘 오후에 교체를 마쳤습니다."
# Quick rounds, a retry 12 s after a failure, 5 s of ringing, the 해피콜 three days after closing.
CASE_CALLS = (
    "cases: {calls: {poll_seconds: 0.5, answer_attempts: 2, answer_retry_minutes: 0.2, "
    "ring_seconds: 5, happy_call_days: 3}}\n"
)


@pytest.fixture
def service(pbx: config_mod.LoadedConfig, tmp_path: Path) -> Iterator[Service]:
    database = tmp_path / "hotline.sqlite3"
    flows = tmp_path / "flows"
    shutil.copytree(FLOWS, flows)
    text = CONFIG.replace("DATABASE", str(database)).replace("STATE", str(pbx.path.parent))
    text = text.replace("REHEARSALS", str(tmp_path / "rehearsals.sqlite3")).replace(str(FLOWS), str(flows))
    path = tmp_path / "config.yaml"
    path.write_text(text + CASE_CALLS)
    svc = Service(path, database, tmp_path / "service.log")
    svc.start()
    yield svc
    svc.stop()


def write(db_path: Path, fn: Callable[[sqlite_utils.Database], T]) -> T:
    """A desk's write beside the running service: the write lock first (BEGIN IMMEDIATE),
    as the service's own writer takes it, so the two wait for each other instead of failing."""
    db = open_file(db_path)
    try:
        with db.conn:
            db.execute("BEGIN IMMEDIATE")
            return fn(db)
    finally:
        db.close()


def answered_case(db_path: Path, caller: str, channel: str = "automated_call") -> str:
    """A counselor registered it (자동 안내 전화, or the answer `channel` given), the department
    answered it."""
    now = datetime.now(UTC)
    new = NewCase(caller, "덕진동 가로등이 사흘째 꺼져 있습니다.", "query", "road", "kim", channel)

    def register_and_answer(db: sqlite_utils.Database) -> str:
        number = case_rows.register(db, new, RULES, now, KST).number
        change(db, CaseChange(number, CaseEvent.ANSWER, "road-lee", why=ANSWER), now, RULES)
        return number

    return write(db_path, register_and_answer)


def wait_until(what: str, probe: Callable[[], Any], svc: Service, timeout: float = 60.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if found := probe():
            return found
        time.sleep(0.1)
    raise AssertionError(f"{what}: not after {timeout} s\n{svc.log()[-4000:]}")


def task(svc: Service, number: str, kind: str, status: str) -> dict[str, Any] | None:
    rows = svc.query(
        "SELECT * FROM case_out_tasks WHERE number = ? AND kind = ? AND status = ?", (number, kind, status)
    )
    return rows[0] if rows else None


def history(svc: Service, number: str, event: str) -> list[dict[str, Any]]:
    return svc.query("SELECT * FROM case_events WHERE number = ? AND event = ? ORDER BY id", (number, event))


def wav_seconds(path: Path) -> tuple[float, float]:
    """A WAV file's length and how much of it is sound (20 ms frames above a whisper)."""
    with wave.open(str(path)) as w:
        rate, width, frames = w.getframerate(), w.getsampwidth(), w.readframes(w.getnframes())
    assert width == 2, path
    samples = array("h", frames)
    step = rate // 50
    loud = sum(
        1 for i in range(0, len(samples), step) if max(map(abs, samples[i : i + step]), default=0) > 500
    )
    return len(samples) / rate, loud / 50


def test_the_answer_call_the_happy_call_and_the_retries_on_the_real_asterisk(
    service: Service, lab: SippLab
) -> None:
    # 1. The answer call: the citizen presses 1 during the greeting and hears the answer.
    phone = lab.counselor(CALLBACK_PORT, "answer", keys=[(2500, "1")], timeout_ms=60000)
    number = answered_case(service.database, "01024681357")
    done = wait_until("the answer delivered", lambda: task(service, number, "answer", "done"), service)
    assert phone.wait(30) == 0, phone.errors()
    [call] = service.query("SELECT * FROM calls WHERE id = ?", (done["last_call"],))
    assert (call["caller"], call["dialed"]) == ("01024681357", "case-answer")
    # The answer is read after the 1 (its own rendered file), then 0 for a counselor is offered.
    assert call["ivr_path"] == "confirm > answer > offer > bye"
    sounds = sounds_dir(config_mod.load(service.config_path))
    assert sounds is not None and list(sounds.glob("jeonju-flows/case_answer.answer.ko.*"))
    [attempt] = history(service, number, "answer_call_attempt")
    assert attempt["why"] == "자동 안내 전화 1회차: 통화 연결(본인 확인)"
    assert history(service, number, "answer_delivered")
    [status] = service.query("SELECT status FROM cases WHERE number = ?", (number,))
    assert status["status"] == "answered"
    assert service.query("SELECT * FROM case_calls WHERE number = ? AND call_id = ?", (number, call["id"]))
    # Recorded with the case although nobody pressed 0: the whole call, the answer in it.
    [answer_sound] = sounds.glob("jeonju-flows/case_answer.answer.ko.*.wav")
    answer_seconds = wav_seconds(answer_sound)[0]
    total, audible = wav_seconds(service.stored_recording(call["recording"]))
    assert answer_seconds + 2 <= total <= answer_seconds + 40, (answer_seconds, total)
    assert audible >= answer_seconds, (answer_seconds, audible)

    # 2. 해피콜: closed three days ago (the time moved back), so it is due now. 2 = not solved, 1 point.
    phone = lab.counselor(
        CALLBACK_PORT, "answer", keys=[(2500, "1"), (6000, "2"), (9500, "1")], timeout_ms=60000
    )
    closed = datetime.now(UTC) - timedelta(days=3)
    write(service.database, lambda db: change(db, CaseChange(number, CaseEvent.CLOSE, "kim"), closed, RULES))
    happy = wait_until("the 해피콜 answered", lambda: task(service, number, "happy", "done"), service)
    assert phone.wait(30) == 0, phone.errors()
    assert (happy["solved"], happy["score"]) == (2, 1)
    answers = service.query(
        "SELECT question, answer FROM survey_answers WHERE call_id = ?", (happy["last_call"],)
    )
    assert {a["question"]: a["answer"] for a in answers} == {"case_solved": 2, "case_satisfaction": 1}
    [follow] = service.query("SELECT * FROM case_followups WHERE number = ?", (number,))
    assert follow["reason"] == "해피콜: 해결되지 않음, 만족도 1점"

    # 3. Declined, then not answered: two attempts, then a person's follow-up.
    phone = lab.counselor(CALLBACK_PORT, "decline")
    other = answered_case(service.database, "01097531357")
    wait_until("the first attempt", lambda: history(service, other, "answer_call_attempt"), service)
    assert phone.wait(30) == 0, phone.errors()
    phone = lab.counselor(CALLBACK_PORT, "no_answer", timeout_ms=30000)
    wait_until("left for a person", lambda: task(service, other, "answer", "left_for_person"), service)
    assert phone.wait(30) == 0, phone.errors()
    attempts = [r["why"] for r in history(service, other, "answer_call_attempt")]
    assert attempts == ["자동 안내 전화 1회차: 수신 거절", "자동 안내 전화 2회차: 받지 않음"]
    [follow] = service.query("SELECT * FROM case_followups WHERE number = ?", (other,))
    assert "2회 모두 연결되지 않음" in follow["reason"]
