"""A caller hanging up (or the service stopping) in the same moment as what a
call path waits for arrives: the cancellation must reach the call, never be
swallowed, and nothing waited for is dropped.

On Python 3.11 `asyncio.wait_for` returns the awaited result instead of
raising when both land in one step of the loop (CPython gh-86296). Each test
delivers both in one step; each failed on the wait_for it replaces.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from ivr.acd.counselor_model import CounselorState
from ivr.ari.bridging import Bridging
from ivr.ari.channels import CallChannels
from ivr.ari.prompts import Prompts
from ivr.ari.recorder import Recorder
from ivr.calls.recording_copier import RecordingCopier
from tests.unit.fakes import MemoryRecords, dispatcher
from tests.unit.test_recording_copier import Archive, Pbx

SEOUL = ZoneInfo("Asia/Seoul")
SOON = 2.0  # seconds: a cancelled task ends at once; this only bounds a failure


@dataclass
class Rest:
    """Asterisk's REST as one call's parts use it: every request is taken, and noted."""

    asked: list[str] = field(default_factory=list)
    heard: asyncio.Event = field(default_factory=asyncio.Event)

    async def post(self, path: str, **_: Any) -> dict[str, Any]:
        self.asked.append(f"POST {path}")
        self.heard.set()
        return {}

    async def delete(self, path: str, **_: Any) -> None:
        self.asked.append(f"DELETE {path}")
        self.heard.set()


def call_parts() -> tuple[Rest, CallChannels]:
    rest = Rest()
    return rest, CallChannels(rest, "hotline", "c1")  # type: ignore[arg-type]


async def waiting(body: Coroutine[Any, Any, Any], ready: Callable[[], bool]) -> asyncio.Task[Any]:
    """`body` as a call's task, once it waits (`ready`: what it asked for so far)."""
    task = asyncio.ensure_future(body)
    async with asyncio.timeout(SOON):
        while not ready():  # noqa: ASYNC110 - a fake's state, one loop step at a time: no sleeping
            await asyncio.sleep(0)
    await asyncio.sleep(0)  # and one step more: now it waits for the event
    return task


async def cancelled(task: asyncio.Task[Any]) -> None:
    task.cancel()  # the caller hangs up, in the same moment as the event
    with pytest.raises(asyncio.CancelledError):
        async with asyncio.timeout(SOON):
            await task


async def test_a_key_pressed_as_the_caller_hangs_up_ends_the_call() -> None:
    _, channels = call_parts()
    prompts = Prompts(channels, "ko")
    task = await waiting(prompts.read_digit(10), lambda: True)
    prompts.on_key({"type": "ChannelDtmfReceived", "digit": "1"})
    await cancelled(task)


async def test_a_key_pressed_as_the_wait_for_one_runs_out_is_kept_for_the_next_read() -> None:
    _, channels = call_parts()
    prompts = Prompts(channels, "ko")
    task = asyncio.ensure_future(prompts.read_digit(0))
    await asyncio.sleep(0)  # it waits, and its time is up in the next step...
    prompts.on_key({"type": "ChannelDtmfReceived", "digit": "7"})  # ...the key's step
    assert await task is None
    assert await prompts.read_digit(0.5) == "7"  # not dropped


async def test_the_caller_leaving_the_bridge_as_they_hang_up_ends_the_call() -> None:
    # The counselor hung up; the conversation is taken down and the caller hangs up too.
    rest, channels = call_parts()
    bridging = Bridging(channels)
    leg = channels.new_leg("kim")
    bridging.on_caller_moved("ChannelEnteredBridge", {"bridge": {"id": "c1-talk"}})
    task = await waiting(bridging.release(leg), lambda: "DELETE bridges/c1-talk" in rest.asked)
    bridging.on_caller_moved("ChannelLeftBridge", {"bridge": {"id": "c1-talk"}})
    await cancelled(task)


async def test_a_message_ending_as_the_caller_hangs_up_ends_the_call() -> None:
    rest, channels = call_parts()
    recorder = Recorder(channels)
    task = await waiting(
        recorder.record_message(max_seconds=60, silence_seconds=5, beep=True), lambda: bool(rest.asked)
    )
    [name] = recorder._recordings
    recorder.on_ended("RecordingFinished", {"recording": {"name": name, "duration": 4}})
    await cancelled(task)


async def test_an_offer_landing_as_the_caller_hangs_up_ends_their_wait() -> None:
    acd = dispatcher(["kim"])
    acd.enter("first", "general")
    assert await acd.next_offer("first", 0) == "kim"
    acd.answered("first", "kim")
    acd.enter("c1", "general")
    task = await waiting(acd.next_offer("c1", 30), lambda: True)
    offered = asyncio.Event()
    acd.subscribe(lambda: acd.state("kim") is CounselorState.RESERVED and offered.set())
    acd.call_ended("kim")  # kim's wrap-up is over at once, and the caller is offered to kim...
    async with asyncio.timeout(SOON):
        await offered.wait()
    await cancelled(task)  # ...as they hang up: nobody is rung for them


async def test_the_copier_stops_when_told_even_as_an_event_arrives() -> None:
    archive = Archive()
    copier = RecordingCopier(archive, Pbx(), MemoryRecords(), lambda: datetime(2026, 12, 7, tzinfo=SEOUL))
    swept = asyncio.Event()
    waiting_rows = archive.waiting

    async def sweep_seen() -> list[tuple[str, str]]:
        swept.set()
        return await waiting_rows()

    archive.waiting = sweep_seen  # type: ignore[method-assign]
    task = await waiting(copier.run(), swept.is_set)
    copier.started("c1", "conversation", "call-c1")
    await cancelled(task)  # the service stopping: it used to wait on, for the next minute's sweep


# Where asyncio.wait_for may stay: no call or recording waits there (the
# fallback queue's QueueStatus at login; a draft's simulation for the desk).
WAIT_FOR_KEPT = {"ivr/ami/fallback_queue.py", "ivr/admin/drafts.py"}


def test_no_call_or_recording_path_waits_with_wait_for() -> None:
    root = Path(__file__).resolve().parents[2]
    found = {
        str(path.relative_to(root))
        for path in (root / "ivr").rglob("*.py")
        if "asyncio.wait_for(" in path.read_text(encoding="utf-8")
    }
    assert found <= WAIT_FOR_KEPT, (
        f"use asyncio.timeout() (see this module's docstring): {found - WAIT_FOR_KEPT}"
    )
