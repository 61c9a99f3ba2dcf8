"""`callback`: take a number to call back, the caller's own or another."""

from __future__ import annotations

import re

from ivr.flows import model
from ivr.flows.run import FlowRun
from ivr.ports import QueueEvent

# A Korean phone number: mobile 010..., landline with area code, 9 to 11 digits.
PHONE = re.compile(r"0\d{8,10}")


async def take(node: model.CallbackNode, run: FlowRun) -> str | None:
    own = run.call.caller
    number: str | None
    choice = await run.say([node.prompt], barge_in=True)
    if choice is None:
        choice = await run.call.read_digit(8.0)
    if choice == "1" and PHONE.fullmatch(own):
        number = own
    elif choice in ("1", "2"):
        number = await enter_number(run, node.number_prompt)
        if number is None:
            await run.ctx.event("callback_invalid")
            return "invalid"
    else:
        await run.ctx.event("callback_invalid", digit=choice or "")
        return "invalid"
    ctx = run.ctx
    place = ctx.queue_place
    keeps_place = place is not None and node.queue in (None, place[0])
    queue = place[0] if place is not None and node.queue is None else node.queue
    at = run.env.now()
    callback_id, merged = await ctx.records.add_callback(
        ctx.call_id, number, queue, at, place_at=place[1] if keeps_place and place else None
    )
    await ctx.event(
        "callback_requested",
        number=number,
        queue=queue,
        callback=callback_id,
        merged=merged,
        kept_place=keeps_place,
    )
    if queue is not None:
        await ctx.queue_log(
            queue, QueueEvent.CALLBACK_REQUESTED, detail={"callback": callback_id, "merged": merged}
        )
    if run.env.callback_requested is not None:
        run.env.callback_requested()
    await run.say([node.confirmed_prompt])
    return "done"


async def enter_number(run: FlowRun, number_prompt: str) -> str | None:
    """A phone number keyed by the caller (ended with #), asked twice at most."""
    for _ in range(2):
        first = await run.say([number_prompt], barge_in=True)
        digits = first or ""
        while True:
            digit = await run.call.read_digit(5.0)
            if digit is None or digit == "#":
                break
            digits += digit
            if len(digits) >= 11:
                break
        if PHONE.fullmatch(digits):
            return digits
        run.call.discard_digits()
    return None
