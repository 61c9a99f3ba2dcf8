"""The schedule's words: hours such as "09:00-18:00", days such as "mon-fri", dates, and their errors.

Errors are collected per key path (`("hours", "mon-fri")`), which the flow
loader turns into file:line messages; schedule.py builds the Schedule from these.
"""

from __future__ import annotations

import difflib
import itertools
import re
from collections.abc import Mapping, Sequence
from datetime import date, datetime, time
from typing import TypeAlias

Interval: TypeAlias = tuple[time, time]
Hours: TypeAlias = tuple[Interval, ...]
KeyPath: TypeAlias = tuple[str | int, ...]

END_OF_DAY = time.max
"""How an end of 24:00 is stored: `datetime.time` stops at 23:59:59.999999."""

DAY_KEYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_INTERVAL = re.compile(r"(\d{1,2}):(\d{2})\s*[-~–]\s*(\d{1,2}):(\d{2})")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


class ScheduleError(ValueError):
    """One problem in a schedule, at a key path such as ("hours", "mon-fri")."""

    def __init__(self, key: KeyPath, message: str) -> None:
        super().__init__(f"{format_key(key)}: {message}")
        self.key = key
        self.message = message


class ScheduleErrors(ValueError):
    """Every problem found in one schedule; raised once so an admin fixes them all in one go."""

    def __init__(self, errors: list[ScheduleError]) -> None:
        super().__init__("\n".join(str(e) for e in errors))
        self.errors = errors


def format_key(key: KeyPath) -> str:
    """("closed_days", 2) -> "closed_days[2]"; ("hours", "mon-fri") -> "hours.mon-fri"."""
    text = ""
    for part in key:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text


def format_time(t: time) -> str:
    """HH:MM, with the stored end of day shown as 24:00."""
    return "24:00" if t == END_OF_DAY else t.strftime("%H:%M")


def _parse_time(text: str, hour: str, minute: str, *, is_end: bool) -> time:
    h, m = int(hour), int(minute)
    if h == 24 and m == 0:
        if not is_end:
            raise ValueError(f"'{text}': 24:00 can only end an interval")
        return END_OF_DAY
    if h > 23 or m > 59:
        raise ValueError(f"'{text}': {hour}:{minute} is not a time of day (00:00 to 24:00)")
    return time(h, m)


def parse_hours(text: str) -> Hours:
    """Parse "09:00-18:00", "09:00-12:00, 13:00-18:00", "closed" (no hours) or "24h" (all day).

    Intervals come back sorted; touching intervals (12:00-13:00, 13:00-18:00) are
    allowed, overlapping ones are not. "~" is accepted for "-" because Korean
    notices write hours as 09:00~18:00.
    """
    words = text.strip().lower()
    if words == "closed":
        return ()
    if words == "24h":
        return ((time(0), END_OF_DAY),)
    intervals: list[Interval] = []
    for part in (p.strip() for p in text.split(",")):
        match = _INTERVAL.fullmatch(part)
        if match is None:
            raise ValueError(f"'{part}': use HH:MM-HH:MM, for example 09:00-18:00, closed or 24h")
        start = _parse_time(part, match[1], match[2], is_end=False)
        end = _parse_time(part, match[3], match[4], is_end=True)
        if end <= start:
            raise ValueError(f"'{part}': the end must be after the start")
        intervals.append((start, end))
    intervals.sort()
    for (s1, e1), (s2, e2) in itertools.pairwise(intervals):
        if s2 < e1:
            first = f"{format_time(s1)}-{format_time(e1)}"
            raise ValueError(f"'{text.strip()}': {first} and {format_time(s2)}-{format_time(e2)} overlap")
    return tuple(intervals)


def _parse_day(word: str) -> int:
    if word in DAY_KEYS:
        return DAY_KEYS.index(word)
    # Compare against the full names too: "mnday" is closer to "monday" than to "mon" (or "daily").
    names = {name.lower(): key for name, key in zip(DAY_NAMES, DAY_KEYS, strict=True)}
    close = difflib.get_close_matches(word, [*DAY_KEYS, *names, "daily"], n=1)
    hint = f", did you mean '{names.get(close[0], close[0])}'?" if close else ""
    known = "mon..sun, daily, a range (mon-fri) or a list (sat,sun)"
    raise ValueError(f"'{word}': unknown day{hint or '.'} Known days: {known}")


def parse_days(key: str) -> frozenset[int]:
    """Parse a weekday key: "mon", "mon-fri", "sat,sun", "mon-wed,fri" or "daily" (Monday = 0).

    A range runs forward within one week: "fri-mon" is refused rather than
    guessed at, since it is as likely a typo as a wrap-around.
    """
    words = key.strip().lower()
    if words == "daily":
        return frozenset(range(7))
    days: set[int] = set()
    for part in (p.strip() for p in words.split(",")):
        first, dash, last = part.partition("-")
        start = _parse_day(first.strip())
        end = _parse_day(last.strip()) if dash else start
        if end < start:
            raise ValueError(f"'{part}': a range runs from Monday towards Sunday; write it as two parts")
        for day in range(start, end + 1):
            if day in days:
                raise ValueError(f"'{key}': {DAY_KEYS[day]} is given twice")
            days.add(day)
    return frozenset(days)


def _parse_date(value: object) -> date:
    # ruamel.yaml turns an unquoted 2026-05-15 into a date already; a quoted one stays text.
    if isinstance(value, datetime):
        raise ValueError(f"'{value}': give a date without a time, for example 2026-12-31")
    if isinstance(value, date):
        return value
    if isinstance(value, str) and _ISO_DATE.fullmatch(value.strip()):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise ValueError(f"'{value}': not a date, use YYYY-MM-DD, for example 2026-12-31")


def _hours_value(value: object) -> Hours:
    if not isinstance(value, str):
        raise ValueError(f"'{value}': expected text such as 09:00-18:00, closed or 24h")
    return parse_hours(value)


def read_hours(value: object, errors: list[ScheduleError]) -> dict[int, Hours]:
    if value is None:
        errors.append(ScheduleError(("hours",), "missing: give hours per day, e.g. mon-fri: 09:00-18:00"))
        return {}
    if not isinstance(value, Mapping):
        errors.append(ScheduleError(("hours",), "expected days and their hours, e.g. mon-fri: 09:00-18:00"))
        return {}
    weekly: dict[int, Hours] = {}
    given_by: dict[int, str] = {}
    for key, text in value.items():
        path: KeyPath = ("hours", str(key))
        try:
            if not isinstance(key, str):
                raise ValueError(f"'{key}': a day key is text such as mon-fri")
            days = parse_days(key)
        except ValueError as exc:
            errors.append(ScheduleError(path, str(exc)))
            days = frozenset()
        twice = sorted(days & given_by.keys())
        if twice:
            names = ", ".join(DAY_KEYS[d] for d in twice)
            earlier = ", ".join(sorted({f"'{given_by[d]}'" for d in twice}))
            errors.append(ScheduleError(path, f"{names} already given by {earlier}"))
        given_by.update({day: str(key) for day in days if day not in given_by})
        try:
            hours = _hours_value(text)
        except ValueError as exc:
            errors.append(ScheduleError(path, str(exc)))
            continue
        # A closed day is stored as an absent one, so two spellings of "closed" compare equal.
        weekly.update({day: hours for day in days if hours and day not in weekly})
    return weekly


def read_closed_days(value: object, errors: list[ScheduleError]) -> list[date]:
    if isinstance(value, str) or not isinstance(value, Sequence):
        errors.append(ScheduleError(("closed_days",), "expected a list of dates, e.g. [2026-05-15]"))
        return []
    days: list[date] = []
    for index, item in enumerate(value):
        try:
            days.append(_parse_date(item))
        except ValueError as exc:
            errors.append(ScheduleError(("closed_days", index), str(exc)))
    return days


def read_exceptions(value: object, errors: list[ScheduleError]) -> dict[date, Hours]:
    if not isinstance(value, Mapping):
        errors.append(ScheduleError(("exceptions",), "expected a mapping of dates to hours"))
        return {}
    exceptions: dict[date, Hours] = {}
    for key, text in value.items():
        path: KeyPath = ("exceptions", key.isoformat() if isinstance(key, date) else str(key))
        try:
            day = _parse_date(key)
            if day in exceptions:
                raise ValueError(f"'{day.isoformat()}' is given twice")
            exceptions[day] = _hours_value(text)
        except ValueError as exc:
            errors.append(ScheduleError(path, str(exc)))
    return exceptions
