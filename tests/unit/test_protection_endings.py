"""The four endings and the call-length limit in a conversation, on a fake call."""

from __future__ import annotations

import asyncio
import time

import pytest

from ivr.acd.counselor_states import CounselorState, PauseReason
from ivr.calls.service import CallService
from ivr.flows.loader import Known, load_text
from ivr.flows.registry import FlowRegistry
from ivr.flows.run import FlowEnv, Queue
from ivr.ports import OfferResult
from ivr.protection.call_length import LengthLimit, LimitRefused
from ivr.protection.situations import Situation
from tests.unit.fakes import MemoryRecords, StepClock, dispatcher
from tests.unit.test_conversation import until
from tests.unit.test_queue_node import FLOW, caller, events


def service(
    limit: LengthLimit | None = None, exempt: frozenset[str] = frozenset(), topic: str = "general"
) -> tuple[CallService, MemoryRecords]:
    # The caller's topic is set before they join the line, as the hotline's flow does.
    text = FLOW.replace("MAXWAIT", "30").replace("start: wait", "start: tag")
    text += f"  tag: {{type: set, topic: {topic}, next: wait}}\n"
    loaded = load_text(text, "line.yaml", Known(queues=frozenset({"general"})))
    flows = FlowRegistry("line")
    flows.swap({"line": loaded})
    clock = StepClock()
    records = MemoryRecords()
    queues = {"general": Queue("general", ("c1",), limit or LengthLimit())}
    env = FlowEnv(now=clock.now, queues=queues, exempt_topics=exempt)
    return CallService(flows, env, dispatcher(["c1"]), records, clock.now, time.monotonic), records


async def paused(svc: CallService) -> PauseReason | None:
    changed = asyncio.Event()
    svc.acd.subscribe(changed.set)
    async with asyncio.timeout(5):
        while svc.acd.counselors["c1"].state is not CounselorState.PAUSED:
            await changed.wait()
            changed.clear()
    return svc.acd.counselors["c1"].pause_reason


@pytest.mark.parametrize("situation", list(Situation))
async def test_each_ending_warns_then_ends_with_its_own_prompts_flag_strike_and_cooldown(
    situation: Situation,
) -> None:
    svc, records = service()
    call = caller(1, {"c1": OfferResult.ANSWERED})
    await svc.new_call(call)
    await asyncio.wait_for(call.connected.wait(), 5)
    leg = call.legs["c1"]

    leg.press(situation.code)
    await until(records, "call-1", f"{situation.value}_warning_played")
    assert ("announce", ((f"jeonju/{situation.value}-warning",), "ko")) in call.log
    assert records.calls["call-1"].flagged == situation.value
    assert records.strikes_added == []

    leg.press(situation.code)
    await asyncio.wait_for(svc.join("call-1"), 5)
    assert ("announce", ((f"jeonju/{situation.value}-closing",), "ko")) in call.log
    facts = records.calls["call-1"]
    assert (facts.disposition, facts.hangup_by, facts.flagged) == ("answered", "counselor", situation.value)
    assert records.strikes_added == [(call.caller, "call-1", situation.value)]
    assert call.released == ["c1"]  # the counselor's phone is hung up too
    # The cooldown waited for the call and its wrap-up (zero seconds here).
    assert await paused(svc) is PauseReason.COOLDOWN
    assert records.queue_events("call-1")[-1] == "completed_counselor"


async def test_a_second_situation_gets_its_own_warning_before_it_can_end_the_call() -> None:
    svc, records = service()
    call = caller(1, {"c1": OfferResult.ANSWERED})
    await svc.new_call(call)
    await asyncio.wait_for(call.connected.wait(), 5)
    assert svc.counselor_command("call-1", "abuse")
    await until(records, "call-1", "abuse_warning_played")
    assert svc.counselor_command("call-1", "harassment")  # the desk's button
    await until(records, "call-1", "harassment_warning_played")
    assert not any(kind == "hangup" for kind, _ in call.log)
    assert svc.counselor_command("call-1", "harassment")
    await asyncio.wait_for(svc.join("call-1"), 5)
    assert records.calls["call-1"].flagged == "harassment"
    assert records.strikes_added == [(call.caller, "call-1", "harassment")]


async def test_the_call_length_limit_warns_then_ends_with_the_standard_prompts() -> None:
    svc, records = service(LengthLimit(warn_after=0.2, end_after=0.5, extend_by=1))
    call = caller(1, {"c1": OfferResult.ANSWERED})
    await svc.new_call(call)
    await asyncio.wait_for(call.connected.wait(), 5)
    view = svc.call_length("call-1")
    assert view is not None and view.remaining is not None and 0 < view.remaining <= 0.5
    await asyncio.wait_for(svc.join("call-1"), 5)
    announced = [p for kind, p in call.log if kind == "announce"]
    assert announced == [(("jeonju/length-notice",), "ko"), (("jeonju/length-closing",), "ko")]
    facts = records.calls["call-1"]
    assert (facts.disposition, facts.hangup_by, facts.flagged) == ("answered", "time_limit", None)
    assert [k for k in records.kinds() if k.startswith("length_")] == ["length_warning", "length_ended"]
    assert records.strikes_added == []  # a long call is no abuse


async def test_an_extension_keeps_the_call_going_once_and_needs_a_reason() -> None:
    svc, records = service(LengthLimit(warn_after=0.1, end_after=0.4, extend_by=30))
    call = caller(1, {"c1": OfferResult.ANSWERED})
    await svc.new_call(call)
    await asyncio.wait_for(call.connected.wait(), 5)
    await until(records, "call-1", "length_warning")
    with pytest.raises(LimitRefused):
        svc.extend_call("call-1", "", by="kim")
    assert svc.extend_call("call-1", "주소 확인 중", by="kim") == 30
    with pytest.raises(LimitRefused):
        svc.extend_call("call-1", "한 번 더", by="kim")
    await asyncio.sleep(0.6)  # past the first end: the call goes on
    assert not any(kind == "hangup" for kind, _ in call.log)
    [extended] = events(records, "call-1", "length_extended")
    assert (extended["by"], extended["reason"]) == ("kim", "주소 확인 중")
    view = svc.call_length("call-1")
    assert view is not None and view.extended and view.remaining is not None and view.remaining > 25
    call.legs["c1"].ended.set()
    await asyncio.wait_for(svc.join("call-1"), 5)
    with pytest.raises(LimitRefused):
        svc.extend_call("call-1", "끝난 통화", by="kim")


async def test_a_supervisor_joining_stops_the_limit() -> None:
    svc, records = service(LengthLimit(warn_after=0.2, end_after=0.4, extend_by=1))
    call = caller(1, {"c1": OfferResult.ANSWERED})
    await svc.new_call(call)
    await asyncio.wait_for(call.connected.wait(), 5)
    svc.supervisor_joined("call-1", "s1", "barge")
    await asyncio.sleep(0.6)
    assert not any(kind in ("announce", "hangup") for kind, _ in call.log)
    view = svc.call_length("call-1")
    assert view is not None and (view.phase, view.exempt_why, view.remaining) == (
        "exempt",
        "supervisor",
        None,
    )
    assert events(records, "call-1", "length_exempt") == [{"why": "supervisor", "supervisor": "s1"}]
    call.legs["c1"].ended.set()
    await asyncio.wait_for(svc.join("call-1"), 5)


async def test_an_exempt_topic_is_never_cut() -> None:
    svc, records = service(
        LengthLimit(warn_after=0.1, end_after=0.2, extend_by=1),
        exempt=frozenset({"welfare"}),
        topic="welfare",
    )
    call = caller(1, {"c1": OfferResult.ANSWERED})
    await svc.new_call(call)
    await asyncio.wait_for(call.connected.wait(), 5)
    await asyncio.sleep(0.4)
    assert not any(kind in ("announce", "hangup") for kind, _ in call.log)
    view = svc.call_length("call-1")
    assert view is not None and view.exempt_why == "topic:welfare"
    call.legs["c1"].ended.set()
    await asyncio.wait_for(svc.join("call-1"), 5)
    assert records.calls["call-1"].topic == "welfare"
