"""`collect`: several digits into a variable, checked, optionally read back."""

from __future__ import annotations

import re

from ivr.flows import model
from ivr.flows.run import FlowRun


async def read_digits(run: FlowRun, node: model.CollectNode) -> str | None:
    """Digits up to the terminator or max_digits; None when nothing came."""
    first, run.pending_digit = run.pending_digit, None
    if first is None:
        first = await run.say([node.prompt], barge_in=True)
    digits = ""
    digit = first if first is not None else await run.call.read_digit(node.timeout)
    while digit is not None:
        if node.terminator and digit == node.terminator:
            break
        digits += digit
        if len(digits) >= node.max_digits:
            break
        # Between digits, a shorter wait: the caller is in the middle of typing.
        digit = await run.call.read_digit(min(node.timeout, 5.0))
    return digits or None


def acceptable(node: model.CollectNode, digits: str) -> bool:
    if not (node.min_digits <= len(digits) <= node.max_digits) or not digits.isdigit():
        return False
    return node.pattern is None or re.fullmatch(node.pattern, digits) is not None


async def collect(node: model.CollectNode, run: FlowRun) -> str | None:
    failures = 0
    last_none = False
    while failures < node.attempts:
        digits = await read_digits(run, node)
        last_none = digits is None
        if digits is not None and acceptable(node, digits):
            if not node.readback_prompt or await _confirmed(run, node, digits):
                run.vars[node.into] = digits
                await run.ctx.event("collected", into=node.into, digits=digits)
                return "done"
            continue  # the caller asked to enter it again: not a failure
        failures += 1
        await run.ctx.event("collect_rejected", into=node.into, digits=digits or "", attempt=failures)
        run.call.discard_digits()
        if failures < node.attempts and node.invalid_prompt:
            await run.say([node.invalid_prompt])
    return "timeout" if last_none else "invalid"


async def _confirmed(run: FlowRun, node: model.CollectNode, digits: str) -> bool:
    assert node.readback_prompt and node.confirm_prompt
    await run.say([node.readback_prompt, *[f"digit_{d}" for d in digits]])
    answer = await run.say([node.confirm_prompt], barge_in=True)
    if answer is None:
        answer = await run.call.read_digit(node.timeout)
    return answer == "1"
