"""The rehearsal number's calls: their own records, their own counselor, and only they move the clock."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path

from ivr import config
from ivr.admin import acd_setup
from ivr.calls.rehearsal_line import RehearsalLine, moved_clock
from ivr.calls.service import CallService
from ivr.flows.loader import Known, load_text
from ivr.flows.registry import FlowRegistry
from ivr.flows.run import FlowEnv, Queue
from ivr.ports import CallFacts, OfferResult
from ivr.store.rehearsal_calls import RehearsalRecords, closed_calls_since
from tests.unit.fakes import FakeCall, MemoryRecords, StepClock, dispatcher

FLOW = """
flow: tiny
languages: [ko]
start: hours
prompts:
  open: {ko: 상담사를 연결합니다.}
  holiday: {ko: 오늘은 쉽니다.}
  bye: {ko: 감사합니다.}
nodes:
  hours:
    type: schedule
    hours: {mon-fri: "00:00-23:59"}
    on: {open: line, closed: rest, holiday: rest}
  line: {type: queue, queue: general, prompt: open, on: {completed: bye, overflow: bye, closed: bye}}
  rest: {type: play, prompts: [holiday], next: bye}
  bye: {type: hangup, prompt: bye}
"""
REHEARSAL_NUMBER = "01099990001"
CHUSEOK = "2026-09-25 10:00"


class Line:
    def __init__(self) -> None:
        flows = FlowRegistry("tiny")
        flows.swap({"tiny": load_text(FLOW, "tiny.yaml", Known(queues=frozenset({"general"})))})
        self.clock = StepClock()  # a Friday that is no holiday
        env = FlowEnv(now=self.clock.now, queues={"general": Queue("general", ("c01",))})
        self.records = MemoryRecords()
        self.rehearsal_records = MemoryRecords()
        settings = config.parse(
            "counselors: [{id: c01, name: 김민지, endpoint: counselor01}]\n"
            f"rehearsal: {{number: '{REHEARSAL_NUMBER}'}}\n"
        )
        line = RehearsalLine(
            REHEARSAL_NUMBER,
            self.rehearsal_records,
            acd_setup.rehearsal_dispatcher(settings, self.clock.monotonic),
            replace(env, queues={"general": Queue("general", ("rehearsal",))}),
        )
        self.acd = dispatcher(["c01"], endpoints={"c01": "counselor01"})
        self.service = CallService(
            flows, env, self.acd, self.records, self.clock.now, self.clock.monotonic, rehearsal=line
        )

    async def call(self, caller: str, moment: str = "") -> FakeCall:
        call = FakeCall(counselors={"c01": OfferResult.ANSWERED, "rehearsal": OfferResult.ANSWERED})
        call.caller = caller
        call.call_id = f"call-{caller}"
        await self.service.new_call(call, moment)
        ended = asyncio.ensure_future(self.service.join(call.call_id))
        while not ended.done():
            for leg in call.legs.values():
                leg.ended.set()
            await asyncio.wait({ended}, timeout=0.01)
        return call


def offered(call: FakeCall) -> list[str]:
    return [who for kind, who in call.log if kind == "offer"]


async def test_a_rehearsal_call_is_kept_apart_and_answered_by_the_rehearsal_counselor_only() -> None:
    line = Line()
    call = await line.call(REHEARSAL_NUMBER)
    assert offered(call) and set(offered(call)) == {"rehearsal"}
    assert line.records.calls == {}  # nothing a supervisor's figures read
    [facts] = line.rehearsal_records.calls.values()
    assert facts.rehearsal and facts.ivr_path == ["hours", "line", "bye"]
    assert facts.counselor_id == "rehearsal"


async def test_a_citizen_is_never_offered_to_the_rehearsal_counselor() -> None:
    line = Line()
    call = await line.call("01012345678")
    assert set(offered(call)) == {"c01"}
    [facts] = line.records.calls.values()
    assert not facts.rehearsal and line.rehearsal_records.calls == {}


async def test_the_rehearsal_number_moves_its_clock_a_citizen_with_the_same_marker_does_not() -> None:
    line = Line()
    await line.call(REHEARSAL_NUMBER, CHUSEOK)
    await line.call("01012345678", CHUSEOK)
    [rehearsed] = line.rehearsal_records.calls.values()
    [citizen] = line.records.calls.values()
    assert rehearsed.ivr_path == ["hours", "rest", "bye"]  # Chuseok: the holiday path
    assert citizen.ivr_path == ["hours", "line", "bye"]  # the real Friday: open
    refused = [d for _, k, d in line.records.events if k == "moment_refused"]
    assert refused == [{"moment": CHUSEOK, "reason": "not the rehearsal number"}]


async def test_a_moment_that_cannot_be_read_keeps_the_real_clock_and_says_why() -> None:
    line = Line()
    await line.call(REHEARSAL_NUMBER, "Christmas")
    [facts] = line.rehearsal_records.calls.values()
    assert facts.ivr_path == ["hours", "line", "bye"]
    [said] = [d for _, k, d in line.rehearsal_records.events if k == "rehearsal"]
    assert said["refused"] == "'Christmas' is not a moment like 2026-12-25 10:00"


def test_a_moved_clock_runs_on_from_the_moment() -> None:
    readings = iter([datetime(2026, 12, 7, 9, 0), datetime(2026, 12, 7, 9, 0, 30)])
    moved = moved_clock(lambda: next(readings), "2026-12-25 10:00")
    assert moved() == datetime(2026, 12, 25, 10, 0, 30)


async def test_a_rehearsal_caller_has_no_history_however_often_it_called(records_at: Path | str) -> None:
    records = RehearsalRecords(records_at)
    records.start()
    try:
        start = datetime(2026, 12, 7, 10, 0, tzinfo=timezone(timedelta(hours=9)))
        for n in range(3):
            facts = CallFacts(
                f"r{n}", REHEARSAL_NUMBER, "2221000", start + timedelta(minutes=n), rehearsal=True
            )
            await records.opened(facts)
            await records.closed(facts)
        assert await records.recent_calls(REHEARSAL_NUMBER, start - timedelta(hours=1)) == 0
        assert await records.strikes(REHEARSAL_NUMBER) == 0
        since = start + timedelta(seconds=30)
        rows = closed_calls_since(records_at, REHEARSAL_NUMBER, since)
        assert [(r["id"], r["rehearsal"]) for r in rows] == [("r1", 1), ("r2", 1)]
    finally:
        records.close()
