"""예약 상담 in the callbacks table: a booking is a callback with `booked_for`,
its place in line and first attempt at that slot's start."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlite_utils

from ivr.store.call_rows import iso


def book(
    db: sqlite_utils.Database,
    call_id: str,
    number: str,
    queue: str | None,
    at: datetime,
    slot: datetime,
    capacity: int,
) -> int | None:
    """Insert the booking unless `capacity` hold the slot already (one write
    thread: the count and the insert cannot interleave with another booking)."""
    held = db.execute("SELECT COUNT(*) FROM callbacks WHERE booked_for = ?", [iso(slot)]).fetchone()[0]
    if held >= capacity:
        return None
    table = db.table("callbacks")
    table.insert(
        {
            "call_id": call_id,
            "number": number,
            "queue": queue,
            "requested_at": iso(at),
            "place_at": iso(slot),
            "next_at": iso(slot),
            "booked_for": iso(slot),
            "status": "new",
            "attempts": 0,
            "merged": 0,
        }
    )
    return int(table.last_rowid or 0)


def booked_slots(db: sqlite_utils.Database, since: datetime) -> dict[datetime, int]:
    rows = db.execute(
        "SELECT booked_for, COUNT(*) FROM callbacks WHERE booked_for >= ? GROUP BY booked_for", [iso(since)]
    ).fetchall()
    return {datetime.fromisoformat(r[0]): int(r[1]) for r in rows}


def bookings_by_slot(db: sqlite_utils.Database, since: datetime) -> list[dict[str, Any]]:
    """Bookings from `since` on, by slot (the desk's list)."""
    return [
        dict(r)
        for r in db.query(
            "SELECT id, booked_for, number, queue, status, attempts, handled_by, requested_at FROM callbacks "
            "WHERE booked_for >= ? ORDER BY booked_for, id",
            [iso(since)],
        )
    ]
