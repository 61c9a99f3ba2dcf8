"""Deadlines against dates worked out by hand on the 2026 calendar (민원처리법 제19조).

2026: 삼일절 (Sun 1 March) is made up on Mon 2 March; 추석 is Thu 24 – Sat 26
September (no substitute: its Saturday is no Sunday); 개천절 (Sat 3 October)
is made up on Mon 5 October; 한글날 is Fri 9 October.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from ivr.cases.deadlines import deadline, due_today, overdue, urgency, working_day

KST = timezone(timedelta(hours=9))


def at(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=KST)


@pytest.mark.parametrize(
    ("received", "days", "due", "why"),
    [
        # Fri: the first day counts; Sat and Sun do not: 6,9,10,11,12,13,16.
        (at(11, 6, 16), 7, at(11, 16, 18), "a weekend inside"),
        # Received on a Saturday: the count starts on Monday: 9..13, 16, 17.
        (at(11, 7, 11), 7, at(11, 17, 18), "received on a Saturday"),
        # Tue 22 Sep: 22, 23, (추석 24-26, Sun), 28, 29, 30, 1 Oct, 2 Oct.
        (at(9, 22, 10), 7, at(10, 2, 18), "Chuseok 2026 inside"),
        # ... and on: (3 Sat, 4 Sun, 5 개천절 대체), 6, 7, 8, (9 한글날), 12, 13, 14, 15.
        (at(9, 22, 10), 14, at(10, 15, 18), "Chuseok, a substitute day and 한글날"),
        # Fri 27 Feb: 27, (2 Mar 삼일절 대체), 3, 4, 5, 6, 9, 10.
        (at(2, 27, 9), 7, at(3, 10, 18), "a substitute holiday"),
        # 5 days or less: hours from receipt, 8 a day. Wed 23 Sep 14:00, 3 days = 24 h:
        # 4 h that day, (추석, weekend), 8 h Mon, 8 h Tue, 3 h Wed morning, 1 h after lunch.
        (at(9, 23, 14), 3, at(9, 30, 14), "hours across Chuseok"),
        # 즉시: 3 working hours; Fri 16:30 leaves 1.5 h, Monday 09:00 + 1.5 h.
        (at(11, 6, 16, 30), 0, at(11, 9, 10, 30), "즉시 over a weekend"),
        # 즉시 received at lunch: from 13:00.
        (at(11, 10, 12, 30), 0, at(11, 10, 16), "즉시 from lunch"),
        # Received in the evening: the hours start the next working morning.
        (at(11, 10, 19), 1, at(11, 11, 18), "one day from the evening"),
    ],
)
def test_given_a_receipt_when_the_deadline_is_counted_then_it_is_the_hand_worked_one(
    received: datetime, days: int, due: datetime, why: str
) -> None:
    assert deadline(received, days) == due, why


def test_saturdays_sundays_and_holidays_are_no_working_days() -> None:
    assert working_day(date(2026, 9, 23))
    assert not working_day(date(2026, 9, 25))  # 추석
    assert not working_day(date(2026, 9, 26))  # 추석 다음날, a Saturday
    assert not working_day(date(2026, 10, 5))  # 개천절 대체 휴일
    assert not working_day(date(2026, 11, 8))  # a Sunday


def test_a_holiday_calendar_can_be_handed_in() -> None:
    # A city's own closing day (e.g. 전주시 개청기념일) counted out by a calendar given to it.
    closed = {date(2026, 11, 9)}
    assert deadline(at(11, 6, 16), 7, lambda d: d in closed) == at(11, 17, 18)


def test_a_naive_time_or_negative_period_is_refused() -> None:
    with pytest.raises(ValueError, match="time zone"):
        deadline(datetime(2026, 11, 6, 9), 7)
    with pytest.raises(ValueError, match="0 days or more"):
        deadline(at(11, 6, 9), -1)


def test_overdue_due_today_and_later_sort_in_that_order() -> None:
    now = at(11, 10, 15)
    assert overdue(at(11, 10, 14), now) and not overdue(at(11, 10, 15), now)
    assert due_today(at(11, 10, 18), now) and not due_today(at(11, 11, 18), now)
    assert [urgency(d, now) for d in (at(11, 9, 18), at(11, 10, 18), at(11, 12, 18))] == [0, 1, 2]
