"""No wasted second: a free counselor's phone rings while the queue's entry
prompt plays; their answer cuts it short; music follows it if nobody answered."""

from __future__ import annotations

import asyncio
from typing import Any

from ivr.calls.service import CallService
from ivr.ports import OfferResult
from tests.unit.fakes import FakeCall, MemoryRecords, settled
from tests.unit.test_queue_node import caller, events, service


def kinds(call: FakeCall) -> list[tuple[str, Any]]:
    """The call's log without reads and plays of other prompts, for ordering."""
    return [
        (k, "entry" if k.startswith("prompt_") else v)
        for k, v in call.log
        if k in {"offer", "prompt_stopped", "prompt_ended", "hold", "connect"}
    ]


def slow_caller(n: int, answers: dict[str, Any]) -> tuple[FakeCall, asyncio.Event]:
    call = caller(n, answers)
    prompt_ends = asyncio.Event()
    call.long_prompts["connecting"] = prompt_ends
    return call, prompt_ends


async def test_given_a_counselor_free_then_they_ring_during_the_entry_prompt_and_the_answer_cuts_it() -> None:
    svc, records = service(["c1"])
    call, _prompt_ends = slow_caller(1, {"c1": OfferResult.ANSWERED})
    await svc.new_call(call)
    await asyncio.wait_for(call.connected.wait(), 5)  # the prompt never ended by itself
    assert kinds(call) == [
        ("offer", "c1"),
        ("prompt_stopped", "entry"),
        ("connect", "c1"),
    ]  # no hold music anywhere: ringing over the prompt, then the conversation
    order = [k for c, k, _ in records.events if c == "call-1"]
    assert order.index("offer") < order.index("queue_prompt_cut") < order.index("queue_connected")


async def test_given_the_entry_prompt_ends_before_the_answer_then_music_follows_it_at_once() -> None:
    svc, _records = service(["c1"])
    call, prompt_ends = slow_caller(1, {"c1": OfferResult.ANSWERED})
    call.ring_until = asyncio.Event()
    await svc.new_call(call)
    await asyncio.wait_for(call.ringing.wait(), 5)
    assert ("hold", True) not in call.log  # the prompt plays, no music over it
    prompt_ends.set()
    await asyncio.wait_for(call.music.wait(), 5)
    call.ring_until.set()
    await asyncio.wait_for(call.connected.wait(), 5)
    assert kinds(call) == [
        ("offer", "c1"),
        ("prompt_ended", "entry"),
        ("hold", True),
        ("hold", False),
        ("connect", "c1"),
    ]


async def test_given_a_ring_missed_during_the_entry_prompt_then_it_plays_on_and_the_next_one_rings() -> None:
    svc, _records = service(["c1", "c2"])
    call, _prompt_ends = slow_caller(1, {"c1": OfferResult.NO_ANSWER, "c2": OfferResult.ANSWERED})
    await svc.new_call(call)
    await asyncio.wait_for(call.connected.wait(), 5)
    assert kinds(call) == [
        ("offer", "c1"),
        ("offer", "c2"),
        ("prompt_stopped", "entry"),
        ("connect", "c2"),
    ]


async def behind_a_busy_counselor(
    svc: CallService, records: MemoryRecords
) -> tuple[FakeCall, FakeCall, asyncio.Event]:
    """c1 talks with a first caller; a second enters the line and hears the entry prompt."""
    first = caller(1, {"c1": OfferResult.ANSWERED})
    await svc.new_call(first)
    await asyncio.wait_for(first.connected.wait(), 5)
    second, prompt_ends = slow_caller(2, {"c1": OfferResult.ANSWERED})
    await svc.new_call(second)
    async with asyncio.timeout(5):
        while not events(records, "call-2", "queue_entered"):
            await records.changed_event()
    return first, second, prompt_ends


async def test_given_nobody_free_then_prompt_then_position_then_music_as_before() -> None:
    svc, records = service(["c1"])
    _first, second, prompt_ends = await behind_a_busy_counselor(svc, records)
    assert not events(records, "call-2", "queue_announced")  # nothing over the entry prompt
    assert ("hold", True) not in second.log
    prompt_ends.set()
    async with asyncio.timeout(5):
        while not events(records, "call-2", "queue_announced"):
            await records.changed_event()
    played = second.prompts()
    entry = next(i for i, p in enumerate(played) if ".connecting." in p)
    assert entry < next(i for i, p in enumerate(played) if "position.1.ko" in p)
    await asyncio.wait_for(second.music.wait(), 5)


async def test_given_a_counselor_comes_free_during_the_entry_prompt_then_they_are_rung_during_it() -> None:
    svc, records = service(["c1"])
    first, second, _prompt_ends = await behind_a_busy_counselor(svc, records)
    first.legs["c1"].ended.set()  # the first conversation ends: c1 is free (no wrap-up here)
    await asyncio.wait_for(second.connected.wait(), 5)
    assert kinds(second) == [
        ("offer", "c1"),
        ("prompt_stopped", "entry"),
        ("connect", "c1"),
    ]
    assert not events(records, "call-2", "queue_announced")


async def test_given_a_hangup_during_the_entry_prompt_while_ringing_then_a_ringing_abandon() -> None:
    svc, records = service(["c1"])
    call, _prompt_ends = slow_caller(1, {"c1": OfferResult.ANSWERED})
    call.ring_until = asyncio.Event()
    await svc.new_call(call)
    await asyncio.wait_for(call.ringing.wait(), 5)
    svc.call_ended("call-1", "normal_clearing")
    await svc.join("call-1")
    assert records.calls["call-1"].disposition == "abandoned_ringing"
    assert records.queue_events("call-1") == ["entered", "offered", "abandoned"]
    assert settled(svc.acd)
    assert ("prompt_stopped", "entry") in kinds(call)
