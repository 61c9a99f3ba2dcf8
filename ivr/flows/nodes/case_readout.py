"""The desk's "접수번호 읽어 주기": a case number read into the conversation.

The counselor's desk sends `case_number:<number>` as a command for the call
(CallService.counselor_command); the conversation plays the number into the
bridge with `announce`, so the citizen and the counselor both hear it and the
recording keeps it. The call goes on afterwards as before.
"""

from __future__ import annotations

from ivr.flows.nodes.protect import sound
from ivr.flows.run import FlowRun
from ivr.prompts.case_number import case_number_prompts
from ivr.prompts.catalog import language_for

COMMAND = "case_number"


def command(number: str) -> str:
    """The command string the desk sends for `number`."""
    return f"{COMMAND}:{number}"


async def read_out(run: FlowRun, number: str) -> None:
    """Play the number to both sides; a number that is no number is noted and not read."""
    try:
        prompts = case_number_prompts(number)
    except ValueError:
        await run.ctx.event("case_number_refused", number=number[:20])
        return
    language = language_for("case-number-intro", run.language)
    await run.ctx.event("case_number_read", number=number)
    await run.call.announce([sound(p) for p in prompts], language)
