"""예약 상담: a callback at a time the citizen chooses.

The citizen books an hour (a slot) today or on one of the next calling days,
inside the calling hours callbacks already keep (CallbackRules), and within
the number of callbacks the center can make in one hour (`capacity`). A full
slot is not offered. The booked request is a callback whose place in line and
first attempt are the slot's start: the callback runner calls at that time and
rings a counselor first, as for every callback.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Protocol

from ivr.calls.callback_plan import CallbackRules, calling_allowed

# A slot starting sooner than this is not offered: the caller is still on the
# line, and a counselor needs a moment to see the booking.
LEAD = timedelta(minutes=10)


class BookingRecords(Protocol):
    """Where bookings are kept: the call records' store (store/calls.py, store/bookings.py)."""

    async def book_callback(
        self, call_id: str, number: str, queue: str | None, at: datetime, slot: datetime, capacity: int
    ) -> int | None:
        """A callback booked for `slot` (its place and first attempt); None when
        `capacity` bookings hold that slot already. Not merged with other requests."""

    async def booked_slots(self, since: datetime) -> dict[datetime, int]:
        """Bookings per slot from `since` on, every booking counted (done ones too)."""


@dataclass(frozen=True)
class BookingRules:
    capacity: int = 3  # callbacks per hour slot
    days: int = 2  # calling days offered after today


def slot_starts(day: datetime, rules: CallbackRules) -> list[datetime]:
    """The hour slots of one day inside calling hours (a slot starts on the hour)."""
    first = rules.start.hour + (1 if rules.start.minute else 0)
    out = []
    for hour in range(first, 24):
        start = datetime.combine(day.date(), time(hour), day.tzinfo)
        if start.time() >= rules.end:
            break
        if calling_allowed(start, rules):
            out.append(start)
    return out


def open_slots(
    now: datetime, rules: CallbackRules, booking: BookingRules, booked: Mapping[datetime, int]
) -> dict[datetime, list[datetime]]:
    """Calling day (midnight) -> its open slots, for today and the next
    `booking.days` calling days; full slots and those too soon are left out,
    and so is a day with no open slot."""
    days: dict[datetime, list[datetime]] = {}
    day = datetime.combine(now.date(), time(0), now.tzinfo)
    calling_days = 0
    for _ in range(400):  # the longest Korean holiday run is under two weeks
        starts = slot_starts(day, rules)
        if day.date() != now.date() and starts:
            calling_days += 1
            if calling_days > booking.days:
                break
        free = [s for s in starts if s >= now + LEAD and booked.get(s, 0) < booking.capacity]
        if free:
            days[day] = free
        day += timedelta(days=1)
    return days


class Bookings:
    """Open slots and bookings, over the store (the flows' `Bookings` port)."""

    def __init__(self, records: BookingRecords, rules: CallbackRules, booking: BookingRules) -> None:
        self.records = records
        self.rules = rules
        self.booking = booking

    async def open_slots(self, now: datetime) -> dict[datetime, list[datetime]]:
        booked = await self.records.booked_slots(datetime.combine(now.date(), time(0), now.tzinfo))
        return open_slots(now, self.rules, self.booking, booked)

    async def book(
        self, call_id: str, number: str, queue: str | None, slot: datetime, at: datetime
    ) -> int | None:
        """Book `slot` for `number`; the callback's id, or None when the slot
        filled meanwhile (checked in the same write as the booking)."""
        return await self.records.book_callback(call_id, number, queue, at, slot, self.booking.capacity)
