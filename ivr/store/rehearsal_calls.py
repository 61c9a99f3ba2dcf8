"""The rehearsal calls' own database (config.yaml `rehearsal.database`), read by `ivr rehearse`.

The service writes it like the main one (store/calls.py); nothing a
supervisor sees reads it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ivr.store import engine
from ivr.store.call_rows import iso
from ivr.store.calls import SqliteCallRecords
from ivr.store.engine import Target
from ivr.store.sql import query


class RehearsalRecords(SqliteCallRecords):
    """The rehearsal calls' records. A synthetic caller has no history: every
    rehearsal call is a first call, so a caller node takes its default (the
    outcome the path was planned with), however often the number rehearsed."""

    async def recent_calls(self, caller: str, since: datetime, exclude: str | None = None) -> int:
        return 0

    async def strikes(self, caller: str, since: datetime | None = None) -> int:
        return 0


def closed_calls_since(path: Target, caller: str, since: datetime) -> list[dict[str, Any]]:
    """The finished calls from `caller` that started at or after `since`, oldest first."""
    if not engine.exists(path):
        return []
    db = engine.read_only(path)
    try:
        return query(
            db,
            "SELECT * FROM calls WHERE caller = ? AND started_at >= ? AND open = 0 ORDER BY started_at",
            [caller, iso(since)],
        )
    except engine.errors():
        return []  # the service has not made its tables yet
    finally:
        db.close()
