"""`queue` and `transfer`: reach a person.

Until the queue issue brings waiting lines, a queue rings its free
counselors one after another (longest idle first); the caller hears hold
music meanwhile.
"""

from __future__ import annotations

from ivr.flows import model
from ivr.flows.engine import FlowRun
from ivr.ports import CounselorLeg, OfferResult


async def connect(node: model.QueueNode, run: FlowRun) -> str | None:
    queue = run.env.queues[node.queue]
    if not queue.counselors:
        run.ctx.overflowed = True
        await run.ctx.event("queue_closed", queue=node.queue)
        return "closed"
    if node.prompt:
        await run.say([node.prompt])
    await run.ctx.event("queue_entered", queue=node.queue, priority=run.priority)
    await run.call.hold(True)
    tried: set[str] = set()
    members = set(queue.counselors)
    while True:
        candidates = [c for c in run.ctx.pool.hunt_order(exclude=tried) if c.id in members]
        if not candidates:
            break
        counselor = candidates[0]
        tried.add(counselor.id)
        leg = await _ring(run, counselor.id, counselor.endpoint)
        if leg is not None:
            await run.call.hold(False)
            await talk(run, leg)
            return "completed"
    await run.call.hold(False)
    run.ctx.overflowed = True
    await run.ctx.event("queue_overflow", queue=node.queue, tried=len(tried))
    return "overflow"


async def _ring(run: FlowRun, counselor_id: str, endpoint: str) -> CounselorLeg | None:
    ctx = run.ctx
    ctx.pool.reserve(counselor_id, ctx.call_id)
    await ctx.event("offer", counselor=counselor_id)
    result, leg = OfferResult.UNREACHABLE, None
    try:
        result, leg = await run.call.offer(counselor_id, endpoint, run.env.ring_seconds)
    finally:
        if leg is None:
            ctx.pool.release(counselor_id, ctx.monotonic(), talked=False)
    if leg is not None:
        # No await between the answer and this: a hangup cannot slip in and
        # leave the counselor marked busy with nobody releasing them.
        ctx.pool.on_call(counselor_id, ctx.call_id)
        ctx.leg = leg
    await ctx.event("offer_result", counselor=counselor_id, result=result.value)
    return leg


async def talk(run: FlowRun, leg: CounselorLeg, *, resumed: bool = False) -> None:
    """Caller and counselor talk until the counselor hangs up (the caller's
    hangup cancels the call instead); the counselor is then free again."""
    if not resumed:
        await run.call.connect(leg)
        await run.ctx.connected(leg.counselor_id, leg.leg_id)
        recording = await run.call.record_conversation()
        if recording is None:
            await run.ctx.event("recording_failed")
        else:
            run.ctx.facts.recording = recording
            await run.ctx.records.updated(run.ctx.facts)
            await run.ctx.event("recording_started", recording=recording)
    await leg.wait_ended()
    await run.ctx.event("counselor_hung_up", counselor=leg.counselor_id)
    await run.ctx.let_go(run.call)


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
