"""Transfers by the counselor: blind (*4N) and after a consultation (*5N, then
*6 complete or *7 return). N is the department's place in config.yaml. From
the desk, also to a colleague who is available now (`colleague:<id>`): the
colleague is reserved for this call as the queue would, rung, and takes the
caller once they answer. And back into a queue (`queue:<name>`, e.g. 외국어 상담):
the counselor is freed at once and the caller waits again at the head of that
line (flows/nodes/queue.py: requeue).

A blind transfer keeps counselor and caller talking while the department's
phone rings, and hands the caller over only once it answers: nobody is left
with a caller ringing into the void. In a consultation the caller hears hold
music while the counselor and the department talk aside.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from ivr.acd.counselor_model import Event
from ivr.flows.run import Department, FlowRun
from ivr.ports import CounselorLeg, QueueEvent


@dataclass
class Talk:
    """Who the caller is talking with now, and when that ends."""

    run: FlowRun
    counselor: CounselorLeg
    queue: str | None
    # Only a conversation reached from a queue node can send the caller back into a queue.
    can_requeue: bool = False
    requeue: str | None = None  # the queue the caller goes back into; set once, ends the talk
    current: CounselorLeg = field(init=False)
    ended: asyncio.Future[None] = field(init=False)

    def __post_init__(self) -> None:
        self.current = self.counselor
        self.ended = asyncio.ensure_future(self.counselor.wait_ended())

    @property
    def with_counselor(self) -> bool:
        return self.current is self.counselor

    async def hand_over(self, leg: CounselorLeg, kind: str, to: str, whom: str = "department") -> None:
        """The department (or colleague) `to` takes the caller; the counselor goes to wrap-up."""
        ctx, call = self.run.ctx, self.run.call
        self.ended.cancel()
        self.current = leg
        ctx.leg = leg
        self.ended = asyncio.ensure_future(leg.wait_ended())
        # On record at once: a restart of the service must find the caller
        # with the department, not alone after their counselor's leg ended.
        ctx.facts.counselor_leg, ctx.facts.handed_to = leg.leg_id, to
        await ctx.records.updated(ctx.facts)
        await call.drop(self.counselor)
        if self.counselor.counselor_id in ctx.acd:
            ctx.acd.call_ended(self.counselor.counselor_id)
        await ctx.event("transferred", how=kind, counselor=self.counselor.counselor_id, **{whom: to})
        if self.queue is not None:
            await ctx.queue_log(
                self.queue,
                QueueEvent.TRANSFERRED,
                counselor_id=self.counselor.counselor_id,
                detail={"kind": kind, whom: to},
            )

    def close(self) -> None:
        self.ended.cancel()


def department(run: FlowRun, digit: str) -> Department | None:
    departments = list(run.env.departments.values())
    n = int(digit) if digit.isdigit() else 0
    return departments[n - 1] if 1 <= n <= len(departments) else None


async def _ring(talk: Talk, department: Department) -> CounselorLeg | None:
    run = talk.run
    await run.ctx.event("transfer_ringing", department=department.name)
    result, leg = await run.call.offer(f"dept:{department.name}", department.endpoint, run.env.ring_seconds)
    if leg is None:
        await run.ctx.event("transfer_failed", department=department.name, result=result.value)
    return leg


async def blind(talk: Talk, digit: str) -> None:
    found = department(talk.run, digit)
    if found is None:
        await talk.run.ctx.event("transfer_refused", department=digit, reason="no such department")
        return
    leg = await _ring(talk, found)
    if leg is not None:
        await talk.run.call.join(leg)
        await talk.hand_over(leg, "blind", found.name)


async def consult(talk: Talk, digit: str) -> None:
    run = talk.run
    found = department(run, digit)
    if found is None:
        await run.ctx.event("transfer_refused", department=digit, reason="no such department")
        return
    await run.call.aside(talk.counselor)  # the caller hears hold music from here
    await run.ctx.event("consult_started", department=found.name)
    leg = await _ring(talk, found)
    if leg is None:
        await run.call.back(talk.counselor)
        return
    await run.call.aside(leg)
    await run.ctx.event("consulting", department=found.name)
    dept_ended = asyncio.ensure_future(leg.wait_ended())
    try:
        while True:
            command = asyncio.ensure_future(run.ctx.commands.get())
            waiting: set[asyncio.Future[Any]] = {command, dept_ended, talk.ended}
            try:
                await asyncio.wait(waiting, return_when=asyncio.FIRST_COMPLETED)
            finally:
                if not command.done():
                    command.cancel()
            if dept_ended.done() or (command.done() and command.result() == "return"):
                # The department hung up, or the counselor takes the caller back.
                await run.call.drop(leg)
                await run.call.back(talk.counselor)
                await run.ctx.event("consult_returned", department=found.name)
                return
            if talk.ended.done() or (command.done() and command.result() == "complete"):
                # Completed (a counselor hanging up while consulting completes it too).
                await run.call.back(leg)
                await talk.hand_over(leg, "attended", found.name)
                return
            await run.ctx.event("counselor_command_ignored", command=command.result())
    except BaseException:
        await run.call.drop(leg)  # the caller hung up mid-consultation
        raise
    finally:
        dept_ended.cancel()


async def colleague(talk: Talk, counselor_id: str) -> None:
    """Hand the caller to a colleague who is available now: reserved for this call, rung,
    and connected once they answer; the counselor stays with the caller until then."""
    run = talk.run
    ctx, acd = run.ctx, run.ctx.acd
    mate = acd.counselors.get(counselor_id)
    if mate is None or counselor_id == talk.counselor.counselor_id or not mate.is_offerable(acd.now()):
        await ctx.event("transfer_refused", colleague=counselor_id, reason="not available")
        return
    acd.apply(counselor_id, Event.offer(ctx.call_id))
    await ctx.event("transfer_ringing", colleague=counselor_id)
    result, leg = await run.call.offer(counselor_id, acd.endpoints[counselor_id], run.env.ring_seconds)
    if leg is None:
        # A colleague not taking a transfer is not a missed queue call: free again, no strike.
        acd.not_offered(ctx.call_id, counselor_id)
        await ctx.event("transfer_failed", colleague=counselor_id, result=result.value)
        return
    acd.answered(ctx.call_id, counselor_id)
    await run.call.join(leg)
    await talk.hand_over(leg, "colleague", counselor_id, whom="colleague")


async def to_queue(talk: Talk, queue: str) -> None:
    """Send the caller back into `queue`: the counselor's part ends (wrap-up) and the caller
    waits again, first in line as a transferred call, hearing that queue's prompts."""
    run = talk.run
    ctx = run.ctx
    if not talk.can_requeue or queue not in ctx.acd.queues:
        reason = "no such queue" if queue not in ctx.acd.queues else "not from a queue"
        await ctx.event("transfer_refused", queue=queue, reason=reason)
        return
    talk.requeue = queue
    counselor = talk.counselor.counselor_id
    # The counselor's leg is let go by the conversation's end (CallContext.let_go): wrap-up.
    await ctx.event("transferred", how="queue", counselor=counselor, queue=queue)
    if talk.queue is not None:
        await ctx.queue_log(
            talk.queue,
            QueueEvent.TRANSFERRED,
            counselor_id=counselor,
            detail={"kind": "queue", "queue": queue},
        )
