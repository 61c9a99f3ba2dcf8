"""Today's figures for the wallboard, read from `calls` and `call_events`.

    offered      calls that entered a queue (a `queue_entered` event)
    answered     offered calls that reached a counselor (`connected_at`)
    abandoned    offered calls whose caller hung up in line: `abandoned_queue`
                 (waiting) or `abandoned_ringing` (a counselor's phone rang);
                 not `abandoned_ivr`, a hangup after leaving the line (the
                 leave key, a timeout) or before entering it
    service level  answered within T seconds of entering the queue, over answered
                 (T: config.yaml `reports.service_level_seconds`, SERVICE_SECONDS by default)
    average speed of answer  mean wait from entering the queue to the counselor, answered calls
    abandon rate   abandoned over offered

Times in `calls` and `call_events` are the service's local ISO stamps (one
time zone, hotline.timezone), so "today" is a string comparison with local
midnight.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlite_utils

from ivr.ports import Disposition

SERVICE_SECONDS = 20  # answered within this many seconds counts for the service level
SERVICE_TARGET = 0.8  # the center's goal: 80 % within 20 s
_IN_LINE = (Disposition.ABANDONED_QUEUE, Disposition.ABANDONED_RINGING)


@dataclass(frozen=True)
class TodayStats:
    calls: int  # every call that reached the IVR today
    offered: int
    answered: int
    abandoned: int
    waiting_now: int  # offered calls still open and not answered
    service_level: float | None  # None before the first answered call
    average_answer_seconds: float | None
    abandon_rate: float | None  # None before the first offered call


def today_stats(
    db: sqlite_utils.Database, midnight: datetime, service_seconds: float = SERVICE_SECONDS
) -> TodayStats:
    """The figures for calls started since `midnight` (an aware local datetime)."""
    since = midnight.isoformat(timespec="milliseconds")
    rows = db.execute(
        """
        SELECT c.connected_at, c.disposition, c.open,
               (SELECT MIN(e.at) FROM call_events e
                 WHERE e.call_id = c.id AND e.kind = 'queue_entered') AS entered_at
          FROM calls c
         WHERE c.started_at >= ?
        """,
        [since],
    ).fetchall()
    offered = answered = abandoned = waiting = within = 0
    waits: list[float] = []
    for connected_at, disposition, is_open, entered_at in rows:
        if entered_at is None:
            continue
        offered += 1
        if connected_at is not None:
            answered += 1
            wait = max(0.0, (_parse(connected_at) - _parse(entered_at)).total_seconds())
            waits.append(wait)
            within += wait <= service_seconds
        elif is_open:
            waiting += 1
        elif disposition in _IN_LINE:
            abandoned += 1
    return TodayStats(
        calls=len(rows),
        offered=offered,
        answered=answered,
        abandoned=abandoned,
        waiting_now=waiting,
        service_level=within / answered if answered else None,
        average_answer_seconds=round(sum(waits) / len(waits), 1) if waits else None,
        abandon_rate=abandoned / offered if offered else None,
    )


def _parse(text: str) -> datetime:
    return datetime.fromisoformat(text)
