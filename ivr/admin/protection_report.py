"""The counselor protection report (ivr/reports/protection.py) for the desk:
read for a month, every showing audited (it is the counselors' personal
data), and supervisors' confirmations that support was offered, audited."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, tzinfo

import sqlite_utils

from ivr.admin.problems import InvalidInput
from ivr.reports.output import Table
from ivr.reports.period import PeriodError
from ivr.reports.protection import counselor_report, month_period
from ivr.reports.rows import Period
from ivr.store import audit, protection_rows
from ivr.store.db import Database

NOTE_MAX = 500


def _period_of(month: str, tz: tzinfo) -> Period:
    try:
        return month_period(month, tz)
    except PeriodError as exc:
        raise InvalidInput(exc.problems) from None


async def report(
    db: Database, month: str, tz: tzinfo, names: Mapping[str, str], now: datetime, actor: str, ip: str | None
) -> Table:
    """The month's table; InvalidInput for a month that is not YYYY-MM."""
    period = _period_of(month, tz)

    def job(conn: sqlite_utils.Database) -> Table:
        table = counselor_report(
            month,
            period,
            protection_rows.abusive_calls(conn, period),
            protection_rows.cooldowns(conn, period),
            protection_rows.support(conn, month),
            names,
            now,
        )
        audit.record(conn, now, actor, "protection_report_viewed", month, f"{len(table.rows)} counselors", ip)
        return table

    return await db.run(job)


async def confirm_support(
    db: Database,
    counselor_id: str,
    month: str,
    note: str,
    tz: tzinfo,
    known: Mapping[str, str],
    now: datetime,
    actor: str,
    ip: str | None,
) -> None:
    """A supervisor confirms support was offered to a counselor for a month (audited)."""
    _period_of(month, tz)
    problems = []
    if counselor_id not in known:
        problems.append("알 수 없는 상담사입니다. · Unknown counselor.")
    if len(note) > NOTE_MAX:
        problems.append(f"메모는 {NOTE_MAX}자까지입니다. · A note is at most {NOTE_MAX} characters.")
    if problems:
        raise InvalidInput(problems)

    def job(conn: sqlite_utils.Database) -> None:
        protection_rows.confirm_support(conn, counselor_id, month, now, actor, note.strip())
        audit.record(conn, now, actor, "support_confirmed", counselor_id, f"month={month} {note.strip()}", ip)

    await db.run(job)
