"""A caller and a counselor talking: recorded, ended by either side, and the
counselor protected (flows/nodes/protect.py).

The protection keys of Korean public call centers: the counselor keys *9 (or
*81, *82, *83, or presses the desk's button) and the caller hears a formal
warning; a second press ends the call with a closing prompt. The call is
flagged so its recording is kept, the caller's number gets a strike flows can
branch on, and the counselor gets a cooldown pause after the call. A queue's
call-length limit warns and ends a conversation that runs too long.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass
from typing import Any

from ivr.acd.keycodes import KeyCodes
from ivr.errors import CallGone, RecordingRefused
from ivr.flows.nodes import case_readout, transfers
from ivr.flows.nodes.protect import LIMIT_CHANGED, Endings, start_timer
from ivr.flows.nodes.transfers import Talk
from ivr.flows.run import FlowRun
from ivr.ports import CounselorLeg, QueueEvent
from ivr.protection.situations import Situation


async def talk(
    run: FlowRun,
    leg: CounselorLeg,
    *,
    resumed: bool = False,
    queue: str | None = None,
    waited: float | None = None,
    can_requeue: bool = False,
) -> Over:
    """Caller and counselor talk until the counselor hangs up (the caller's
    hangup cancels the call instead); the counselor then goes to wrap-up.
    `lost` when the counselor's line broke (their phone went silent or off the
    network) rather than the counselor hanging up: the caller is still owed
    a conversation. `requeue`: the queue the counselor sent the caller back
    into (only with `can_requeue`, from a queue node)."""
    if not resumed:
        await run.call.connect(leg)
        await run.ctx.connected(leg.counselor_id, leg.leg_id)
        await start_recording(run)
    keys = asyncio.ensure_future(_counselor_keys(run, leg))
    talking = Talk(run, leg, queue, can_requeue)
    start_timer(run, queue, resumed)
    try:
        hung_up = await _until_over(talking)
    except (asyncio.CancelledError, CallGone):
        if queue is not None:
            await _completed(run, queue, QueueEvent.COMPLETED_CALLER, talking.current, waited)
        raise
    finally:
        run.ctx.length = None
        talking.close()
        keys.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await keys
    lost = hung_up and talking.with_counselor and await talking.counselor.line_lost()
    if lost:
        await run.ctx.event("counselor_line_lost", counselor=talking.counselor.counselor_id)
    elif hung_up:
        # After a hand-over the other side is a department or a colleague (a counselor).
        current = talking.current.counselor_id
        department = talking.counselor.counselor_id.startswith("dept:") or (
            not talking.with_counselor and current not in run.ctx.acd
        )
        who = "department_hung_up" if department else "counselor_hung_up"
        await run.ctx.event(who, counselor=talking.current.counselor_id)
    if queue is not None and talking.requeue is None:  # a requeue logged `transferred` instead
        await _completed(run, queue, QueueEvent.COMPLETED_COUNSELOR, talking.current, waited)
    await run.ctx.let_go(run.call)
    return Over(lost, talking.requeue)


@dataclass(frozen=True)
class Over:
    """How a conversation ended, for the queue node that reached it."""

    lost: bool = False  # the counselor's line broke: the caller waits again in the same line
    requeue: str | None = None  # the counselor sent the caller into this queue


async def start_recording(run: FlowRun) -> str | None:
    """Record the call from here on (its conversation, or an automated call's whole
    talk), handed to the copier as any conversation; None if it could not be."""
    recording = await _record(run)
    if recording is not None:
        if run.env.recordings is not None:
            run.env.recordings.started(run.ctx.call_id, "conversation", recording)
        run.ctx.facts.recording = recording
        await run.ctx.records.updated(run.ctx.facts)
        await run.ctx.event("recording_started", recording=recording)
    return recording


async def _record(run: FlowRun) -> str | None:
    """Start the conversation's recording; a refusal is stored, and the call goes on."""
    try:
        name = await run.call.record_conversation()
    except RecordingRefused as exc:
        if run.env.recordings is not None:
            # The copier stores the failure, logs the alert and writes the timeline.
            run.env.recordings.failed(run.ctx.call_id, "conversation", exc.name, str(exc))
        else:
            await run.ctx.event("recording_failed", recording=exc.name, error=str(exc))
        return None
    if name is None:
        await run.ctx.event("recording_failed")
    return name


async def _until_over(talking: Talk) -> bool:
    """Wait for the other side to hang up (True) or for the counselor or the
    call-length limit to end the call (False); carry out the counselor's
    transfers meanwhile."""
    run = talking.run
    endings = Endings(run)
    while True:
        command = asyncio.ensure_future(run.ctx.commands.get())
        waiting: set[asyncio.Future[Any]] = {talking.ended, command}
        timer = run.ctx.length
        deadline = timer.next_deadline() if timer is not None and talking.with_counselor else None
        if deadline is not None:
            waiting.add(asyncio.ensure_future(asyncio.sleep(max(0.0, deadline - run.ctx.monotonic()))))
        try:
            await asyncio.wait(waiting, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for future in waiting - {talking.ended}:
                if not future.done():  # the call ended: no command is waited for any more
                    future.cancel()
        if talking.ended.done():
            return True
        if (
            timer is not None
            and talking.with_counselor
            and await endings.length_due(timer, talking.counselor)
        ):
            return False
        if not command.done() or command.cancelled():
            continue
        name = command.result()
        kind, _, digit = name.partition(":")
        situation = next((s for s in Situation if s.value == name), None)
        if name == LIMIT_CHANGED:
            continue  # the loop reads the new deadline
        if not talking.with_counselor:
            # Handed over: the counselor has left and has nothing more to say here.
            await run.ctx.event("counselor_command_ignored", command=name)
        elif situation is not None:
            if await endings.command(situation, talking.counselor):
                return False
        elif kind == "blind":
            await transfers.blind(talking, digit)
        elif kind == "consult":
            await transfers.consult(talking, digit)
        elif kind == "colleague":
            await transfers.colleague(talking, digit)
        elif kind == "queue":
            await transfers.to_queue(talking, digit)
            if talking.requeue is not None:
                return False
        elif kind == case_readout.COMMAND:
            await case_readout.read_out(run, digit)
        else:
            await run.ctx.event("counselor_command_ignored", command=name)


async def _counselor_keys(run: FlowRun, leg: CounselorLeg) -> None:
    """Turn the counselor's key presses into commands for `_until_over`."""
    codes = KeyCodes()
    while True:
        key = await leg.next_key()
        command = codes.feed(key, run.ctx.monotonic())
        if command is not None:
            await run.ctx.event("counselor_key", command=command, counselor=leg.counselor_id)
            run.ctx.commands.put_nowait(command)


async def _completed(
    run: FlowRun, queue: str, event: QueueEvent, leg: CounselorLeg, waited: float | None
) -> None:
    connected = run.ctx.facts.connected_at
    talked = (run.ctx.now() - connected).total_seconds() if connected else None
    await run.ctx.queue_log(
        queue,
        event,
        counselor_id=leg.counselor_id,
        waited=waited,
        talked=round(talked, 1) if talked is not None else None,
    )
