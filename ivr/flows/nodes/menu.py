"""`menu`: a prompt, then one digit; re-prompts on silence and wrong digits."""

from __future__ import annotations

from ivr.flows import model
from ivr.flows.run import FlowRun


async def ask(node: model.MenuNode, run: FlowRun) -> str | None:
    options = node.options()
    failures = 0
    while True:
        digit, run.pending_digit = run.pending_digit, None
        if digit is None:
            digit = await run.say(node.prompts, barge_in=True)
        if digit is None:
            digit = await run.call.read_digit(node.timeout)
        if digit in options:
            await run.ctx.event("menu_choice", node=run.node_id, digit=digit)
            return digit
        failures += 1
        if digit is None:
            await run.ctx.event("menu_timeout", node=run.node_id, attempt=failures)
        else:
            await run.ctx.event("menu_invalid", node=run.node_id, digit=digit, attempt=failures)
        run.call.discard_digits()
        if failures >= node.attempts:
            return "timeout" if digit is None else "invalid"
        again = node.timeout_prompt if digit is None else node.invalid_prompt
        if again:
            await run.say([again])
