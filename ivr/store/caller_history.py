"""What a counselor sees of a caller: this call, their earlier calls, and what they left behind.

Read-only queries for the counselor desk; they never change a call record.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import sqlite_utils

from ivr.store.sql import query as _rows

HISTORY_DAYS = 7
_HISTORY_LIMIT = 20


@dataclass(frozen=True)
class CallerContext:
    """One call as the desk shows it, with the caller's history around it."""

    call_id: str
    caller: str
    started_at: str
    connected_at: str | None
    ended_at: str | None
    disposition: str | None
    counselor_id: str | None
    ivr_path: list[str]
    topic: str | None
    previous: list[dict[str, Any]] = field(default_factory=list)  # last 7 days, newest first
    callbacks: list[dict[str, Any]] = field(default_factory=list)  # requests not yet placed (new, queued)
    voicemails: list[dict[str, Any]] = field(default_factory=list)  # unheard voicemails of the number


def call_row(db: sqlite_utils.Database, call_id: str) -> dict[str, Any] | None:
    rows = list(db.table("calls").rows_where("id = ?", [call_id]))
    return rows[0] if rows else None


def last_call_of(db: sqlite_utils.Database, counselor_id: str, since: datetime) -> str | None:
    """The id of the counselor's most recent conversation since `since`, if any."""
    row = db.execute(
        "SELECT id FROM calls WHERE counselor_id = ? AND started_at >= ? ORDER BY connected_at DESC LIMIT 1",
        [counselor_id, since.isoformat(timespec="milliseconds")],
    ).fetchone()
    return str(row[0]) if row else None


def caller_context(db: sqlite_utils.Database, call_id: str) -> CallerContext | None:
    """The call and its caller's last seven days; None for an unknown call."""
    row = call_row(db, call_id)
    if row is None:
        return None
    started = datetime.fromisoformat(row["started_at"])
    since = (started - timedelta(days=HISTORY_DAYS)).isoformat(timespec="milliseconds")
    previous = _rows(
        db,
        "SELECT id, started_at, disposition, counselor_id, ivr_path, topic FROM calls "
        "WHERE caller = ? AND id != ? AND started_at >= ? AND started_at < ? "
        "ORDER BY started_at DESC LIMIT ?",
        [row["caller"], call_id, since, row["started_at"], _HISTORY_LIMIT],
    )
    callbacks = _rows(
        db,
        "SELECT id, requested_at, queue, status FROM callbacks "
        "WHERE number = ? AND status IN ('new', 'queued') ORDER BY requested_at DESC",
        [row["caller"]],
    )
    voicemails = _rows(
        db,
        "SELECT id, at, seconds, status FROM voicemails WHERE caller = ? AND status = 'new' ORDER BY at DESC",
        [row["caller"]],
    )
    return CallerContext(
        call_id=row["id"],
        caller=row["caller"],
        started_at=row["started_at"],
        connected_at=row["connected_at"],
        ended_at=row["ended_at"],
        disposition=row["disposition"],
        counselor_id=row["counselor_id"],
        ivr_path=[p for p in (row["ivr_path"] or "").split(" > ") if p],
        topic=row["topic"],
        previous=previous,
        callbacks=callbacks,
        voicemails=voicemails,
    )
