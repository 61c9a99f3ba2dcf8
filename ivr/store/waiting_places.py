"""Who was still waiting in line, read back from the queue log after a restart."""

from __future__ import annotations

import json
from datetime import datetime

import sqlite_utils

from ivr.ports import QueueEvent, WaitingPlace

# The last line of a caller still in line: they entered, or a counselor's
# phone rang (and maybe missed) for them. Any other line ends the wait.
_STILL_WAITING = (QueueEvent.ENTERED.value, QueueEvent.OFFERED.value, QueueEvent.RING_NO_ANSWER.value)


def waiting_place(db: sqlite_utils.Database, call_id: str) -> WaitingPlace | None:
    last = db.execute(
        "SELECT event FROM queue_log WHERE call_id = ? ORDER BY id DESC LIMIT 1", [call_id]
    ).fetchone()
    if last is None or last[0] not in _STILL_WAITING:
        return None
    entered = db.execute(
        "SELECT queue, at, position, detail FROM queue_log WHERE call_id = ? AND event = ? "
        "ORDER BY id DESC LIMIT 1",
        [call_id, QueueEvent.ENTERED.value],
    ).fetchone()
    if entered is None:
        return None
    queue, at, position, detail = entered
    priority = bool(json.loads(detail).get("priority")) if detail else False
    return WaitingPlace(queue, datetime.fromisoformat(at), position, priority)
