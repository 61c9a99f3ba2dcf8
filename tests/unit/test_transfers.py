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
