"""`play` and `hangup`: what the caller hears, and the polite end."""

from __future__ import annotations

from ivr.flows import model
from ivr.flows.run import FlowRun
from ivr.ports import Disposition


async def play(node: model.PlayNode, run: FlowRun) -> str | None:
    digit = await run.say(node.prompts, barge_in=node.barge_in)
    if digit is not None:
        # Barge-in: the digit answers whatever menu comes next.
        run.pending_digit = digit
    return "done"


async def hangup(node: model.HangupNode, run: FlowRun) -> str | None:
    if node.prompt:
        await run.say([node.prompt])
    run.ctx.finish(Disposition.IVR_ENDED, hangup_by="system")
    await run.call.hangup()
    return None
