"""Counselors' after-call notes and topic tags (the `call_notes` table of desk_schema.py).

Rows are only added, never edited. A note goes only on the call its
counselor talked on.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlite_utils

from ivr.store import audit
from ivr.store.caller_history import CallerContext, call_row, caller_context, last_call_of


def notes_of(db: sqlite_utils.Database, call_id: str) -> list[dict[str, Any]]:
    """The call's notes, oldest first: at, author, topic, note."""
    return list(
        db.table("call_notes").rows_where(
            "call_id = ?", [call_id], order_by="id", select="at, author, topic, note"
        )
    )


def desk_call(
    db: sqlite_utils.Database, counselor_id: str, on_line: str | None, since: datetime
) -> tuple[CallerContext, list[dict[str, Any]]] | None:
    """What a counselor's desk shows: the call on their line, else their last one since `since`,
    with its caller's context and its notes; None if there is neither."""
    call_id = on_line or last_call_of(db, counselor_id, since)
    context = caller_context(db, call_id) if call_id else None
    if context is None:
        return None
    return context, notes_of(db, context.call_id)


def add(db: sqlite_utils.Database, row: dict[str, Any], ip: str | None, at: datetime) -> bool:
    """Add a note (call_id, counselor_id, author, at, topic, note), audited; False, nothing written,
    unless the call is the author's counselor's."""
    call = call_row(db, row["call_id"])
    if call is None or not row["counselor_id"] or call["counselor_id"] != row["counselor_id"]:
        return False
    db.table("call_notes").insert(row)
    detail = f"topic={row['topic'] or '-'} chars={len(row['note'])}"
    audit.record(db, at, row["author"], "call_note_added", row["call_id"], detail, ip)
    return True
