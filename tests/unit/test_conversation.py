"""The counselor's protection key during a conversation, on a fake call."""

from __future__ import annotations

import asyncio

from ivr.acd.counselor_states import CounselorState
from ivr.ports import OfferResult
from tests.unit.fakes import MemoryRecords
from tests.unit.test_queue_node import caller, events, service


async def until(records: MemoryRecords, call_id: str, kind: str) -> None:
    async with asyncio.timeout(5):
        while not events(records, call_id, kind):
            await records.changed_event()


async def test_the_desk_button_does_what_the_phone_key_does() -> None:
    svc, records = service(["c1"])
    call = caller(1, {"c1": OfferResult.ANSWERED})
    assert svc.counselor_command("call-1", "abuse") is False  # no such call yet
    await svc.new_call(call)
    await asyncio.wait_for(call.connected.wait(), 5)
    assert svc.counselor_command("call-1", "abuse") is True
    await until(records, "call-1", "abuse_warning_played")
    assert svc.counselor_command("call-1", "abuse") is True
    await asyncio.wait_for(svc.join("call-1"), 5)
    assert records.strikes_added == [(call.caller, "call-1", "abuse")]


async def test_a_lone_nine_or_a_slow_star_is_no_protection_key() -> None:
    svc, records = service(["c1"])
    call = caller(1, {"c1": OfferResult.ANSWERED})
    await svc.new_call(call)
    await asyncio.wait_for(call.connected.wait(), 5)
    leg = call.legs["c1"]
    leg.press("9123#")
    await asyncio.wait_for(leg.keys.join(), 5)  # the key reader has taken every key
    leg.ended.set()
    await asyncio.wait_for(svc.join("call-1"), 5)
    assert records.calls["call-1"].flagged is None
    assert "abuse_warning" not in records.kinds()


async def test_the_caller_hanging_up_during_the_warning_ends_cleanly() -> None:
    svc, records = service(["c1"])
    call = caller(1, {"c1": OfferResult.ANSWERED})
    await svc.new_call(call)
    await asyncio.wait_for(call.connected.wait(), 5)
    call.legs["c1"].press("*9")
    await until(records, "call-1", "abuse_warning")
    svc.call_ended("call-1", "normal_clearing")
    await svc.join("call-1")
    facts = records.calls["call-1"]
    assert (facts.disposition, facts.hangup_by, facts.flagged) == ("answered", "caller", "abuse")
    assert svc.acd.counselors["c1"].state is not CounselorState.ON_CALL
