"""Back to the citizen: the outbound task's table, routing by answer channel, retries,
the 해피콜's day, and the runner on a real SQLite file with a phone that is a fake
(the clock is moved, never slept)."""

from __future__ import annotations

import asyncio
import itertools
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from ivr.calls.callback_plan import CallbackRules
from ivr.calls.case_call_plan import (
    LEGAL,
    CallResult,
    IllegalTaskTransition,
    TaskEvent,
    TaskStatus,
    after_call,
    go,
    happy_call_at,
    needs_follow_up,
    route,
)
from ivr.calls.case_calls import CaseCallRules, CaseCallRunner
from ivr.calls.service import CallService
from ivr.cases.case import NewCase
from ivr.cases.states import CaseEvent, event_name
from ivr.config import CaseSettings, case_rules
from ivr.flows.loader import Known, load_text
from ivr.flows.promptbook import PromptBook
from ivr.flows.registry import FlowRegistry
from ivr.flows.run import FlowEnv
from ivr.ports import OfferResult
from ivr.reports.happy_calls import HappyRow, happy_table
from ivr.store import case_out, case_outbox, case_rows
from ivr.store.calls import SqliteCallRecords
from ivr.store.case_changes import CaseChange, change
from ivr.store.case_out import OutRules, StoredCaseCalls
from ivr.store.desk_schema import create_schema, transaction
from ivr.store.sql import query
from tests.records import storage_yaml
from tests.unit.fakes import FakeCall, dispatcher
from tests.unit.test_callbacks import FLOW as LINE
from tests.unit.test_report_cli import ivr as ivr_cli

KST = timezone(timedelta(hours=9))
TUESDAY = datetime(2026, 9, 22, 10, 0, tzinfo=KST)  # two days before Chuseok 2026 (24-26 Sep)
HOURS = CallbackRules(max_attempts=3, retry_after=timedelta(minutes=30))  # 09-18, working days


# -- pure rules ------------------------------------------------------------------
@pytest.mark.parametrize(("status", "event"), list(itertools.product(TaskStatus, TaskEvent)))
def test_every_pair_of_the_task_table(status: TaskStatus, event: TaskEvent) -> None:
    if (status, event) in LEGAL:
        assert go(status.value, event) is LEGAL[(status, event)]
    else:
        with pytest.raises(IllegalTaskTransition):
            go(status.value, event)


def test_the_answer_goes_by_the_citizens_channel_and_to_a_counselor_where_it_cannot() -> None:
    assert route("automated_call", can_dial=True) is TaskStatus.DUE
    assert route("automated_call", can_dial=False) is TaskStatus.CALLBACK  # no trunk: a person calls
    assert route("sms", can_dial=True) is TaskStatus.SMS_QUEUED
    assert route("phone", can_dial=True) is TaskStatus.CALLBACK


def test_a_failed_attempt_is_retried_within_calling_hours_then_given_up() -> None:
    evening = datetime(2026, 9, 23, 17, 50, tzinfo=KST)  # Wednesday; Thursday to Saturday are Chuseok
    nxt = after_call(CallResult.NO_ANSWER, 1, evening, HOURS)
    assert (nxt.event, nxt.retry_at) == (TaskEvent.RETRY, datetime(2026, 9, 28, 9, 0, tzinfo=KST))
    assert after_call(CallResult.FAILED, 3, evening, HOURS).event is TaskEvent.GAVE_UP
    assert after_call(CallResult.REACHED, 3, evening, HOURS).event is TaskEvent.REACHED


def test_the_happy_call_is_due_days_after_closing_inside_calling_hours() -> None:
    # Closed Tuesday 22 Sep 10:00 + 3 days = Friday 25 Sep, Chuseok: Monday 28 Sep 09:00.
    assert happy_call_at(TUESDAY, 3, HOURS) == datetime(2026, 9, 28, 9, 0, tzinfo=KST)
    monday = datetime(2026, 11, 2, 11, 0, tzinfo=KST)
    assert happy_call_at(monday, 2, HOURS) == datetime(2026, 11, 4, 11, 0, tzinfo=KST)


def test_not_solved_or_a_low_score_opens_a_follow_up() -> None:
    assert needs_follow_up(1, 5) is None
    assert needs_follow_up(2, 4) == "해결되지 않음"
    assert needs_follow_up(1, 2) == "만족도 2점"
    assert needs_follow_up(2, 1) == "해결되지 않음, 만족도 1점"
    assert needs_follow_up(None, None) is None


# -- the runner on a real SQLite file ----------------------------------------------
class Citizen(FakeCall):
    """The citizen's phone: how it answers the ring, then the keys pressed."""

    def __init__(self, answers: OfferResult, digits: list[str | None]) -> None:
        super().__init__(digits=digits)
        self.answers = answers

    async def dial(self, ring_seconds: float) -> OfferResult:
        self.log.append(("dial", ring_seconds))
        return self.answers


class Phones:
    """The trunk: each prepared call takes the next scripted citizen."""

    def __init__(self, *citizens: Citizen) -> None:
        self.citizens = list(citizens)
        self.calls: list[Citizen] = []

    def prepare(self, call_id: str, number: str) -> Citizen:
        call = self.citizens.pop(0)
        call.call_id, call.caller = call_id, number
        self.calls.append(call)
        return call

    def forget(self, call_id: str) -> None:
        pass


class Voice:
    def __init__(self) -> None:
        self.texts: list[str] = []

    async def render(self, book: PromptBook) -> None:
        self.texts += [s.text or "" for s in book.sounds.values() if s.prompt_id in ("answer", "intro")]


class Clock:
    def __init__(self) -> None:
        self.t = TUESDAY

    def now(self) -> datetime:
        return self.t


RULES = case_rules(CaseSettings())


class Setup:
    def __init__(self, records_at: Path | str, *citizens: Citizen, dial: bool = True) -> None:
        self.path = records_at
        self.records = SqliteCallRecords(self.path)
        self.records.start()
        self.clock = Clock()
        self.phones = Phones(*citizens)
        self.voice = Voice()
        flows = FlowRegistry("line")
        flows.swap({"line": load_text(LINE, "line.yaml", Known(queues=frozenset({"general"})))})
        svc = CallService(
            flows,
            FlowEnv(now=self.clock.now),
            dispatcher(["c1"]),
            self.records,
            self.clock.now,
            time.monotonic,
        )
        out = OutRules(answer=HOURS, happy=HOURS, happy_days=3, zone=KST)
        self.runner = CaseCallRunner(
            svc,
            StoredCaseCalls(self.records.db, out),
            self.phones if dial else None,
            self.voice,
            CaseCallRules(answer=HOURS, happy=HOURS, queue="general"),
            now=self.clock.now,
        )

    async def run(self, fn):  # type: ignore[no-untyped-def]
        await self.records.db.run(lambda d: create_schema(d))
        return await self.records.db.run(fn)

    async def answered_case(self, channel: str) -> str:
        new = NewCase(
            "01077778888", "가로등이 꺼져 있습니다.", "query", "road", "kim", answer_channel=channel
        )

        def write(d):  # type: ignore[no-untyped-def]
            number = case_rows.register(d, new, RULES, self.clock.t, KST).number
            why = "오늘 교체했습니다."
            change(d, CaseChange(number, CaseEvent.ANSWER, "road-lee", why=why), self.clock.t, RULES)
            return number

        return str(await self.run(write))

    async def round(self) -> None:
        await self.runner.round()
        await asyncio.wait_for(self.runner.join(), 10)

    async def history(self, number: str) -> list[str]:
        return [r["event"] for r in await self.run(lambda d: case_rows.history(d, number))]

    def close(self) -> None:
        self.records.close()


async def test_the_automated_call_reads_the_answer_after_the_1_and_the_case_is_delivered(
    records_at: Path | str,
) -> None:
    s = Setup(records_at, Citizen(OfferResult.ANSWERED, ["1", None]))
    try:
        number = await s.answered_case("automated_call")
        await s.round()
        [call] = s.phones.calls
        assert call.caller == "01077778888"
        assert any("오늘 교체했습니다." in t for t in s.voice.texts)  # the answer, rendered before the ring
        heard = [p.split(".")[1] for p in call.prompts()]
        assert heard[:3] == ["intro", "answer", "offer"]  # 1 pressed: the answer, then 0 for a counselor
        assert await s.history(number) == [
            "receive", "assign", "answer", "answer_due", "answer_call_attempt", "answer_delivered"
        ]  # fmt: skip
        [task] = await s.run(lambda d: case_out.tasks(d, number))
        assert (task["status"], task["attempts"], task["last_call"]) == ("done", 1, call.call_id)
        case = await s.run(lambda d: case_rows.get(d, number))
        assert (case.status, call.call_id in case.calls) == ("answered", True)
        await s.round()
        assert len(s.phones.calls) == 1  # delivered once
        # Recorded from the pickup, as the case's: the call's record names the recording.
        assert call.log[:2] == [("dial", 30.0), ("record_conversation", None)]
        [facts] = await s.run(
            lambda d: list(d.query("SELECT recording FROM calls WHERE id = ?", [call.call_id]))
        )
        assert facts["recording"] == f"call-{call.call_id}"
    finally:
        s.close()


async def test_a_refused_recording_leaves_the_answer_call_going_and_says_so(records_at: Path | str) -> None:
    citizen = Citizen(OfferResult.ANSWERED, ["1", None])
    citizen.recording_works = False
    s = Setup(records_at, citizen)
    try:
        number = await s.answered_case("automated_call")
        await s.round()
        [call] = s.phones.calls
        assert "answer_delivered" in await s.history(number)
        kinds = await s.run(
            lambda d: [
                r["kind"] for r in d.query("SELECT kind FROM call_events WHERE call_id = ?", [call.call_id])
            ]
        )
        assert "recording_failed" in kinds and "recording_started" not in kinds
    finally:
        s.close()


async def test_refused_and_unanswered_calls_are_retried_then_left_for_a_person(
    records_at: Path | str,
) -> None:
    s = Setup(
        records_at,
        Citizen(OfferResult.PBX_FAILED, []),  # the trunk refuses
        Citizen(OfferResult.NO_ANSWER, []),
        Citizen(OfferResult.ANSWERED, [None, None]),  # picks up, never presses 1
    )
    try:
        number = await s.answered_case("automated_call")
        await s.round()
        await s.round()
        assert len(s.phones.calls) == 1  # the retry waits its 30 minutes
        for _ in range(2):
            s.clock.t += timedelta(minutes=31)
            await s.round()
        assert len(s.phones.calls) == 3
        rows = await s.run(lambda d: case_rows.history(d, number))
        attempts = [r["why"] for r in rows if r["event"] == "answer_call_attempt"]
        assert attempts == [
            "자동 안내 전화 1회차: 발신 실패(회선 거절)",
            "자동 안내 전화 2회차: 받지 않음",
            "자동 안내 전화 3회차: 받았으나 본인 확인 안 됨",
        ]
        [follow] = await s.run(lambda d: case_out.follow_ups(d))
        assert (follow["number"], follow["status"]) == (number, "new")
        assert "3회 모두 연결되지 않음" in follow["reason"]
        assert rows[-1]["event"] == "follow_up"
        s.clock.t += timedelta(hours=2)
        await s.round()
        assert len(s.phones.calls) == 3  # left for a person: no more calls
    finally:
        s.close()


async def test_a_text_message_waits_in_the_outbox_and_a_phone_answer_becomes_a_callback(
    records_at: Path | str,
) -> None:
    s = Setup(records_at, dial=False)
    try:
        sms = await s.answered_case("sms")
        phone = await s.answered_case("phone")
        automated = await s.answered_case("automated_call")  # no trunk: a counselor calls
        await s.round()
        [message] = await s.run(lambda d: case_outbox.messages(d, sms))
        assert (message["status"], message["to_number"]) == ("queued", "01077778888")
        assert "게이트웨이 없음" in message["note"] and "오늘 교체했습니다." in message["text"]
        assert (await s.history(sms))[-1] == "answer_sms_queued"
        callbacks = await s.run(
            lambda d: query(d, "SELECT call_id, number, status FROM callbacks ORDER BY id")
        )
        assert callbacks == [{"call_id": f"case-{phone}", "number": "01077778888", "status": "new"}]
        assert (await s.history(automated))[-1] == "answer_callback"  # absorbed by the same number's request
        assert not s.phones.calls
    finally:
        s.close()


async def test_the_happy_call_comes_days_after_closing_and_an_unsolved_matter_opens_a_follow_up(
    records_at: Path | str,
) -> None:
    s = Setup(records_at, Citizen(OfferResult.ANSWERED, ["1", "2", "4"]))
    try:
        number = await s.answered_case("phone")
        await s.run(lambda d: change(d, CaseChange(number, CaseEvent.CLOSE, "kim"), s.clock.t, RULES))
        await s.round()
        assert not s.phones.calls  # planned for three days later (Chuseok: the Monday after)
        s.clock.t = datetime(2026, 9, 28, 8, 59, tzinfo=KST)
        await s.round()
        assert not s.phones.calls
        s.clock.t = datetime(2026, 9, 28, 9, 0, tzinfo=KST)
        await s.round()
        [call] = s.phones.calls
        [task] = [t for t in await s.run(lambda d: case_out.tasks(d, number)) if t["kind"] == "happy"]
        assert (task["status"], task["solved"], task["score"]) == ("done", 2, 4)
        [follow] = await s.run(lambda d: case_out.follow_ups(d))
        assert follow["reason"] == "해피콜: 해결되지 않음"
        assert "happy_call_attempt" in await s.history(number)
        assert call.caller == "01077778888"
        assert ("record_conversation", None) not in call.log  # a survey: its keys are what is kept
    finally:
        s.close()


def test_the_happy_call_report_counts_per_department_and_topic() -> None:
    rows = [
        HappyRow("road", "streetlight", "done", 1, 5),
        HappyRow("road", "streetlight", "done", 2, 1),
        HappyRow("road", "streetlight", "left_for_person", None, None),
        HappyRow("water", "", "done", 1, None),  # hung up before the second question
        HappyRow("water", "", "due", None, None),
    ]
    table = happy_table(rows, {"road": "도로과", "water": "상하수도과"})
    road, water, total = table.rows
    assert (road["department"], road["planned"], road["reached"], road["not_reached"]) == ("도로과", 3, 2, 1)
    assert (road["solved_rate"], road["satisfaction_avg"], road["low_scores"]) == (0.5, 3.0, 1)
    assert (water["topic"], water["solved_rate"], water["satisfaction_avg"]) == ("-", 1.0, None)
    assert (total["department"], total["planned"], total["solved"], total["not_solved"]) == ("전체", 5, 2, 1)


def test_ivr_report_happy_calls_prints_the_table(records_at: Path | str, tmp_path: Path) -> None:
    path = records_at
    config = tmp_path / "config.yaml"
    config.write_text(storage_yaml(records_at), encoding="utf-8")
    new = NewCase("01077778888", "가로등이 꺼져 있습니다.", "query", "road", "kim", topic="streetlight")
    with transaction(path) as db:
        number = case_rows.register(db, new, RULES, TUESDAY, KST).number
        change(db, CaseChange(number, CaseEvent.ANSWER, "road-lee", why="교체했습니다."), TUESDAY, RULES)
        change(db, CaseChange(number, CaseEvent.CLOSE, "kim"), TUESDAY, RULES)
        case_out.sort(db, TUESDAY, False, OutRules(HOURS, HOURS, 3, KST))
    args = ["report", "--from", "2026-09-22", "--to", "2026-09-22", "--happy-calls"]
    done = ivr_cli(config, *args)
    assert done.returncode == 0, done.stderr
    assert "해피콜" in done.stdout and "도로과" in done.stdout and "streetlight" in done.stdout


def test_a_supervisor_lists_takes_and_closes_a_follow_up_and_sees_the_outbox(
    records_at: Path | str, tmp_path: Path
) -> None:
    config = tmp_path / "config.yaml"
    config.write_text(storage_yaml(records_at), encoding="utf-8")
    new = NewCase("01077778888", "가로등이 꺼져 있습니다.", "query", "road", "kim", answer_channel="sms")
    with transaction(records_at) as db:
        number = case_rows.register(db, new, RULES, TUESDAY, KST).number
        change(db, CaseChange(number, CaseEvent.ANSWER, "road-lee", why="교체했습니다."), TUESDAY, RULES)
        case_out.sort(db, TUESDAY, True, OutRules(HOURS, HOURS, 3, KST))
        follow = case_out.follow_up(db, number, "해피콜: 해결되지 않음", TUESDAY)
    listed = ivr_cli(config, "case-followups")
    assert listed.returncode == 0 and number in listed.stdout and "해결되지 않음" in listed.stdout
    assert ivr_cli(config, "case-followups", "assign", str(follow), "s1").returncode == 0
    assert ivr_cli(config, "case-followups", "done", str(follow)).returncode == 0
    again = ivr_cli(config, "case-followups", "assign", str(follow), "s1")
    assert again.returncode != 0 and "done already" in again.stderr
    missing = ivr_cli(config, "case-followups", "done", "999")
    assert missing.returncode != 0 and "999" in missing.stderr
    assert ivr_cli(config, "case-followups").stdout == ""  # nothing new left
    outbox = ivr_cli(config, "outbox")
    assert outbox.returncode == 0 and number in outbox.stdout and "queued" in outbox.stdout
    with transaction(records_at) as db:
        events = [r["event"] for r in case_rows.history(db, number)]
    assert events[-3:] == ["follow_up", "follow_up_assigned", "follow_up_done"]
    assert [event_name(e) for e in events[-3:]] == ["후속 조치 요청", "후속 조치 배정", "후속 조치 완료"]


class Gateway:
    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []

    def send(self, to_number: str, text: str) -> str:
        if to_number.startswith("000"):
            raise ConnectionError("gateway refused")
        self.sent.append((to_number, text))
        return f"ref-{len(self.sent)}"


def test_a_gateway_adapter_drains_the_outbox_and_a_refusal_stays_for_a_person(
    records_at: Path | str,
) -> None:
    with transaction(records_at) as db:
        case_outbox.queue(db, "2026-000001", "01011112222", "답변입니다.", TUESDAY)
        case_outbox.queue(db, "2026-000002", "0001112222", "답변입니다.", TUESDAY)
        gateway = Gateway()
        assert case_outbox.drain(db, gateway, TUESDAY) == (1, 1)
        ok, refused = case_outbox.messages(db, "2026-000001"), case_outbox.messages(db, "2026-000002")
        assert (ok[0]["status"], ok[0]["gateway_ref"]) == ("sent", "ref-1")
        assert (refused[0]["status"], refused[0]["note"]) == ("failed", "ConnectionError: gateway refused")
        assert case_outbox.take(db) == []
