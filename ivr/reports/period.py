"""A report's period from the dates people type: whole days in the hotline's zone."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta, tzinfo

from ivr.reports.rows import Period

MAX_DAYS = 366


class PeriodError(ValueError):
    """Dates that do not make a period; `problems` has one line each, naming the option."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("; ".join(problems))


def _day(option: str, text: str, problems: list[str]) -> date | None:
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            return date.fromisoformat(text)
    except ValueError:
        pass
    problems.append(f"{option}: {text!r} is not a date like 2026-11-23 (YYYY-MM-DD)")
    return None


def parse_period(first: str, last: str, tz: tzinfo, names: tuple[str, str] = ("--from", "--to")) -> Period:
    """From the start of day `first` to the end of day `last` (both YYYY-MM-DD, inclusive).

    `names` are what the person typed them as (options, or form fields), for the errors.
    """
    problems: list[str] = []
    fa, fb = names
    a, b = _day(fa, first, problems), _day(fb, last, problems)
    if a is not None and b is not None:
        if b < a:
            problems.append(f"{fb} {b} is before {fa} {a}")
        elif (b - a).days + 1 > MAX_DAYS:
            days = (b - a).days + 1
            problems.append(f"{fa} {a} {fb} {b} spans {days} days; at most {MAX_DAYS} at a time")
    if problems or a is None or b is None:
        raise PeriodError(problems)
    start = datetime.combine(a, time(), tz)
    end = datetime.combine(b + timedelta(days=1), time(), tz)
    return Period(start, end, tz)
