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
import functools
import itertools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any, Literal, TypeAlias
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays

Interval: TypeAlias = tuple[time, time]
Hours: TypeAlias = tuple[Interval, ...]
KeyPath: TypeAlias = tuple[str | int, ...]

END_OF_DAY = time.max
"""How an end of 24:00 is stored: `datetime.time` stops at 23:59:59.999999."""

DAY_KEYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
TOP_LEVEL_KEYS = ("hours", "holidays", "closed_days", "exceptions")
HOLIDAY_CHOICES = ("kr", "none")
LOOKAHEAD_DAYS = 31
"""How far `next_opening` looks: a center closed for a month has a configuration problem."""

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


@dataclass(frozen=True)
class Decision:
    """What the schedule says about one moment; the flow follows `outcome`."""

    outcome: Literal["open", "closed", "holiday"]
    reason: str


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


@functools.lru_cache(maxsize=32)
def _holidays_of(year: int) -> Mapping[date, str]:
    # The package computes a whole year at once (lunar dates, substitute days), so cache per year.
    return dict(holidays.country_holidays("KR", language="ko", years=year))


def korean_holiday(d: date) -> str | None:
    """The Korean name of the South Korean public holiday on `d` ("추석", "설날 대체 휴일"), or None.

    Two holidays on one date come back as the package joins them ("부처님오신날; 어린이날").
    """
    day = d.date() if isinstance(d, datetime) else d
    return _holidays_of(day.year).get(day)


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
        weekly = _read_hours(data.get("hours"), errors)
        choice = data.get("holidays", "kr")
        if not isinstance(choice, str) or choice.strip().lower() not in HOLIDAY_CHOICES:
            message = f"'{choice}': use kr (closed on Korean public holidays) or none"
            errors.append(ScheduleError(("holidays",), message))
        closed_days = _read_closed_days(data.get("closed_days", []), errors)
        exceptions = _read_exceptions(data.get("exceptions", {}), errors)
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


def _read_hours(value: object, errors: list[ScheduleError]) -> dict[int, Hours]:
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


def _read_closed_days(value: object, errors: list[ScheduleError]) -> list[date]:
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


def _read_exceptions(value: object, errors: list[ScheduleError]) -> dict[date, Hours]:
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
