"""What QA looks for: recordings by date, counselor, queue, topic, length and flag,
and everything about one call beside its recording.

Read-only queries; the recordings table (recordings_table.py) is filled by
the service as it copies recordings out of Asterisk.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlite_utils

from ivr.store.sql import query as _rows

PAGE_SIZE = 50


@dataclass(frozen=True)
class RecordingFilter:
    """A QA search; None means "any". Times are aware datetimes in the call center's zone."""

    since: datetime | None = None
    until: datetime | None = None
    counselor_id: str | None = None
    queue: str | None = None
    topic: str | None = None
    min_seconds: float | None = None
    max_seconds: float | None = None
    flagged: bool | None = None  # True: flagged calls only (e.g. abuse); False: unflagged only
    page: int = 1


def _iso(at: datetime) -> str:
    # The calls table stores local times with milliseconds (ivr/store/calls.py):
    # the same shape compares correctly as text.
    return at.isoformat(timespec="milliseconds")


def _where(f: RecordingFilter) -> tuple[str, list[Any]]:
    clauses: list[str] = ["1 = 1"]
    args: list[Any] = []
    if f.since is not None:
        clauses.append("c.started_at >= ?")
        args.append(_iso(f.since))
    if f.until is not None:
        clauses.append("c.started_at < ?")
        args.append(_iso(f.until))
    if f.counselor_id:
        clauses.append("c.counselor_id = ?")
        args.append(f.counselor_id)
    if f.queue:
        clauses.append("EXISTS (SELECT 1 FROM queue_log q WHERE q.call_id = c.id AND q.queue = ?)")
        args.append(f.queue)
    if f.topic:
        # The flow's own topic, or the one the counselor tagged after the call.
        clauses.append(
            "(c.topic = ? OR EXISTS (SELECT 1 FROM call_notes n WHERE n.call_id = c.id AND n.topic = ?))"
        )
        args += [f.topic, f.topic]
    if f.min_seconds is not None:
        clauses.append("r.seconds >= ?")
        args.append(f.min_seconds)
    if f.max_seconds is not None:
        clauses.append("r.seconds <= ?")
        args.append(f.max_seconds)
    if f.flagged is True:
        clauses.append("c.flagged IS NOT NULL AND c.flagged != ''")
    elif f.flagged is False:
        clauses.append("(c.flagged IS NULL OR c.flagged = '')")
    return " AND ".join(clauses), args


_SELECT = """
SELECT r.id AS recording_id, r.kind, r.status, r.seconds, r.legal_hold, r.purge_reason,
       c.id AS call_id, c.caller, c.started_at, c.connected_at, c.counselor_id, c.flagged,
       c.disposition,
       COALESCE((SELECT n.topic FROM call_notes n WHERE n.call_id = c.id AND n.topic IS NOT NULL
                 ORDER BY n.id DESC LIMIT 1), c.topic) AS topic,
       (SELECT q.queue FROM queue_log q WHERE q.call_id = c.id ORDER BY q.id DESC LIMIT 1) AS queue,
       (SELECT s.total FROM qa_scores s WHERE s.call_id = c.id AND s.withdrawn_at IS NULL
         ORDER BY s.id DESC LIMIT 1) AS score
FROM recordings r JOIN calls c ON c.id = r.call_id
"""


def search(db: sqlite_utils.Database, f: RecordingFilter) -> tuple[list[dict[str, Any]], int]:
    """One page of matching recordings, newest call first, and how many match in all."""
    where, args = _where(f)
    total = db.execute(
        f"SELECT COUNT(*) FROM recordings r JOIN calls c ON c.id = r.call_id WHERE {where}", args
    ).fetchone()[0]
    offset = (max(1, f.page) - 1) * PAGE_SIZE
    rows = _rows(
        db,
        f"{_SELECT} WHERE {where} ORDER BY c.started_at DESC, r.id DESC LIMIT ? OFFSET ?",
        [*args, PAGE_SIZE, offset],
    )
    return rows, int(total)


def recording_of(db: sqlite_utils.Database, recording_id: int) -> dict[str, Any] | None:
    """A recording with the counselor of its call (who may hear it)."""
    rows = _rows(
        db,
        "SELECT r.*, c.counselor_id, c.caller FROM recordings r JOIN calls c ON c.id = r.call_id "
        "WHERE r.id = ?",
        [recording_id],
    )
    return rows[0] if rows else None


def call_for_review(db: sqlite_utils.Database, call_id: str) -> dict[str, Any] | None:
    """A call with its recordings, timeline, queue log, notes and scores; None if unknown."""
    calls = _rows(db, "SELECT * FROM calls WHERE id = ?", [call_id])
    if not calls:
        return None
    return {
        "call": calls[0],
        "recordings": _rows(db, "SELECT * FROM recordings WHERE call_id = ? ORDER BY id", [call_id]),
        "events": _rows(
            db, "SELECT at, kind, detail FROM call_events WHERE call_id = ? ORDER BY id", [call_id]
        ),
        "notes": _rows(
            db, "SELECT at, author, topic, note FROM call_notes WHERE call_id = ? ORDER BY id", [call_id]
        ),
        "scores": _rows(db, "SELECT * FROM qa_scores WHERE call_id = ? ORDER BY id DESC", [call_id]),
    }
