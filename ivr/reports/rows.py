"""The rows reports are computed from, and the seam a store implements.

Plain frozen dataclasses, one per kind of record, with aware datetimes: the
metrics in this package read nothing else. `ReportSource` is what a store
offers (ivr/store/report_rows.py for SQLite); a PostgreSQL store would
implement the same one method.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta, tzinfo
from typing import Any, Protocol

from ivr.ports import CallFacts
from ivr.reports.resolution import KbRows


@dataclass(frozen=True)
class Period:
    """From `start` (inclusive) to `end` (exclusive), aware datetimes in the hotline's zone."""

    start: datetime
    end: datetime
    tz: tzinfo

    def __contains__(self, at: datetime) -> bool:
        return self.start <= at < self.end

    @property
    def hours(self) -> float:
        return (self.end - self.start) / timedelta(hours=1)


# One row of `calls` (the call detail record) is the record the calls write.
CallRow = CallFacts


@dataclass(frozen=True)
class QueueLogRow:
    """One line of the queue log (`queue_log`, or a fallback call's timeline translated)."""

    at: datetime
    call_id: str
    queue: str
    event: str  # ivr.ports.QueueEvent values: entered, connected, abandoned, ...
    counselor_id: str | None = None
    waited: float | None = None
    talked: float | None = None


@dataclass(frozen=True)
class CallEventRow:
    """One step of a call's timeline (`call_events`): menu choices, consultations, voicemail."""

    call_id: str
    at: datetime
    kind: str
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class CounselorEventRow:
    """A counselor state change (`counselor_events`): the state entered, and the pause reason."""

    counselor_id: str
    at: datetime
    to_state: str
    reason: str | None = None


@dataclass(frozen=True)
class SurveyRow:
    call_id: str
    question: str
    answer: int
    at: datetime


@dataclass(frozen=True)
class CallbackRow:
    """A callback request (`callbacks`): status new, queued, done or failed."""

    id: int
    requested_at: datetime
    status: str
    attempts: int = 0


@dataclass(frozen=True)
class ReportRows:
    """Everything a report of one period reads.

    `earlier_calls` are the calls of the `repeat_days` before the period, so a
    call early in the period can be recognised as a repeat. `counselor_events`
    start with each counselor's last change before the period (their state as
    it began).
    """

    period: Period
    calls: tuple[CallRow, ...] = ()
    earlier_calls: tuple[CallRow, ...] = ()
    queue_log: tuple[QueueLogRow, ...] = ()
    call_events: tuple[CallEventRow, ...] = ()
    counselor_events: tuple[CounselorEventRow, ...] = ()
    surveys: tuple[SurveyRow, ...] = ()
    callbacks: tuple[CallbackRow, ...] = ()
    now: datetime | None = None  # counselor states still open are counted up to here
    kb: KbRows = field(default_factory=KbRows)  # outcomes, articles used, searches that found nothing


class ReportSource(Protocol):
    """Where reports read their rows from (SQLite today; PostgreSQL could follow)."""

    def rows(self, period: Period, *, repeat_days: int, now: datetime | None = None) -> ReportRows:
        """The rows of `period` (and the `repeat_days` before it, for repeat calls).

        Counselor states still open count up to `now` (the current time by default).
        """
        ...

    def cdr(self, period: Period) -> list[dict[str, Any]]:
        """The call detail records started in `period`, as stored, oldest first."""
        ...
