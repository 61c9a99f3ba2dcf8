"""`voicemail`: a message after the beep, kept with the call."""

from __future__ import annotations

from ivr.flows import model
from ivr.flows.run import FlowRun


async def record(node: model.VoicemailNode, run: FlowRun) -> str | None:
    await run.say([node.prompt])
    message = await run.call.record_message(
        max_seconds=node.max_seconds, silence_seconds=node.silence_seconds, beep=node.beep
    )
    if message is None:
        await run.ctx.event("voicemail_failed")
        return "error"
    name, seconds = message
    await run.ctx.records.add_voicemail(run.ctx.call_id, run.call.caller, name, seconds, run.env.now())
    await run.ctx.event("voicemail", recording=name, seconds=seconds)
    return "done"
