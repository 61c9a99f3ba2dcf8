"""Transfer to a queue (`queue:<name>` from the desk): the counselor is freed, the caller waits
again first in line in that queue, hears its prompts, and the timeline and queue log say so."""

from __future__ import annotations

import asyncio
import time

from ivr.acd.counselor_states import CounselorState
from ivr.calls.service import CallService
from ivr.flows.loader import Known, load_text
from ivr.flows.nodes.queue import requeued
from ivr.flows.registry import FlowRegistry
from ivr.flows.run import FlowEnv
from ivr.ports import OfferResult
from tests.unit.fakes import FakeCall, MemoryRecords, StepClock, dispatcher
from tests.unit.test_queue_node import FLOW, events
from tests.unit.test_transfers import until

FOREIGN_NODE = """
  foreign:
    type: queue
    queue: foreign
    prompt: foreign_hello
    announce_every_seconds: 0
    on: {completed: bye, overflow: busy, closed: busy}
"""
KNOWN = Known(queues=frozenset({"general", "foreign"}))


def flow_text() -> str:
    text = FLOW.replace("MAXWAIT", "30").replace(
        "  bye: {ko: 감사합니다.}",
        "  bye: {ko: 감사합니다.}\n  foreign_hello: {ko: 외국어 상담으로 연결해 드리겠습니다.}",
    )
    # The wait node's overflow goes on to 외국어 상담: reachable, as the checker wants.
    text = text.replace("on: {completed: bye, overflow: busy,", "on: {completed: bye, overflow: foreign,", 1)
    return text + FOREIGN_NODE


async def talking() -> tuple[CallService, MemoryRecords, FakeCall]:
    """c1 (일반 상담) talking with the caller; c2 works 외국어 상담 only and is free."""
    loaded = load_text(flow_text(), "line.yaml", KNOWN)
    flows = FlowRegistry("line")
    flows.swap({"line": loaded})
    clock, records = StepClock(), MemoryRecords()
    acd = dispatcher(["c1", "c2"], {"general": ["c1"], "foreign": ["c2"]})
    svc = CallService(flows, FlowEnv(now=clock.now, ring_seconds=5), acd, records, clock.now, time.monotonic)
    call = FakeCall(counselors={"c1": OfferResult.ANSWERED, "c2": OfferResult.ANSWERED})
    await svc.new_call(call)
    await asyncio.wait_for(call.connected.wait(), 5)
    return svc, records, call


async def test_given_a_caller_sent_to_a_queue_then_the_counselor_is_freed_and_the_caller_waits_first() -> (
    None
):
    svc, records, call = await talking()
    assert svc.counselor_command("call-1", "queue:foreign")
    done = await until(records, "transferred")
    assert done == {"how": "queue", "counselor": "c1", "queue": "foreign"}
    async with asyncio.timeout(5):
        while "c2" not in call.legs or svc.acd.state("c2") is not CounselorState.ON_CALL:
            await records.changed_event()
    entered = [e for e in events(records, "call-1", "queue_entered") if e["queue"] == "foreign"]
    assert entered == [{"queue": "foreign", "priority": True, "position": 1}]
    assert "c1" in call.released and svc.acd.state("c1") is not CounselorState.ON_CALL
    call.legs["c2"].ended.set()
    await asyncio.wait_for(svc.join("call-1"), 5)
    played = [" ".join(p) for kind, p in call.log if kind in ("play", "prompt_ended", "prompt_stopped")]
    assert any("foreign_hello" in p for p in played), call.log  # the queue's own prompt
    # One visit per queue: general ends `transferred`, foreign as any answered call.
    assert records.queue_events("call-1") == [
        "entered",
        "offered",
        "connected",
        "transferred",
        "entered",
        "offered",
        "connected",
        "completed_counselor",
    ]
    assert records.calls["call-1"].counselor_id == "c2"
    # The call's record names the line the caller was sent into, by the flow's node for it.
    assert records.calls["call-1"].ivr_path[-3:] == ["wait", "foreign", "bye"]


async def test_given_an_unknown_queue_then_the_transfer_is_refused_and_the_talk_goes_on() -> None:
    svc, records, call = await talking()
    assert svc.counselor_command("call-1", "queue:nowhere")
    refused = await until(records, "transfer_refused")
    assert refused == {"queue": "nowhere", "reason": "no such queue"}
    assert svc.acd.state("c1") is CounselorState.ON_CALL and "c1" not in call.released
    call.legs["c1"].ended.set()
    await asyncio.wait_for(svc.join("call-1"), 5)
    assert "transferred" not in records.kinds()


def test_given_a_flow_with_a_node_for_that_queue_then_the_transferred_caller_hears_its_prompts() -> None:
    flow = load_text(flow_text(), "line.yaml", KNOWN).flow
    here = flow.nodes["wait"]
    to_foreign = requeued(here, flow, "foreign")  # type: ignore[arg-type]
    assert (to_foreign.queue, to_foreign.priority, to_foreign.prompt) == ("foreign", True, "foreign_hello")
    assert to_foreign.leave_key == here.leave_key  # this node's outcomes stay the ones mapped
    elsewhere = requeued(here, flow, "general")  # type: ignore[arg-type]
    assert (elsewhere.prompt, elsewhere.priority) == ("connecting", True)
