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

    async def strikes(self, caller: str) -> int:
        return 0


def closed_call_since(path: Path, caller: str, since: datetime) -> dict[str, Any] | None:
    """The first finished call from `caller` that started at or after `since`, or None."""
    if not path.exists():
        return None
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5)
    try:
        db.row_factory = sqlite3.Row
        try:
            row = db.execute(
                "SELECT * FROM calls WHERE caller = ? AND started_at >= ? AND open = 0 "
                "ORDER BY started_at LIMIT 1",
                [caller, iso(since)],
            ).fetchone()
        except sqlite3.OperationalError:
            return None  # the service has not made its tables yet
        return dict(row) if row is not None else None
    finally:
        db.close()
