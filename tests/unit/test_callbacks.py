"""Calling citizens back on fake calls: counselor first, then the citizen; retries logged."""

from __future__ import annotations

import asyncio
import time
from datetime import datetime, timedelta, timezone
from typing import Any

from ivr.calls.callback_plan import CallbackRules
from ivr.calls.callbacks import CallbackRunner
from ivr.calls.service import CallService
from ivr.flows.loader import Known, load_text
from ivr.flows.registry import FlowRegistry
from ivr.flows.run import FlowEnv
from ivr.ports import CallbackRequest, OfferResult
from tests.unit.fakes import FakeCall, MemoryRecords, dispatcher, settled

KST = timezone(timedelta(hours=9))
FLOW = """
flow: line
languages: [ko]
start: bye
prompts:
  bye: {ko: 감사합니다.}
nodes:
  bye: {type: hangup, prompt: bye}
"""


class OutboundFake(FakeCall):
    def __init__(
        self, answers: OfferResult, counselors: dict[str, OfferResult], talking: asyncio.Event
    ) -> None:
        super().__init__(counselors=counselors)
        self.answers = answers
        self.talking = talking

    async def connect(self, leg) -> None:
        await super().connect(leg)
        self.talking.set()

    async def dial(self, ring_seconds: float) -> OfferResult:
        self.log.append(("dial", ring_seconds))
        return self.answers


class Dialer:
    def __init__(self, *answers: OfferResult, counselors: dict[str, OfferResult]) -> None:
        self.answers = list(answers)
        self.counselors = counselors
        self.calls: list[OutboundFake] = []
        self.forgotten: list[str] = []
        self.placed = asyncio.Event()
        self.talking = asyncio.Event()  # some counselor and citizen are talking

    def prepare(self, call_id: str, number: str) -> OutboundFake:
        call = OutboundFake(self.answers.pop(0), self.counselors, self.talking)
        call.call_id, call.caller = call_id, number
        self.calls.append(call)
        self.placed.set()
        return call

    def forget(self, call_id: str) -> None:
        self.forgotten.append(call_id)


class Records(MemoryRecords):
    def __init__(self, pending: list[CallbackRequest]) -> None:
        super().__init__()
        self.pending = pending
        self.attempted = asyncio.Event()

    async def pending_callbacks(self) -> list[CallbackRequest]:
        return list(self.pending)

    async def callback_attempted(self, callback_id: int, at: datetime, **fields: Any) -> str:
        status = await super().callback_attempted(callback_id, at, **fields)
        self.attempted.set()
        return status


class Clock:
    def __init__(self) -> None:
        self.t = datetime(2026, 11, 27, 10, 0, tzinfo=KST)  # a Friday, inside calling hours

    def now(self) -> datetime:
        return self.t


def runner(records: Records, dialer: Dialer, counselors: list[str]) -> CallbackRunner:
    flows = FlowRegistry("line")
    flows.swap({"line": load_text(FLOW, "line.yaml", Known(queues=frozenset({"general"})))})
    clock = Clock()
    svc = CallService(
        flows, FlowEnv(now=clock.now), dispatcher(counselors), records, clock.now, time.monotonic
    )
    return CallbackRunner(
        svc,
        records,
        dialer,
        CallbackRules(),
        ring_seconds=30,
        default_queue="general",
        now=clock.now,
        monotonic=time.monotonic,
    )


REQUEST = CallbackRequest(7, "01055554444", "general", datetime(2026, 11, 27, 9, 58, tzinfo=KST))


async def test_the_counselor_is_rung_first_then_the_citizen_and_they_talk() -> None:
    records = Records([REQUEST])
    dialer = Dialer(OfferResult.ANSWERED, counselors={"c1": OfferResult.ANSWERED})
    cb = runner(records, dialer, ["c1"])
    await cb.refresh()
    await asyncio.wait_for(dialer.placed.wait(), 5)
    [call] = dialer.calls
    await asyncio.wait_for(call.connected.wait(), 5)
    assert [kind for kind, _ in call.log][:2] == ["offer", "dial"]  # counselor first
    call.legs["c1"].ended.set()  # the counselor ends the conversation
    await asyncio.wait_for(records.attempted.wait(), 5)
    [(callback_id, fields)] = records.callback_attempts
    assert callback_id == 7
    assert (fields["result"], fields["status"], fields["attempts"], fields["counselor_id"]) == (
        "connected",
        "done",
        1,
        "c1",
    )
    facts = records.calls[call.call_id]
    assert (facts.caller, facts.dialed, facts.disposition) == ("01055554444", "callback", "answered")
    assert records.queue_events(call.call_id) == [
        "callback_attempted",
        "callback_connected",
        "completed_counselor",
    ]
    assert dialer.forgotten == [call.call_id]
    await asyncio.wait_for(cb.join(), 5)
    assert settled(cb.acd) and cb.acd.waiting_count() == 0


async def test_a_citizen_who_does_not_answer_is_tried_again_later() -> None:
    records = Records([REQUEST])
    dialer = Dialer(OfferResult.NO_ANSWER, counselors={"c1": OfferResult.ANSWERED})
    cb = runner(records, dialer, ["c1"])
    await cb.refresh()
    await asyncio.wait_for(records.attempted.wait(), 5)
    [(_, fields)] = records.callback_attempts
    assert (fields["result"], fields["status"], fields["attempts"]) == ("no_answer", "queued", 1)
    assert fields["next_at"] == datetime(2026, 11, 27, 10, 10, tzinfo=KST)
    assert records.calls[dialer.calls[0].call_id].disposition == "callback_unanswered"
    assert cb.pending == 1  # waiting for the retry
    await cb.stop()
    assert cb.pending == 0 and settled(cb.acd)


async def test_a_counselor_who_misses_the_ring_costs_no_attempt_and_the_next_one_is_tried() -> None:
    records = Records([REQUEST])
    counselors = {"c1": OfferResult.NO_ANSWER, "c2": OfferResult.ANSWERED}
    dialer = Dialer(OfferResult.ANSWERED, OfferResult.ANSWERED, counselors=counselors)
    cb = runner(records, dialer, ["c1", "c2"])
    await cb.refresh()
    await asyncio.wait_for(dialer.talking.wait(), 5)
    assert len(dialer.calls) == 2
    dialer.calls[1].legs["c2"].ended.set()
    async with asyncio.timeout(5):
        while len(records.callback_attempts) < 2:
            records.attempted.clear()
            await records.attempted.wait()
    results = [(f["result"], f["status"], f["attempts"]) for _, f in records.callback_attempts]
    assert results == [("counselor_missed", "queued", 0), ("connected", "done", 1)]


async def test_a_ring_the_pbx_failed_to_make_is_not_charged_to_the_counselor() -> None:
    records = Records([REQUEST])
    dialer = Dialer(OfferResult.ANSWERED, counselors={"c1": OfferResult.PBX_FAILED})
    cb = runner(records, dialer, ["c1"])
    await cb.refresh()
    await asyncio.wait_for(records.attempted.wait(), 5)
    [(_, fields)] = records.callback_attempts
    assert fields["result"] == "failed"
    assert records.calls[dialer.calls[0].call_id].hangup_by == "system"
    c1 = cb.acd.counselors["c1"]
    assert (c1.state.value, c1.misses) == ("available", 0)
    await cb.stop()


async def test_a_request_stored_while_the_list_is_being_read_is_not_missed() -> None:
    records = Records([])
    dialer = Dialer(OfferResult.NO_ANSWER, counselors={"c1": OfferResult.ANSWERED})
    cb = runner(records, dialer, ["c1"])
    reading = asyncio.Event()
    release = asyncio.Event()
    plain = records.pending_callbacks

    async def slow_read() -> list[CallbackRequest]:
        found = await plain()
        reading.set()
        await release.wait()
        return found

    records.pending_callbacks = slow_read  # type: ignore[method-assign]
    cb.wake()
    await asyncio.wait_for(reading.wait(), 5)
    records.pending.append(REQUEST)  # stored while the first read is under way
    cb.wake()
    records.pending_callbacks = plain  # type: ignore[method-assign]
    release.set()
    await asyncio.wait_for(records.attempted.wait(), 5)
    assert records.callback_attempts[0][0] == 7
    await cb.stop()
