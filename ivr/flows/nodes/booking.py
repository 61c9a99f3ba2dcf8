"""`booking` (예약 상담): the caller books an hour for a callback.

The open days are offered (key 1 for the first, and so on), then that day's
open hours; a full slot is never offered. A key that is no option is told so
and asked again, up to `attempts` times, then the node ends `invalid` (the
flow says goodbye politely). The booking is read back, date and hour, before
the confirmation; the callback runner calls at that hour.
"""

from __future__ import annotations

from datetime import datetime

from ivr.flows import model
from ivr.flows.nodes.callback import PHONE, enter_number
from ivr.flows.run import FlowRun
from ivr.ports import QueueEvent
from ivr.prompts import slots


async def book(node: model.BookingNode, run: FlowRun) -> str | None:
    number = run.call.caller if PHONE.fullmatch(run.call.caller) else None
    if number is None and node.number_prompt:
        number = await enter_number(run, node.number_prompt)
    if number is None:
        await run.ctx.event("booking_invalid", reason="number")
        return "invalid"
    for _ in range(2):  # once more if the chosen slot filled while the caller chose
        now = run.env.now()
        days = await run.env.bookings.open_slots(now) if run.env.bookings is not None else {}
        if not days:
            await run.ctx.event("booking_full")
            await run.say([node.full_prompt])
            return "full"
        day_list = list(days)[: slots.MAX_OPTIONS]
        offers = [slots.day_pieces(run.language, d.date(), now.date()) for d in day_list]
        day = await _choose(run, node, node.day_prompt, offers, "day")
        if day is None:
            return "invalid"
        hours = days[day_list[day]][: slots.MAX_OPTIONS]
        hour = await _choose(run, node, node.hour_prompt, [[f"slot_hour_{h.hour}"] for h in hours], "hour")
        if hour is None:
            return "invalid"
        slot = hours[hour]
        if await _booked(run, node, number, slot, now):
            return "done"
        await run.ctx.event("booking_taken", slot=slot.isoformat())
    await run.say([node.full_prompt])
    return "full"


async def _booked(run: FlowRun, node: model.BookingNode, number: str, slot: datetime, now: datetime) -> bool:
    assert run.env.bookings is not None
    queue = node.queue or (run.ctx.queue_place[0] if run.ctx.queue_place else None)
    callback_id = await run.env.bookings.book(run.ctx.call_id, number, queue, slot, now)
    if callback_id is None:
        return False
    await run.ctx.event(
        "booking_made", slot=slot.isoformat(), callback=callback_id, number=number, queue=queue
    )
    if queue is not None:
        await run.ctx.queue_log(
            queue,
            QueueEvent.CALLBACK_REQUESTED,
            detail={"callback": callback_id, "booked_for": slot.isoformat()},
        )
    if run.env.callback_requested is not None:
        run.env.callback_requested()
    await run.say([*slots.slot_pieces(run.language, slot, now.date()), node.confirmed_prompt])
    return True


async def _choose(
    run: FlowRun, node: model.BookingNode, prompt: str, options: list[list[str]], what: str
) -> int | None:
    """The index of the option chosen (key 1 = the first); None after `attempts` bad tries."""
    spoken = [prompt]
    for n, pieces in enumerate(options, 1):
        spoken += [f"slot_key_{n}", *pieces]
    keys = [str(n) for n in range(1, len(options) + 1)]
    for attempt in range(1, node.attempts + 1):
        digit = await run.say(spoken, barge_in=True)
        if digit is None:
            digit = await run.call.read_digit(node.timeout)
        if digit in keys:
            return keys.index(digit)
        await run.ctx.event("booking_invalid", step=what, digit=digit or "", attempt=attempt)
        run.call.discard_digits()
        if node.invalid_prompt and attempt < node.attempts:
            await run.say([node.invalid_prompt])
    return None
