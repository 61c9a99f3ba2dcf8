"""Staffing advice per hour of the week, from what was measured, by Erlang C.

For each hour of the week (Monday 09:00, Monday 10:00, ...) that had calls:

    calls per hour  offered calls in that hour / how many times that hour occurs in the period
    handle time     average handle time of the conversations that started in that hour
                    (the period's average when none did)
    counselors      the fewest N with Erlang C service level(T) ≥ target (ivr.reports.erlang)

A week or more of history gives one sample of each hour; four weeks smooth it.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta

from ivr.reports import erlang
from ivr.reports.metrics import Rules
from ivr.reports.output import Table
from ivr.reports.rows import Period
from ivr.reports.visits import Conversation, Visit

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
COLUMNS = (
    "weekday",
    "hour",
    "hours_measured",
    "calls_per_hour",
    "average_handle_seconds",
    "erlangs",
    "counselors_needed",
    "service_level",
    "average_answer_seconds",
    "occupancy",
)


def hour_occurrences(period: Period) -> Counter[tuple[int, int]]:
    """How many times each (weekday, hour) occurs in the period, in its time zone."""
    seen: Counter[tuple[int, int]] = Counter()
    at = period.start.astimezone(period.tz).replace(minute=0, second=0, microsecond=0)
    while at < period.end:
        seen[(at.weekday(), at.hour)] += 1
        # Step in UTC: a local "+1 hour" is ambiguous across a clock change.
        at = (at.astimezone(UTC) + timedelta(hours=1)).astimezone(period.tz)
    return seen


def staffing_rows(stays: list[Visit], talks: list[Conversation], period: Period, rules: Rules) -> Table:
    """One row per hour of the week that had calls, with the counselors it needs."""

    def slot(at_local: datetime) -> tuple[int, int]:
        return (at_local.weekday(), at_local.hour)

    offered: Counter[tuple[int, int]] = Counter(slot(v.entered_at.astimezone(period.tz)) for v in stays)
    handles: dict[tuple[int, int], list[float]] = defaultdict(list)
    for c in talks:
        handles[slot(c.connected_at.astimezone(period.tz))].append(c.handle)
    overall = [h for hs in handles.values() for h in hs]
    default_handle = sum(overall) / len(overall) if overall else 0.0
    occurs = hour_occurrences(period)
    rows = []
    for key in sorted(offered):
        hours = occurs.get(key, 1)
        rate = offered[key] / hours
        hs = handles.get(key)
        handle = sum(hs) / len(hs) if hs else default_handle
        advice = erlang.counselors_needed(
            rate, handle, rules.service_level_seconds, rules.service_level_target
        )
        rows.append(
            {
                "weekday": WEEKDAYS[key[0]],
                "hour": f"{key[1]:02d}:00",
                "hours_measured": hours,
                "calls_per_hour": rate,
                "average_handle_seconds": handle,
                "erlangs": advice.erlangs,
                "counselors_needed": advice.counselors,
                "service_level": advice.service_level,
                "average_answer_seconds": advice.average_answer_seconds,
                "occupancy": advice.occupancy,
            }
        )
    return Table("staffing", COLUMNS, rows)
