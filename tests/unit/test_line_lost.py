"""A counselor's phone that goes silent mid-conversation (power or network
gone): the caller is told, goes back first in line, and the next counselor
takes over; a counselor who hangs up ends the conversation as before."""

from __future__ import annotations

import asyncio

from ivr.acd.counselor_model import Event
from ivr.ports import OfferResult
from tests.unit.fakes import FakeCall, MemoryRecords
from tests.unit.test_queue_node import events, service

ANSWER = {"c1": OfferResult.ANSWERED, "c2": OfferResult.ANSWERED, "c3": OfferResult.ANSWERED}


def answered(records: MemoryRecords) -> list[str]:
    return [e for e in records.queue_events("call-1") if e != "offered"]


async def first_conversation(counselors: list[str]) -> tuple[FakeCall, MemoryRecords, object]:
    svc, records = service(counselors)
    call = FakeCall(counselors=ANSWER)
    await svc.new_call(call)
    await asyncio.wait_for(call.connected.wait(), 5)
    return call, records, svc


async def test_the_caller_goes_back_first_in_line_and_the_next_counselor_takes_over() -> None:
    call, records, svc = await first_conversation(["c1", "c2"])
    [first] = call.legs
    other = "c2" if first == "c1" else "c1"
    call.connected.clear()
    call.legs[first].lost = True
    call.legs[first].ended.set()
    await asyncio.wait_for(call.connected.wait(), 5)
    assert [e for e in call.log if e[0] == "connect"] == [("connect", first), ("connect", other)]
    lost = events(records, "call-1", "counselor_line_lost")
    assert lost == [{"counselor": first}]
    assert events(records, "call-1", "queue_reentered") == [{"queue": "general", "admitted": "admitted"}]
    assert ("play", ("jeonju/line-lost",)) in call.log
    assert "counselor_hung_up" not in records.kinds()
    # One stay in line, two conversations: each counselor's part counted.
    assert answered(records) == ["entered", "connected", "completed_counselor", "connected"]
    assert call.log.count(("record_conversation", None)) == 2
    call.legs[other].ended.set()  # the second counselor finishes and hangs up
    await asyncio.wait_for(svc.join("call-1"), 5)
    assert records.calls["call-1"].counselor_id == other
    assert records.calls["call-1"].disposition == "answered"


async def test_a_counselor_hanging_up_is_no_lost_line() -> None:
    call, records, svc = await first_conversation(["c1", "c2"])
    [first] = call.legs
    call.legs[first].ended.set()
    await asyncio.wait_for(svc.join("call-1"), 5)
    assert "counselor_hung_up" in records.kinds()
    assert not events(records, "call-1", "queue_reentered")
    assert answered(records) == ["entered", "connected", "completed_counselor"]


async def test_with_nobody_left_working_the_queue_the_caller_takes_its_overflow() -> None:
    call, records, svc = await first_conversation(["c1"])
    svc.acd.apply("c1", Event.logout())  # asked for mid-call: applies as the call ends
    call.legs["c1"].lost = True
    call.legs["c1"].ended.set()
    await asyncio.wait_for(svc.join("call-1"), 5)
    # Still in wrap-up as the caller rejoins, c1 then logs out: nobody is left.
    assert "queue_empty" in records.kinds()
    assert records.queue_events("call-1")[-1] == "exit_empty"
    assert call.log.count(("connect", "c1")) == 1 and call.log[-1] == ("hangup", None)
