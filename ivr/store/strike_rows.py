"""Strikes against callers' numbers (table caller_strikes): counted, listed, cleared.

Times are compared with julianday(): rows carry the offset they were written
with, and SQLite reads the offset, so a strike written in +09:00 and a limit
in UTC compare as moments, not as text.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlite_utils

from ivr.store.call_rows import iso

_STANDING = "cleared_at IS NULL AND (? IS NULL OR julianday(at) >= julianday(?))"


def count(db: sqlite_utils.Database, number: str, since: datetime | None) -> int:
    """Strikes of this number not cleared, since then (all when None)."""
    limit = iso(since)
    row = db.execute(
        f"SELECT COUNT(*) FROM caller_strikes WHERE number = ? AND {_STANDING}", [number, limit, limit]
    )
    return int(row.fetchone()[0])


def standing(db: sqlite_utils.Database, since: datetime | None) -> list[dict[str, Any]]:
    """Each number with strikes that still count: how many per situation, the latest."""
    if not db.table("caller_strikes").exists():  # a desk opened before the service's first start
        return []
    limit = iso(since)
    rows = db.execute(
        f"SELECT number, reason, COUNT(*), MAX(at) FROM caller_strikes WHERE {_STANDING} "
        "GROUP BY number, reason ORDER BY number",
        [limit, limit],
    ).fetchall()
    numbers: dict[str, dict[str, Any]] = {}
    for number, reason, n, last in rows:
        entry = numbers.setdefault(number, {"number": number, "total": 0, "by_reason": {}, "last_at": last})
        entry["total"] += n
        entry["by_reason"][reason] = n
        entry["last_at"] = max(entry["last_at"], last)
    return sorted(numbers.values(), key=lambda e: (-e["total"], e["number"]))


def clear(db: sqlite_utils.Database, number: str, at: datetime, by: str, reason: str) -> int:
    """Clear every strike of this number still standing; how many were cleared.
    The rows stay, with who cleared them, when and why."""
    if not db.table("caller_strikes").exists():
        return 0
    cursor = db.execute(
        "UPDATE caller_strikes SET cleared_at = ?, cleared_by = ?, clear_reason = ? "
        "WHERE number = ? AND cleared_at IS NULL",
        [iso(at), by, reason, number],
    )
    return int(cursor.rowcount)
