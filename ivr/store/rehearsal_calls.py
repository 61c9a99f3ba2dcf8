"""The rehearsal calls' own database (config.yaml `rehearsal.database`), read by `ivr rehearse`.

The service writes it like the main one (store/calls.py); nothing a
supervisor sees reads it.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime
from pathlib import Path
from typing import Any

from ivr.store.call_rows import iso
from ivr.store.calls import SqliteCallRecords


class RehearsalRecords(SqliteCallRecords):
    """The rehearsal calls' records. A synthetic caller has no history: every
    rehearsal call is a first call, so a caller node takes its default (the
    outcome the path was planned with), however often the number rehearsed."""

    async def recent_calls(self, caller: str, since: datetime, exclude: str | None = None) -> int:
        return 0

    async def strikes(self, caller: str, since: datetime | None = None) -> int:
        return 0


def closed_calls_since(path: Path, caller: str, since: datetime) -> list[dict[str, Any]]:
    """The finished calls from `caller` that started at or after `since`, oldest first."""
    if not path.exists():
        return []
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5)
    try:
        db.row_factory = sqlite3.Row
        try:
            rows = db.execute(
                "SELECT * FROM calls WHERE caller = ? AND started_at >= ? AND open = 0 ORDER BY started_at",
                [caller, iso(since)],
            ).fetchall()
        except sqlite3.OperationalError:
            return []  # the service has not made its tables yet
        return [dict(row) for row in rows]
    finally:
        db.close()
