"""The first call path, run on a fake call: what the caller hears and what is recorded."""

from __future__ import annotations

import asyncio

from ivr.acd.pool import Counselor, CounselorPool, CounselorState
from ivr.calls.service import CallService
from ivr.flows.first_path import FirstPathSettings
from ivr.ports import OfferResult
from tests.unit.fakes import FakeCall, MemoryRecords, StepClock

SETTINGS = FirstPathSettings(menu_timeout_seconds=1, menu_attempts=2, ring_seconds=1)


def make_service() -> tuple[CallService, CounselorPool, MemoryRecords]:
    pool = CounselorPool([Counselor(f"c{i}", f"상담사{i}", f"p{i}") for i in (1, 2, 3)])
    records = MemoryRecords()
    clock = StepClock()
    return CallService(SETTINGS, pool, records, clock.now, clock.monotonic), pool, records


async def run_to_end(service: CallService, call: FakeCall) -> None:
    await service.new_call(call)
    _, task = service._calls[call.call_id]
    await asyncio.wait_for(task, 5)


async def test_given_no_input_twice_then_reprompt_and_goodbye() -> None:
    service, _, records = make_service()
    call = FakeCall(digits=[None] * 5)
    await run_to_end(service, call)
    assert call.prompts() == ["greeting", "menu", "no-input", "menu", "goodbye"]
    assert call.log[-1] == ("hangup", None)
    facts = records.calls["call-1"]
    assert facts.disposition == "ivr_ended"
    assert facts.hangup_by == "system"
    assert facts.ivr_path == ["greeting", "menu", "menu", "goodbye"]


async def test_given_an_invalid_digit_then_told_so_and_asked_again() -> None:
    service, _, records = make_service()
    call = FakeCall(digits=[None, None, "5", None, None])
    await run_to_end(service, call)
    assert call.prompts() == ["greeting", "menu", "invalid", "menu", "goodbye"]
    assert "menu_invalid" in records.kinds() and "menu_timeout" in records.kinds()


async def test_given_star_then_the_menu_repeats_without_counting_a_failure() -> None:
    service, _, _ = make_service()
    call = FakeCall(digits=[None, "*", "*", None, None, None, None])
    await run_to_end(service, call)
    assert call.prompts().count("menu") == 4


async def test_given_0_when_busy_and_no_answer_then_the_third_counselor_talks() -> None:
    service, pool, records = make_service()
    call = FakeCall(
        digits=["0"],
        counselors={
            "c1": OfferResult.NO_ANSWER,
            "c2": OfferResult.BUSY,
            "c3": OfferResult.ANSWERED,
        },
    )
    await service.new_call(call)
    _, task = service._calls["call-1"]
    await asyncio.wait_for(call.connected.wait(), 5)
    assert [c for k, c in call.log if k == "offer"] == ["c1", "c2", "c3"]
    # Hold music while phones ring, off before the conversation starts.
    holds = [(k, v) for k, v in call.log if k in ("hold", "connect")]
    assert holds == [("hold", True), ("hold", False), ("connect", "c3")]
    assert pool.state("c3") is CounselorState.ON_CALL
    assert pool.state("c1") is CounselorState.AVAILABLE
    call.legs["c3"].ended.set()  # the counselor hangs up
    await asyncio.wait_for(task, 5)
    facts = records.calls["call-1"]
    assert (facts.disposition, facts.hangup_by, facts.counselor_id) == (
        "answered",
        "counselor",
        "c3",
    )
    assert call.released == ["c3"]
    assert pool.state("c3") is CounselorState.AVAILABLE
    assert [c.id for c in pool.hunt_order()][-1] == "c3"


async def test_given_nobody_answers_then_the_caller_is_told_to_call_again() -> None:
    service, pool, records = make_service()
    call = FakeCall(digits=["0"])
    await run_to_end(service, call)
    assert call.prompts()[-1] == "all-busy"
    assert records.calls["call-1"].disposition == "no_counselor"
    assert all(pool.state(f"c{i}") is CounselorState.AVAILABLE for i in (1, 2, 3))


async def test_given_the_caller_hangs_up_while_a_phone_rings_then_nobody_stays_reserved() -> None:
    service, pool, records = make_service()
    call = FakeCall(digits=["0"], offer_blocks=True)
    await service.new_call(call)
    _, task = service._calls["call-1"]
    await asyncio.wait_for(call.ringing.wait(), 5)
    assert pool.state("c1") is CounselorState.RESERVED
    service.call_ended("call-1", "normal_clearing")
    await asyncio.wait_for(task, 5)
    assert ("ring_stopped", "c1") in call.log
    assert pool.state("c1") is CounselorState.AVAILABLE
    facts = records.calls["call-1"]
    assert (facts.disposition, facts.hangup_by) == ("abandoned_ivr", "caller")
    assert records.closed_ids == ["call-1"]


async def test_given_the_caller_hangs_up_mid_conversation_then_the_counselor_is_released() -> None:
    service, pool, records = make_service()
    call = FakeCall(digits=["0"], counselors={"c1": OfferResult.ANSWERED})
    await service.new_call(call)
    _, task = service._calls["call-1"]
    await asyncio.wait_for(call.connected.wait(), 5)
    service.call_ended("call-1", "normal_clearing")
    await asyncio.wait_for(task, 5)
    assert call.released == ["c1"]
    assert pool.state("c1") is CounselorState.AVAILABLE
    facts = records.calls["call-1"]
    assert (facts.disposition, facts.hangup_by) == ("answered", "caller")
    assert facts.connected_at is not None


async def test_given_draining_then_new_calls_go_to_the_fallback() -> None:
    service, _, records = make_service()
    await service.drain(0)
    call = FakeCall()
    await run_to_end(service, call)
    assert call.log == [("fallback", None)]
    assert records.calls["call-1"].disposition == "fallback"
