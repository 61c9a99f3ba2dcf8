"""Opening hours of the call center, for the call-flow `schedule` node.

A schedule is weekly hours plus the days the center is closed anyway: Korean
public holidays (Seollal, Chuseok and their substitute days, from the `holidays`
package), the city's own closed days, and dated exceptions that override
everything else. `Schedule.decide` answers "open, closed or holiday?" for a
moment in time; the flow follows the outcome.

Errors in an admin's schedule are collected, not raised one at a time:
`Schedule.from_mapping` raises one `ScheduleErrors` holding every `ScheduleError`,
each with the key path (`("hours", "mon-fri")`) the flow loader turns into a
file:line message.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ivr.flows.holidays import korean_holiday
from ivr.flows.schedule_text import (
    DAY_NAMES,
    END_OF_DAY,
    Hours,
    ScheduleError,
    ScheduleErrors,
    format_time,
    read_closed_days,
    read_exceptions,
    read_hours,
)

TOP_LEVEL_KEYS = ("hours", "holidays", "closed_days", "exceptions")
HOLIDAY_CHOICES = ("kr", "none")
LOOKAHEAD_DAYS = 31
"""How far `next_opening` looks: a center closed for a month has a configuration problem."""


@dataclass(frozen=True)
class Decision:
    """What the schedule says about one moment; the flow follows `outcome`."""

    outcome: Literal["open", "closed", "holiday"]
    reason: str


@dataclass(frozen=True)
class Schedule:
    """When the call center answers.

    `weekly` maps Monday=0..Sunday=6 to opening intervals; a day absent is closed.
    Precedence, highest first: `exceptions` (empty hours = closed that date), the
    city's `closed_days`, Korean public holidays (if `public_holidays`), `weekly`.
    """

    weekly: dict[int, Hours]
    public_holidays: bool = True
    closed_days: frozenset[date] = frozenset()
    exceptions: dict[date, Hours] = field(default_factory=dict)
    timezone: str = "Asia/Seoul"

    def __post_init__(self) -> None:
        bad = sorted(d for d in self.weekly if d not in range(7))
        if bad:
            raise ValueError(f"weekly: {bad} are not weekdays (Monday=0 .. Sunday=6)")
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"timezone: '{self.timezone}' is not a known time zone") from exc

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any], timezone: str = "Asia/Seoul") -> Schedule:
        """Build a schedule from YAML-like data; raises `ScheduleErrors` listing every problem.

        {"hours": {"mon-fri": "09:00-18:00", "sat": "closed"}, "holidays": "kr" | "none",
         "closed_days": ["2026-05-15"], "exceptions": {"2026-12-31": "09:00-16:00"}}
        """
        errors: list[ScheduleError] = []
        for key in data:
            if key not in TOP_LEVEL_KEYS:
                close = difflib.get_close_matches(str(key), TOP_LEVEL_KEYS, n=1)
                hint = f", did you mean '{close[0]}'?" if close else "."
                errors.append(
                    ScheduleError((str(key),), f"unknown key{hint} Known keys: {', '.join(TOP_LEVEL_KEYS)}")
                )
        weekly = read_hours(data.get("hours"), errors)
        choice = data.get("holidays", "kr")
        if not isinstance(choice, str) or choice.strip().lower() not in HOLIDAY_CHOICES:
            message = f"'{choice}': use kr (closed on Korean public holidays) or none"
            errors.append(ScheduleError(("holidays",), message))
        closed_days = read_closed_days(data.get("closed_days", []), errors)
        exceptions = read_exceptions(data.get("exceptions", {}), errors)
        try:
            ZoneInfo(timezone)
        except (ZoneInfoNotFoundError, ValueError):
            errors.append(ScheduleError(("timezone",), f"'{timezone}' is not a known time zone"))
        if errors:
            raise ScheduleErrors(errors)
        public = str(choice).strip().lower() == "kr"
        return cls(weekly, public, frozenset(closed_days), exceptions, timezone)

    def decide(self, when: datetime) -> Decision:
        """Open, closed or holiday at `when` (naive = wall-clock time in `timezone`)."""
        local = self._local(when)
        hours, whole_day = self._plan(local.date())
        if whole_day is not None:
            return whole_day
        now = local.time()
        for start, end in hours:
            if _inside(start, end, now):
                return Decision("open", f"open until {format_time(end)}")
            if now < start:
                if start == hours[0][0]:
                    return Decision("closed", f"before hours (opens {format_time(start)})")
                return Decision("closed", f"break (reopens {format_time(start)})")
        return Decision("closed", f"after hours ({self._opens_phrase(local)})")

    def next_opening(self, when: datetime) -> datetime | None:
        """The next moment the center is open (`when` itself if open), aware in `timezone`.

        None when nothing opens within `LOOKAHEAD_DAYS` days.
        """
        local = self._local(when)
        for offset in range(LOOKAHEAD_DAYS + 1):
            day = local.date() + timedelta(days=offset)
            for start, end in self._plan(day)[0]:
                if offset > 0 or start > local.time():
                    return datetime.combine(day, start, tzinfo=local.tzinfo)
                if _inside(start, end, local.time()):
                    return local
        return None

    def hours_on(self, d: date) -> Hours:
        """The opening intervals on a date, after holidays, closed days and exceptions."""
        return self._plan(d)[0]

    def _local(self, when: datetime) -> datetime:
        zone = ZoneInfo(self.timezone)
        if when.tzinfo is None or when.utcoffset() is None:
            return when.replace(tzinfo=zone)
        return when.astimezone(zone)

    def _plan(self, d: date) -> tuple[Hours, Decision | None]:
        """The day's hours, and the decision for the whole day when it is closed all day."""
        if d in self.exceptions:
            hours = self.exceptions[d]
            if not hours:
                return (), Decision("closed", f"closed all day on {d.isoformat()} (exception)")
            return hours, None
        if d in self.closed_days:
            return (), Decision("holiday", "city closed day")
        if self.public_holidays:
            name = korean_holiday(d)
            if name is not None:
                return (), Decision("holiday", name)
        hours = self.weekly.get(d.weekday(), ())
        if not hours:
            return (), Decision("closed", f"closed on {DAY_NAMES[d.weekday()]}")
        return hours, None

    def _opens_phrase(self, local: datetime) -> str:
        nxt = self.next_opening(local)
        if nxt is None:
            return f"nothing opens in the next {LOOKAHEAD_DAYS} days"
        if nxt.date() == local.date() + timedelta(days=1):
            return f"opens tomorrow {format_time(nxt.time())}"
        return f"opens {DAY_NAMES[nxt.weekday()]} {nxt.date().isoformat()} {format_time(nxt.time())}"


def _inside(start: time, end: time, now: time) -> bool:
    return start <= now and (now < end or end == END_OF_DAY)


def impossible(schedule: Schedule, today: date | None = None) -> list[str]:
    """Soft warnings about a schedule that loads but is probably not what the admin meant.

    With `today`, closed days and exceptions already in the past are reported as stale.
    """
    warnings: list[str] = []
    if not schedule.weekly:
        warnings.append("never open: no day of the week has hours, every caller hears the closed message")
    elif not any(schedule.weekly.get(day) for day in range(5)):
        warnings.append("closed Monday to Friday: the center only opens at weekends")
    for day in sorted(schedule.closed_days & schedule.exceptions.keys()):
        warnings.append(f"{day.isoformat()} is both a closed day and an exception; the exception wins")
    for day in sorted(schedule.closed_days - schedule.exceptions.keys()):
        # Look past the closed day itself: would the center have been closed anyway?
        holiday = korean_holiday(day) if schedule.public_holidays else None
        if holiday is not None:
            warnings.append(f"closed day {day.isoformat()} is already a public holiday ({holiday})")
        elif not schedule.weekly.get(day.weekday()):
            warnings.append(f"closed day {day.isoformat()} is a {DAY_NAMES[day.weekday()]}, closed anyway")
    if today is not None:
        stale = sorted(d for d in schedule.closed_days | schedule.exceptions.keys() if d < today)
        warnings.extend(f"{d.isoformat()} is in the past and can be removed" for d in stale)
    return warnings
