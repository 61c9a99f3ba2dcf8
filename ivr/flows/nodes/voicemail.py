"""`voicemail`: a message after the beep, kept with the call."""

from __future__ import annotations

import asyncio
import contextlib

from ivr.errors import HotlineError
from ivr.flows import model
from ivr.flows.run import FlowRun

# At most, for the PBX to end a message the caller ended by hanging up (it does so
# as the call ends: Asterisk sends RecordingFinished with the hangup).
HANGUP_FINISH_SECONDS = 2.0


async def record(node: model.VoicemailNode, run: FlowRun) -> str | None:
    await run.say([node.prompt])
    recording = asyncio.ensure_future(
        run.call.record_message(
            max_seconds=node.max_seconds, silence_seconds=node.silence_seconds, beep=node.beep
        )
    )
    try:
        # Shielded: the caller's hangup cancels the call, not the recording.
        message = await asyncio.shield(recording)
    except asyncio.CancelledError:
        # Many callers end their message by hanging up, not with #: it is kept all
        # the same, before the call's record closes (the hangup still ends the call).
        left = None
        with contextlib.suppress(TimeoutError, HotlineError):
            async with asyncio.timeout(HANGUP_FINISH_SECONDS):
                left = await recording
        if left is not None:
            await _keep(run, *left)
        raise
    if message is None:
        await run.ctx.event("voicemail_failed")
        return "error"
    await _keep(run, *message)
    return "done"


async def _keep(run: FlowRun, name: str, seconds: float) -> None:
    await run.ctx.records.add_voicemail(run.ctx.call_id, run.call.caller, name, seconds, run.env.now())
    await run.ctx.event("voicemail", recording=name, seconds=seconds)
