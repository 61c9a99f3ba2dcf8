"""`queue` and `transfer`: reach a person.

A caller waits in line with hold music; the dispatcher offers them to a
counselor by the queue's rules. A counselor who does not answer is skipped
and the caller keeps their place; the caller's hangup takes them out of line.

`ctx.in_line` says where the caller is meanwhile (waiting, or a counselor's
phone ringing for them): a hangup then is an `abandoned` line in the queue
log, and the call's disposition the matching abandon (CallContext.finish).
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Coroutine
from dataclasses import dataclass
from typing import Any

from ivr.acd.dispatcher import EMPTY
from ivr.acd.routing import Admission
from ivr.errors import CallGone
from ivr.flows import model
from ivr.flows.context import InLine
from ivr.flows.nodes.conversation import talk
from ivr.flows.nodes.line_sound import LineSound
from ivr.flows.promptbook import ANNOUNCE_MAX
from ivr.flows.run import FlowRun
from ivr.ports import CounselorLeg, QueueEvent

LINE_LOST = "jeonju/line-lost"
REQUEUE = "requeue:"  # an outcome `connect` never returns: the caller goes on into that queue


@dataclass
class _Place:
    """One caller's stay in one queue, for the queue log."""

    queue: str
    entered: float  # monotonic
    entry_position: int


async def connect(node: model.QueueNode, run: FlowRun) -> str | None:
    """The caller in line until a counselor takes them (or the node's other outcomes); a
    counselor may send them on into another queue, where they wait first in line."""
    while True:
        outcome = await _connect(node, run)
        if outcome is None or not outcome.startswith(REQUEUE):
            return outcome
        queue = outcome.removeprefix(REQUEUE)
        # The call's record keeps the way (its IVR path, the CDR's ivr_path): the flow's own
        # node for that line, so that a restart of the service finds the caller waiting there
        # (CallService.resume takes up the last queue node of the path), else `queue:<id>`.
        found = own_node(run.flow, queue)
        await run.ctx.step(found[0] if found else f"queue:{queue}", type="queue")
        node = requeued(node, run.flow, queue)


def own_node(flow: model.Flow, queue: str) -> tuple[str, model.QueueNode] | None:
    """The flow's first `queue` node for `queue`, with its id."""
    return next(
        ((i, n) for i, n in flow.nodes.items() if isinstance(n, model.QueueNode) and n.queue == queue), None
    )


def requeued(node: model.QueueNode, flow: model.Flow, queue: str) -> model.QueueNode:
    """The node a transferred caller waits in: `queue`, with priority (at the head of the
    line), the prompts of this flow's own node for that queue if it has one, and this node's
    keys (its outcomes are the ones the flow maps)."""
    found = own_node(flow, queue)
    own = found[1] if found else None
    update: dict[str, Any] = {"queue": queue, "priority": True, "max_wait_seconds": None}
    if own is not None:
        update |= {
            "prompt": own.prompt,
            "max_wait_seconds": own.max_wait_seconds,
            "announce_every_seconds": own.announce_every_seconds,
        }
    return node.model_copy(update=update)


async def _connect(node: model.QueueNode, run: FlowRun) -> str | None:
    acd = run.ctx.acd
    call_id = run.ctx.call_id
    priority = run.priority or node.priority
    resumed, run.ctx.resumed_place = run.ctx.resumed_place, None
    if resumed is not None and resumed.queue != node.queue:
        resumed = None
    entered_at, since = run.ctx.monotonic(), run.ctx.now()
    if resumed is not None:
        # Back in line after a restart of the service, at the place they had.
        priority = priority or resumed.priority
        since = resumed.entered_at
        entered_at -= max(0.0, (run.ctx.now() - since).total_seconds())
    verdict = acd.enter(call_id, node.queue, priority=priority, entered_at=entered_at)
    if verdict is not Admission.ADMITTED:
        run.ctx.overflowed = True
        await run.ctx.event("queue_refused", queue=node.queue, reason=verdict.value)
        await run.ctx.queue_log(node.queue, QueueEvent.REFUSED, detail={"reason": verdict.value})
        return "closed" if verdict is Admission.CLOSED else "overflow"
    position = acd.position(call_id)
    entry_position = resumed.entry_position if resumed and resumed.entry_position else position
    place = _Place(node.queue, entered_at, entry_position)
    run.ctx.queue_place = (node.queue, since)  # a callback asked for from the line keeps it
    # In line from the moment the dispatcher took them: a hangup even while
    # `entered` is being written takes them out of line again, as an abandon.
    run.ctx.in_line = InLine.WAITING
    try:
        if resumed is not None:
            await run.ctx.event("queue_resumed", queue=node.queue, position=position, since=since.isoformat())
        else:
            await run.ctx.event("queue_entered", queue=node.queue, priority=priority, position=position)
            await run.ctx.queue_log(
                node.queue,
                QueueEvent.ENTERED,
                at=since,
                position=position,
                detail={"priority": True} if priority else {},
            )
        return await _wait_in_line(node, run, place)
    except (asyncio.CancelledError, CallGone):
        if run.ctx.in_line is not None:
            # Hung up while waiting (or while a counselor's phone rang): an
            # abandon, with where they were in line and for how long. in_line
            # stays: the call's record ends as the same abandon.
            await run.ctx.queue_log(
                node.queue,
                QueueEvent.ABANDONED,
                position=_position(run),
                entry_position=place.entry_position,
                waited=_since(run, place.entered),
            )
        raise
    except Exception:
        run.ctx.in_line = None  # a fault: the flow's error outcome goes on out of line
        raise
    finally:
        acd.leave(call_id)  # no-op once connected; a hangup takes the caller out of line


async def _wait_in_line(node: model.QueueNode, run: FlowRun, place: _Place) -> str:
    sound = LineSound(run)
    # In line (and offered to a free counselor) while the entry prompt plays.
    sound.open(node.prompt)
    try:
        return await _in_line(node, run, place, sound)
    finally:
        await sound.close()


async def _in_line(node: model.QueueNode, run: FlowRun, place: _Place, sound: LineSound) -> str:
    acd, call_id = run.ctx.acd, run.ctx.call_id
    limit = node.max_wait_seconds or acd.queues[node.queue].max_wait_seconds or math.inf
    # 0 turns the announcements off, the one on entry too.
    every = node.announce_every_seconds or math.inf
    next_announce = run.ctx.monotonic() if node.announce_every_seconds else math.inf
    # A counselor free right now: ring at once, during the entry prompt, with
    # no announcement; else hold music (or the position) without a moment of silence.
    counselor_id = await acd.next_offer(call_id, 0)
    while True:
        if counselor_id:
            if not sound.opening:
                await sound.hold()
            leg = await _ring(run, counselor_id, place, sound)
            if leg is not None:
                if await sound.stop_opening():
                    await run.ctx.event("queue_prompt_cut", queue=node.queue)
                waited = _since(run, place.entered)
                await run.ctx.event("queue_connected", queue=node.queue, waited=waited)
                await run.ctx.queue_log(
                    node.queue,
                    QueueEvent.CONNECTED,
                    counselor_id=counselor_id,
                    entry_position=place.entry_position,
                    waited=waited,
                )
                await sound.unhold()
                over = await talk(run, leg, queue=node.queue, waited=waited, can_requeue=True)
                if over.requeue is not None:
                    return REQUEUE + over.requeue
                if not over.lost:
                    return "completed"
                counselor_id = await _back_in_line(node, run, place)
                continue
        if sound.opening and counselor_id != EMPTY:
            # Nobody answered yet: the entry prompt plays to its end; a
            # counselor who comes free meanwhile is rung during it.
            counselor_id = await _unless_offered(run, sound.opening_ended())
            if counselor_id:
                continue
        waited = run.ctx.monotonic() - place.entered
        if counselor_id == EMPTY or waited >= limit:
            # Nobody is working this queue any more, or the caller waited long enough.
            run.ctx.overflowed = True
            run.ctx.in_line = None  # out of line (and of the queue log) from here
            kind = "queue_empty" if counselor_id == EMPTY else "queue_timeout"
            await run.ctx.event(kind, queue=node.queue, waited=_since(run, place.entered))
            await run.ctx.queue_log(
                node.queue,
                QueueEvent.EXIT_EMPTY if counselor_id == EMPTY else QueueEvent.EXIT_TIMEOUT,
                position=_position(run),
                entry_position=place.entry_position,
                waited=_since(run, place.entered),
            )
            await sound.unhold()
            return "overflow"
        now = run.ctx.monotonic()
        if now >= next_announce:
            await sound.unhold()
            next_announce = now + every
            counselor_id = await _unless_offered(run, _announce(run, node.queue, node.leave_prompt))
            if counselor_id is not None:
                continue  # a counselor came free during the announcement: ring now
        await sound.hold()
        wait = min(limit - waited, next_announce - run.ctx.monotonic())
        counselor_id, pressed = await _wait(run, node, None if math.isinf(wait) else max(0.0, wait))
        if pressed:
            run.ctx.in_line = None  # left with the key: a hangup from here is not the queue's
            waited = _since(run, place.entered)
            await run.ctx.event("queue_left", queue=node.queue, key=pressed, waited=waited)
            await run.ctx.queue_log(
                node.queue,
                QueueEvent.EXIT_KEY,
                position=_position(run),
                entry_position=place.entry_position,
                waited=waited,
                detail={"key": pressed},
            )
            await sound.unhold()
            return "left" if pressed == node.leave_key else "book"


async def _back_in_line(node: model.QueueNode, run: FlowRun, place: _Place) -> str | None:
    """The counselor's line broke mid-conversation: the caller is told, and
    waits again first in line, not from the start of the hotline. The
    counselor to offer them to at once, None to wait, EMPTY when nobody
    works the queue any more (its overflow)."""
    acd, call_id = run.ctx.acd, run.ctx.call_id
    await run.call.play([LINE_LOST], barge_in=False)
    run.ctx.in_line = InLine.WAITING
    verdict = acd.rejoin(call_id, node.queue, place.entered)
    # The queue's longest wait counts from here: their talk was no wait.
    place.entered = run.ctx.monotonic()
    await run.ctx.event("queue_reentered", queue=node.queue, admitted=verdict.value)
    if verdict is not Admission.ADMITTED:
        return EMPTY
    return await acd.next_offer(call_id, 0)


def _position(run: FlowRun) -> int | None:
    """Where the caller is in line now; None once they are out of it."""
    try:
        return run.ctx.acd.position(run.ctx.call_id)
    except KeyError:
        return None


def _since(run: FlowRun, start: float) -> float:
    return round(run.ctx.monotonic() - start, 1)


async def _wait(run: FlowRun, node: model.QueueNode, timeout: float | None) -> tuple[str | None, str | None]:
    """A counselor offered (or None/EMPTY), and the leave (or book) key if the caller pressed it first."""
    acd = run.ctx.acd
    offer = asyncio.ensure_future(acd.next_offer(run.ctx.call_id, timeout))
    leave_keys = {k for k in (node.leave_key, node.book_key) if k}
    if not leave_keys:
        return await offer, None
    listening = True
    key: asyncio.Future[str | None] | None = None
    try:
        while True:
            key = asyncio.ensure_future(run.call.read_digit(timeout if timeout is not None else 3600.0))
            waiting: set[asyncio.Future[str | None]] = {offer, key} if listening else {offer}
            await asyncio.wait(waiting, return_when=asyncio.FIRST_COMPLETED)
            if offer.done():
                return offer.result(), None
            pressed = key.result()
            if pressed in leave_keys:
                return None, pressed
            # Another key means nothing here; silence (a fake call's None) stops listening.
            listening = pressed is not None
            if not listening:
                return await offer, None
    finally:
        # A hangup cancels us here: neither wait may outlive the call.
        for task in (offer, key):
            if task is not None and not task.done():
                task.cancel()


async def _unless_offered(run: FlowRun, saying: Coroutine[Any, Any, None]) -> str | None:
    """Something said (the position announcement), or heard (the entry prompt's
    end), cut short when a counselor is offered meanwhile: their phone rings at
    once, not after it; the offer, or None. Cutting the wait for the entry
    prompt's end does not cut the prompt: it plays on while the phone rings."""
    offer = asyncio.ensure_future(run.ctx.acd.next_offer(run.ctx.call_id, None))
    speaking = asyncio.ensure_future(saying)
    try:
        await asyncio.wait({offer, speaking}, return_when=asyncio.FIRST_COMPLETED)
        if speaking.done():
            speaking.result()  # a hangup during it ends the call here
    finally:
        for task in (speaking, offer):
            if not task.done():
                task.cancel()
        await asyncio.gather(speaking, offer, return_exceptions=True)
    # Not offered yet: the request stands, and the next wait takes what comes.
    return offer.result() if offer.done() and not offer.cancelled() else None


async def _announce(run: FlowRun, queue: str, leave_prompt: str | None = None) -> None:
    """Position in line, and the expected wait only when it can be trusted."""
    acd, call_id = run.ctx.acd, run.ctx.call_id
    position = acd.position(call_id)
    minutes = acd.estimate_minutes(call_id)
    prompts = [f"position_{min(position, ANNOUNCE_MAX)}"]
    if minutes is not None:
        prompts.append(f"wait_{min(minutes, ANNOUNCE_MAX)}")
    if leave_prompt:
        prompts.append(leave_prompt)
    await run.ctx.event("queue_announced", queue=queue, position=position, minutes=minutes)
    await run.say(prompts)


async def _ring(run: FlowRun, counselor_id: str, place: _Place, sound: LineSound) -> CounselorLeg | None:
    ctx, acd = run.ctx, run.ctx.acd
    ctx.in_line = InLine.RINGING
    await ctx.event("offer", counselor=counselor_id)
    await ctx.queue_log(place.queue, QueueEvent.OFFERED, counselor_id=counselor_id, position=_position(run))
    endpoint = acd.endpoints[counselor_id]
    sound.music_when_opening_ends()  # ringing during the entry prompt: music after it
    # A hangup while ringing raises here; `connect`'s finally then takes the
    # caller out of line, which cancels the offer without counting it missed.
    result, leg = await run.call.offer(counselor_id, endpoint, run.env.ring_seconds)
    # No await between the answer and this: a hangup cannot slip in and
    # leave the counselor reserved with nobody to release them.
    acd.settle_offer(ctx.call_id, counselor_id, result)
    # Answered: out of line, into the conversation; else waiting again, in
    # their place (before the queue log says so: it follows the same order).
    ctx.in_line = None if leg is not None else InLine.WAITING
    if leg is not None:
        ctx.leg = leg
    await ctx.event("offer_result", counselor=counselor_id, result=result.value)
    if leg is None:
        await ctx.queue_log(
            place.queue,
            QueueEvent.RING_NO_ANSWER,
            counselor_id=counselor_id,
            waited=_since(run, place.entered),
            detail={"result": result.value},
        )
        await sound.ring_over()
    return leg


async def transfer(node: model.TransferNode, run: FlowRun) -> str | None:
    department = run.env.departments[node.department]
    if node.prompt:
        await run.say([node.prompt])
    await run.call.hold(True)
    result, leg = await run.call.offer(f"dept:{department.name}", department.endpoint, node.ring_seconds)
    await run.ctx.event("transfer", department=department.name, result=result.value)
    await run.call.hold(False)
    if leg is None:
        return "failed"
    run.ctx.leg = leg
    await run.call.connect(leg)
    await leg.wait_ended()
    await run.ctx.let_go(run.call)
    return "completed"
