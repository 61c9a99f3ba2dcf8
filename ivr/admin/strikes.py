"""Supervisors see callers' strikes and clear them, always with a reason.

Shared by the desk's protection page; every read of the list and every
clearing (refused ones too) is in the audit log.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlite_utils

from ivr.admin.problems import InvalidInput
from ivr.protection.strikes import clear_problems, counting_since
from ivr.store import audit, strike_rows
from ivr.store.db import Database


async def standing(
    db: Database, now: datetime, expiry_days: int, actor: str, ip: str | None
) -> list[dict[str, Any]]:
    """Numbers with strikes that still count; the read is audited (callers' numbers)."""

    def job(conn: sqlite_utils.Database) -> list[dict[str, Any]]:
        rows = strike_rows.standing(conn, counting_since(now, expiry_days))
        audit.record(conn, now, actor, "strikes_viewed", "caller_strikes", f"{len(rows)} numbers", ip)
        return rows

    return await db.run(job)


async def clear(db: Database, number: str, reason: str, now: datetime, actor: str, ip: str | None) -> int:
    """Clear a number's strikes for a reason; InvalidInput without one (audited either way)."""
    number, reason = number.strip(), reason.strip()
    problems = clear_problems(number, reason)

    def job(conn: sqlite_utils.Database) -> int:
        if problems:
            audit.record(conn, now, actor, "strikes_cleared", number, f"refused: {' '.join(problems)}", ip)
            return 0
        cleared = strike_rows.clear(conn, number, now, actor, reason)
        audit.record(conn, now, actor, "strikes_cleared", number, f"{cleared} cleared; reason={reason}", ip)
        return cleared

    cleared = await db.run(job)
    if problems:
        raise InvalidInput(problems)
    if cleared == 0:
        raise InvalidInput(["해제할 경고 기록이 없습니다. · That number has no strikes to clear."])
    return cleared
