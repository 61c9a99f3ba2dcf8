"""`callback`: take a number to call back, the caller's own or another."""

from __future__ import annotations

import re

from ivr.flows import model
from ivr.flows.engine import FlowRun

# A Korean phone number: mobile 010..., landline with area code, 9 to 11 digits.
_PHONE = re.compile(r"0\d{8,10}")


async def take(node: model.CallbackNode, run: FlowRun) -> str | None:
    own = run.call.caller
    number: str | None
    choice = await run.say([node.prompt], barge_in=True)
    if choice is None:
        choice = await run.call.read_digit(8.0)
    if choice == "1" and _PHONE.fullmatch(own):
        number = own
    elif choice in ("1", "2"):
        number = await _enter_number(run, node)
        if number is None:
            await run.ctx.event("callback_invalid")
            return "invalid"
    else:
        await run.ctx.event("callback_invalid", digit=choice or "")
        return "invalid"
    await run.ctx.records.add_callback(run.ctx.call_id, number, node.queue, run.env.now())
    await run.ctx.event("callback_requested", number=number, queue=node.queue)
    await run.say([node.confirmed_prompt])
    return "done"


async def _enter_number(run: FlowRun, node: model.CallbackNode) -> str | None:
    for _ in range(2):
        first = await run.say([node.number_prompt], barge_in=True)
        digits = first or ""
        while True:
            digit = await run.call.read_digit(5.0)
            if digit is None or digit == "#":
                break
            digits += digit
            if len(digits) >= 11:
                break
        if _PHONE.fullmatch(digits):
            return digits
        run.call.discard_digits()
    return None
