"""What each counselor went through in a month: the record the city keeps for its
duty of care to customer-facing workers (산업안전보건법 제41조, docs/protection.md).

Per counselor: the abusive calls they ended, by situation (the four endings),
those calls' total talk time, the rest given after them (cooldown pauses,
counted inside the month), and whether a supervisor confirmed that support was
offered. Pure: the rows come from ivr/store/protection_rows.py.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, tzinfo

from ivr.protection.situations import Situation
from ivr.reports.output import Table
from ivr.reports.period import PeriodError
from ivr.reports.rows import Period


@dataclass(frozen=True)
class AbusiveCall:
    call_id: str
    counselor_id: str
    situation: str  # calls.flagged
    started_at: datetime
    talk_seconds: float | None


@dataclass(frozen=True)
class Cooldown:
    """A cooldown pause: from `started` until the counselor's next state change (None: still on)."""

    counselor_id: str
    started: datetime
    ended: datetime | None


@dataclass(frozen=True)
class Support:
    """A supervisor's confirmation that support was offered to a counselor for a month."""

    counselor_id: str
    month: str
    at: datetime
    by: str
    note: str


COLUMNS = (
    "counselor",
    "name",
    "abusive_calls",
    *(s.value for s in Situation),
    "talk_seconds",
    "rest_seconds",
    "support_offered",
    "support_by",
    "support_at",
)


def month_period(month: str, tz: tzinfo) -> Period:
    """The whole month `YYYY-MM` in the hotline's zone."""
    if not re.fullmatch(r"\d{4}-\d{2}", month) or not 1 <= int(month[5:]) <= 12:
        raise PeriodError([f"month: {month!r} is not a month like 2026-11 (YYYY-MM)"])
    first = date(int(month[:4]), int(month[5:]), 1)
    after = date(first.year + first.month // 12, first.month % 12 + 1, 1)
    return Period(datetime.combine(first, time(), tz), datetime.combine(after, time(), tz), tz)


def rest_seconds(cooldowns: Iterable[Cooldown], period: Period, now: datetime) -> dict[str, float]:
    """Cooldown time per counselor inside the period (a pause running on counts until now)."""
    rest: dict[str, float] = {}
    for c in cooldowns:
        start = max(c.started, period.start)
        end = min(c.ended or now, period.end)
        if end > start:
            rest[c.counselor_id] = rest.get(c.counselor_id, 0.0) + (end - start).total_seconds()
    return rest


def counselor_report(
    month: str,
    period: Period,
    calls: Iterable[AbusiveCall],
    cooldowns: Iterable[Cooldown],
    support: Iterable[Support],
    names: Mapping[str, str],
    now: datetime,
) -> Table:
    """One row per counselor who ended an abusive call or rested after one this month."""
    counts: dict[str, dict[str, float]] = {}
    for call in calls:
        if call.started_at not in period:
            continue
        row = counts.setdefault(call.counselor_id, {})
        row[call.situation] = row.get(call.situation, 0) + 1
        row["talk_seconds"] = row.get("talk_seconds", 0.0) + (call.talk_seconds or 0.0)
    rest = rest_seconds(cooldowns, period, now)
    confirmed = {s.counselor_id: s for s in sorted(support, key=lambda s: s.at) if s.month == month}
    rows = []
    for cid in sorted(set(counts) | set(rest)):
        got = counts.get(cid, {})
        by_situation = {s.value: int(got.get(s.value, 0)) for s in Situation}
        offered = confirmed.get(cid)
        rows.append(
            {
                "counselor": cid,
                "name": names.get(cid, cid),
                "abusive_calls": sum(by_situation.values()),
                **by_situation,
                "talk_seconds": float(got.get("talk_seconds", 0.0)),
                "rest_seconds": rest.get(cid, 0.0),
                "support_offered": "yes" if offered else "no",
                "support_by": offered.by if offered else None,
                "support_at": offered.at.astimezone(period.tz).strftime("%Y-%m-%d %H:%M")
                if offered
                else None,
            }
        )
    return Table(f"상담사 보호 기록 · Counselor protection {month}", COLUMNS, rows)


def _local(at: datetime, tz: tzinfo) -> str:
    return at.astimezone(tz).strftime("%Y-%m-%d %H:%M")
