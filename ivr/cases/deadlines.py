"""A case's deadline: its type's processing period counted as the law counts it.

민원 처리에 관한 법률 제19조 (처리기간의 계산), see docs/cases.md:
- a period of 6 days or more is counted in days, the first day (the day of
  receipt) included, Saturdays and public holidays left out; the case is due
  at the end of the working day on which the count reaches the period;
- a period of 5 days or less is counted in hours from the time of receipt,
  a day being 8 working hours, Saturdays and public holidays left out;
- "즉시" (a period of 0 days) means within 3 working hours.

Working hours are 09:00–12:00 and 13:00–18:00 (8 hours, the civil service's
day); public holidays are Sundays and the days the holiday calendar knows
(ivr/flows/holidays.py: Seollal, Chuseok, substitute days). Times are the
city's local times (aware datetimes in its zone); the caller passes them.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta

from ivr.flows.holidays import korean_holiday

IsHoliday = Callable[[date], bool]

WORK_BLOCKS = ((time(9), time(12)), (time(13), time(18)))
HOURS_PER_DAY = 8
IMMEDIATE_HOURS = 3
DAY_COUNTED_FROM = 6  # periods of this many days or more are counted in days (법 제19조제2항)
END_OF_DAY = WORK_BLOCKS[-1][1]


def public_holiday(d: date) -> bool:
    """The project's holiday calendar: a Korean public holiday (Sundays are added by working_day)."""
    return korean_holiday(d) is not None


def working_day(d: date, is_holiday: IsHoliday = public_holiday) -> bool:
    """A weekday that is no public holiday (Saturdays and Sundays never count)."""
    return d.weekday() < 5 and not is_holiday(d)


def deadline(received: datetime, days: int, is_holiday: IsHoliday = public_holiday) -> datetime:
    """When a case received at `received` (aware, local) with a period of `days` is due."""
    if received.tzinfo is None:
        raise ValueError("received must carry its time zone")
    if days < 0:
        raise ValueError(f"a processing period is 0 days or more, not {days}")
    if days >= DAY_COUNTED_FROM:
        return _by_days(received, days, is_holiday)
    hours = days * HOURS_PER_DAY if days else IMMEDIATE_HOURS
    return _by_hours(received, timedelta(hours=hours), is_holiday)


def _by_days(received: datetime, days: int, is_holiday: IsHoliday) -> datetime:
    d, counted = received.date(), 0
    while True:
        if working_day(d, is_holiday):
            counted += 1
            if counted == days:
                return datetime.combine(d, END_OF_DAY, received.tzinfo)
        d += timedelta(days=1)


def _by_hours(received: datetime, left: timedelta, is_holiday: IsHoliday) -> datetime:
    d, at = received.date(), received
    while True:
        if working_day(d, is_holiday):
            for start, end in WORK_BLOCKS:
                begin = max(datetime.combine(d, start, received.tzinfo), at)
                finish = datetime.combine(d, end, received.tzinfo)
                if begin >= finish:
                    continue
                if finish - begin >= left:
                    return begin + left
                left -= finish - begin
        d += timedelta(days=1)
        at = datetime.combine(d, time(0), received.tzinfo)


def overdue(due: datetime, now: datetime) -> bool:
    """Past its deadline (the deadline itself is still in time)."""
    return now > due


def due_today(due: datetime, now: datetime) -> bool:
    """Due later today, in the zone of `now` (a desk's "오늘 마감")."""
    return not overdue(due, now) and due.astimezone(now.tzinfo).date() == now.date()


def urgency(due: datetime, now: datetime) -> int:
    """0 overdue, 1 due today, 2 later: the department desk sorts by it, then by deadline."""
    if overdue(due, now):
        return 0
    return 1 if due_today(due, now) else 2
