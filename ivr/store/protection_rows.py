"""Rows for the counselor protection report, and supervisors' confirmations
that support was offered (table counselor_support).

Stamps carry different offsets (calls: the hotline's zone; counselor_events:
the service host's), so the SQL reads a day's margin on each side and the
report (ivr/reports/protection.py) keeps exactly the month.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlite_utils

from ivr.protection.situations import Situation
from ivr.reports.protection import AbusiveCall, Cooldown, Support
from ivr.reports.rows import Period

MARGIN = timedelta(days=1)


def _bounds(period: Period) -> list[str]:
    return [(period.start - MARGIN).isoformat(), (period.end + MARGIN).isoformat()]


def abusive_calls(db: sqlite_utils.Database, period: Period) -> list[AbusiveCall]:
    """Calls ended or warned for one of the four situations, with their counselor."""
    if not db.table("calls").exists():
        return []
    flags = [s.value for s in Situation]
    sql = (
        "SELECT id, counselor_id, flagged, started_at, talk_seconds FROM calls "
        f"WHERE flagged IN ({','.join('?' * len(flags))}) AND counselor_id IS NOT NULL "
        "AND started_at >= ? AND started_at < ?"
    )
    return [
        AbusiveCall(r[0], r[1], r[2], datetime.fromisoformat(r[3]), r[4])
        for r in db.execute(sql, [*flags, *_bounds(period)]).fetchall()
    ]


def cooldowns(db: sqlite_utils.Database, period: Period) -> list[Cooldown]:
    """Each cooldown pause near the period, ended by the counselor's next state change."""
    if not db.table("counselor_events").exists():
        return []
    sql = (
        "SELECT e.counselor_id, e.at, (SELECT n.at FROM counselor_events n WHERE n.counselor_id = "
        "e.counselor_id AND n.id > e.id ORDER BY n.id LIMIT 1) FROM counselor_events e "
        "WHERE e.to_state = 'paused' AND e.reason = 'cooldown' AND e.at >= ? AND e.at < ?"
    )
    return [
        Cooldown(r[0], datetime.fromisoformat(r[1]), datetime.fromisoformat(r[2]) if r[2] else None)
        for r in db.execute(sql, _bounds(period)).fetchall()
    ]


def support(db: sqlite_utils.Database, month: str) -> list[Support]:
    if not db.table("counselor_support").exists():
        return []
    rows = db.execute(
        "SELECT counselor_id, month, at, by, note FROM counselor_support WHERE month = ? ORDER BY id", [month]
    ).fetchall()
    return [Support(r[0], r[1], datetime.fromisoformat(r[2]), r[3], r[4] or "") for r in rows]


def confirm_support(
    db: sqlite_utils.Database, counselor_id: str, month: str, at: datetime, by: str, note: str
) -> None:
    """A supervisor's confirmation (inside the caller's transaction, with its audit row)."""
    row = {"counselor_id": counselor_id, "month": month, "at": at.isoformat(), "by": by, "note": note}
    db.table("counselor_support").insert(row)
