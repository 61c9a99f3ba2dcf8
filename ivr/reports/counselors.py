"""Counselor time from their state changes (`counselor_events`).

Each change opens a stretch of time in the state entered, which lasts until
the counselor's next change (or the end of the period, or now, whichever is
first). Stretches are clipped to the period, so a counselor who logged in
yesterday and is still working counts from the period's start.

    logged-in time  every stretch not in `logged_out`
    pause           stretches in `paused`, per reason
    occupancy       (on_call + wrap_up) / (available + reserved + on_call + wrap_up)
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from ivr.reports.rows import CounselorEventRow, Period
from ivr.reports.visits import Conversation

WORKING = ("available", "reserved", "on_call", "wrap_up")
BUSY = ("on_call", "wrap_up")


@dataclass(frozen=True)
class Stretch:
    """A counselor in one state from `start` to `end`."""

    counselor_id: str
    state: str
    reason: str | None
    start: datetime
    end: datetime

    @property
    def seconds(self) -> float:
        return (self.end - self.start).total_seconds()


@dataclass
class CounselorFigures:
    """One counselor's period. Seconds throughout."""

    counselor_id: str
    calls: int = 0
    talk: float = 0.0
    hold: float = 0.0
    wrap_up: float = 0.0
    logged_in: float = 0.0
    pause: dict[str, float] = field(default_factory=dict)
    occupancy: float | None = None


def stretches(
    events: Iterable[CounselorEventRow], period: Period, now: datetime | None = None
) -> list[Stretch]:
    """Every counselor's states as stretches inside `period` (an open one ends at `now`)."""
    by_counselor: dict[str, list[CounselorEventRow]] = defaultdict(list)
    for e in events:
        by_counselor[e.counselor_id].append(e)
    stop = min(period.end, now) if now is not None else period.end
    found: list[Stretch] = []
    for counselor, rows in by_counselor.items():
        rows.sort(key=lambda e: e.at)
        for i, e in enumerate(rows):
            end = rows[i + 1].at if i + 1 < len(rows) else stop
            start, end = max(e.at, period.start), min(end, stop)
            if end > start:
                found.append(Stretch(counselor, e.to_state, e.reason, start, end))
    return found


def occupancy(found: Iterable[Stretch]) -> float | None:
    """Busy time over working time; None when nobody worked."""
    working = busy = 0.0
    for s in found:
        if s.state in WORKING:
            working += s.seconds
        if s.state in BUSY:
            busy += s.seconds
    return busy / working if working else None


def wrap_ups(found: Iterable[Stretch]) -> list[tuple[str, datetime, float]]:
    """(counselor, start, seconds) of every wrap-up, merged when one follows another
    (an extension is recorded as a new wrap-up change)."""
    merged: list[tuple[str, datetime, datetime]] = []
    for s in sorted((s for s in found if s.state == "wrap_up"), key=lambda s: (s.counselor_id, s.start)):
        if merged and merged[-1][0] == s.counselor_id and merged[-1][2] == s.start:
            merged[-1] = (s.counselor_id, merged[-1][1], s.end)
        else:
            merged.append((s.counselor_id, s.start, s.end))
    return [(c, a, (b - a).total_seconds()) for c, a, b in merged]


def per_counselor(found: list[Stretch], talks: Iterable[Conversation]) -> list[CounselorFigures]:
    """Calls, talk, hold, wrap-up, logged-in time, pauses by reason and occupancy, by counselor."""
    figures: dict[str, CounselorFigures] = {}

    def of(counselor: str) -> CounselorFigures:
        return figures.setdefault(counselor, CounselorFigures(counselor))

    for c in talks:
        f = of(c.counselor_id)
        f.calls += 1
        f.talk += c.talk
        f.hold += c.hold
    for s in found:
        f = of(s.counselor_id)
        if s.state != "logged_out":
            f.logged_in += s.seconds
        if s.state == "wrap_up":
            f.wrap_up += s.seconds
        if s.state == "paused":
            reason = s.reason or "unknown"
            f.pause[reason] = f.pause.get(reason, 0.0) + s.seconds
    for f in figures.values():
        f.occupancy = occupancy(s for s in found if s.counselor_id == f.counselor_id)
    # Logged out the whole period and no calls: nothing to report.
    worked = (f for f in figures.values() if f.logged_in > 0 or f.calls > 0)
    return sorted(worked, key=lambda f: f.counselor_id)
