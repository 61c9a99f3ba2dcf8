"""Counselor transfers on fake calls: blind (*4N) and consulted (*5N, then *6 or *7)."""

from __future__ import annotations

import asyncio
import time

from ivr.acd.counselor_states import CounselorState
from ivr.calls.service import CallService
from ivr.flows.loader import Known, load_text
from ivr.flows.registry import FlowRegistry
from ivr.flows.run import Department, FlowEnv
from ivr.ports import OfferResult
from tests.unit.fakes import FakeCall, MemoryRecords, StepClock, dispatcher
from tests.unit.test_queue_node import FLOW, events

TAX = "dept:세무과"


def service() -> tuple[CallService, MemoryRecords]:
    loaded = load_text(FLOW.replace("MAXWAIT", "30"), "line.yaml", Known(queues=frozenset({"general"})))
    flows = FlowRegistry("line")
    flows.swap({"line": loaded})
    clock, records = StepClock(), MemoryRecords()
    departments = {"welfare": Department("복지과", "dept-welfare"), "tax": Department("세무과", "dept-tax")}
    env = FlowEnv(now=clock.now, departments=departments, ring_seconds=5)
    return CallService(flows, env, dispatcher(["c1"]), records, clock.now, time.monotonic), records


async def connected(tax: OfferResult = OfferResult.ANSWERED) -> tuple[CallService, MemoryRecords, FakeCall]:
    svc, records = service()
    call = FakeCall(counselors={"c1": OfferResult.ANSWERED, TAX: tax})
    await svc.new_call(call)
    await asyncio.wait_for(call.connected.wait(), 5)
    return svc, records, call


async def until(records: MemoryRecords, kind: str) -> dict:
    async with asyncio.timeout(5):
        while not events(records, "call-1", kind):
            await records.changed_event()
    return events(records, "call-1", kind)[0]


async def test_blind_transfer_hands_the_caller_over_once_the_department_answers() -> None:
    svc, records, call = await connected()
    call.legs["c1"].press("*42")  # the second department: 세무과
    done = await until(records, "transferred")
    assert done == {"how": "blind", "department": "세무과", "counselor": "c1"}
    assert ("join", TAX) in call.log and ("drop", "c1") in call.log
    assert svc.acd.state("c1") is not CounselorState.ON_CALL  # free for the next caller after wrap-up
    call.legs[TAX].ended.set()  # the department finishes with the caller
    await asyncio.wait_for(svc.join("call-1"), 5)
    assert "department_hung_up" in records.kinds()
    assert records.queue_events("call-1")[-2:] == ["transferred", "completed_counselor"]
    assert records.calls["call-1"].counselor_id == "c1"  # who handled the call stays on record


async def test_a_department_that_does_not_answer_leaves_caller_and_counselor_talking() -> None:
    svc, records, call = await connected(tax=OfferResult.NO_ANSWER)
    call.legs["c1"].press("*42")
    failed = await until(records, "transfer_failed")
    assert failed == {"department": "세무과", "result": "no_answer"}
    assert ("drop", "c1") not in call.log and svc.acd.state("c1") is CounselorState.ON_CALL
    call.legs["c1"].ended.set()
    await asyncio.wait_for(svc.join("call-1"), 5)
    assert "counselor_hung_up" in records.kinds() and "transferred" not in records.kinds()


async def test_consult_then_complete() -> None:
    svc, records, call = await connected()
    call.legs["c1"].press("*52")
    await until(records, "consulting")
    assert call.log.index(("aside", "c1")) < call.log.index(("offer", TAX))  # the caller held first
    call.legs["c1"].press("*6")
    done = await until(records, "transferred")
    assert done["how"] == "attended"
    assert ("back", TAX) in call.log and ("drop", "c1") in call.log
    call.legs[TAX].ended.set()
    await asyncio.wait_for(svc.join("call-1"), 5)


async def test_consult_then_return_to_the_caller() -> None:
    svc, records, call = await connected()
    call.legs["c1"].press("*52")
    await until(records, "consulting")
    call.legs["c1"].press("*7")
    await until(records, "consult_returned")
    assert ("drop", TAX) in call.log and ("back", "c1") in call.log
    assert "transferred" not in records.kinds()
    call.legs["c1"].ended.set()
    await asyncio.wait_for(svc.join("call-1"), 5)
    assert records.calls["call-1"].disposition == "answered"


async def test_the_department_hanging_up_mid_consultation_returns_the_counselor() -> None:
    svc, records, call = await connected()
    call.legs["c1"].press("*52")
    await until(records, "consulting")
    call.legs[TAX].ended.set()
    await until(records, "consult_returned")
    assert ("back", "c1") in call.log
    svc.call_ended("call-1", "normal_clearing")
    await svc.join("call-1")


async def test_a_department_digit_with_no_department_changes_nothing() -> None:
    svc, records, call = await connected()
    call.legs["c1"].press("*47")
    refused = await until(records, "transfer_refused")
    assert refused["department"] == "7"
    assert not [entry for entry in call.log if entry[0] in ("aside", "join", "drop")]
    svc.call_ended("call-1", "normal_clearing")
    await svc.join("call-1")


def colleague_service() -> tuple[CallService, MemoryRecords]:
    """The line with two counselors (c2 only in a queue nobody calls: free for a transfer)."""
    svc, records = service()
    svc.acd = dispatcher(["c1", "c2"], {"general": ["c1"], "other": ["c2"]})
    return svc, records


async def with_colleague(
    c2: OfferResult = OfferResult.ANSWERED, meal: bool = False
) -> tuple[CallService, MemoryRecords, FakeCall]:
    """c1 talking with the caller; c2 answers a transfer as told (or is at a meal), asked for."""
    from ivr.acd.counselor_model import Event, PauseReason

    svc, records = colleague_service()
    if meal:
        svc.acd.apply("c2", Event.pause(PauseReason.MEAL))
    call = FakeCall(counselors={"c1": OfferResult.ANSWERED, "c2": c2})
    await svc.new_call(call)
    await asyncio.wait_for(call.connected.wait(), 5)
    assert svc.counselor_command("call-1", "colleague:c2")
    return svc, records, call


async def test_transfer_to_an_available_colleague_hands_the_caller_over_once_they_answer() -> None:
    svc, records, call = await with_colleague()
    done = await until(records, "transferred")
    assert done == {"how": "colleague", "colleague": "c2", "counselor": "c1"}
    assert ("join", "c2") in call.log and ("drop", "c1") in call.log
    mate = svc.acd.counselors["c2"]
    assert (mate.state, mate.call_id, mate.calls_taken) == (CounselorState.ON_CALL, "call-1", 1)
    assert svc.acd.state("c1") is not CounselorState.ON_CALL
    call.legs["c2"].ended.set()  # the colleague finishes with the caller
    await asyncio.wait_for(svc.join("call-1"), 5)
    assert "counselor_hung_up" in records.kinds()
    assert svc.acd.state("c2") is not CounselorState.ON_CALL  # wrap-up, then free


async def test_a_colleague_who_is_not_available_is_not_rung_and_the_call_goes_on() -> None:
    svc, records, call = await with_colleague(meal=True)
    refused = await until(records, "transfer_refused")
    assert refused == {"colleague": "c2", "reason": "not available"}
    assert all(entry[1] != "c2" for entry in call.log)
    call.legs["c1"].ended.set()
    await asyncio.wait_for(svc.join("call-1"), 5)
    assert "transferred" not in records.kinds()


async def test_a_colleague_who_does_not_answer_is_free_again_without_a_missed_call() -> None:
    svc, records, call = await with_colleague(OfferResult.NO_ANSWER)
    failed = await until(records, "transfer_failed")
    assert failed == {"colleague": "c2", "result": "no_answer"}
    mate = svc.acd.counselors["c2"]
    assert (mate.state, mate.misses) == (CounselorState.AVAILABLE, 0)
    assert svc.acd.state("c1") is CounselorState.ON_CALL
    call.legs["c1"].ended.set()
    await asyncio.wait_for(svc.join("call-1"), 5)
