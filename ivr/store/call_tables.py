"""The tables of calls, timelines, the queue log, counselor events and follow-ups, made or updated at open.

Rows written by earlier versions are brought up to date here too (call_migrations.py)."""

from __future__ import annotations

import sqlite_utils

from ivr.store.call_migrations import migrate
from ivr.store.recordings_table import create_recordings_schema

_CALL_COLUMNS = {
    "id": str,
    "caller": str,
    "dialed": str,
    "started_at": str,
    "answered_at": str,
    "connected_at": str,
    "ended_at": str,
    "duration_seconds": float,
    "billable_seconds": float,
    "talk_seconds": float,
    "disposition": str,
    "hangup_cause": str,
    "hangup_by": str,
    "counselor_id": str,
    "counselor_leg": str,
    "handed_to": str,
    "ivr_path": str,
    "topic": str,
    "category": str,
    "recording": str,
    "flagged": str,
    "open": int,
}

_TABLES: dict[str, tuple[dict[str, type], list[str]]] = {
    "call_events": ({"id": int, "call_id": str, "at": str, "kind": str, "detail": str}, ["call_id", "id"]),
    # status: new (held in line), queued (waiting for a retry), assigned (a
    # staff member returns it by hand: no more automatic attempts), done, failed;
    # `merged` counts later requests for the same number folded into this one.
    # handled_by: the counselor who talked to the citizen (or closed it by hand).
    "callbacks": (
        {
            "id": int,
            "call_id": str,
            "number": str,
            "queue": str,
            "requested_at": str,
            "place_at": str,
            "status": str,
            "attempts": int,
            "next_at": str,
            "merged": int,
            "handled_by": str,
            "closed_at": str,
            "assigned_to": str,
            "assigned_at": str,
            "booked_for": str,  # 예약 상담: the hour slot the citizen booked (ivr/store/bookings.py)
        },
        ["status", "requested_at"],
    ),
    "callback_attempts": (
        {"id": int, "callback_id": int, "at": str, "call_id": str, "counselor_id": str, "result": str},
        ["callback_id"],
    ),
    "survey_answers": ({"id": int, "call_id": str, "question": str, "answer": int, "at": str}, ["call_id"]),
    "voicemails": (
        {
            "id": int,
            "call_id": str,
            "caller": str,
            "recording": str,
            "seconds": float,
            "at": str,
            # new -> assigned (assigned_to) -> done (handled_by, done_at)
            "status": str,
            "assigned_to": str,
            "assigned_at": str,
            "handled_by": str,
            "done_at": str,
        },
        ["status", "at"],
    ),
    # Asterisk's queue_log, as a table: what reports of waiting and answering read.
    "queue_log": (
        {
            "id": int,
            "at": str,
            "call_id": str,
            "queue": str,
            "event": str,
            "counselor_id": str,
            "position": int,
            "entry_position": int,
            "waited": float,
            "talked": float,
            "detail": str,
        },
        ["at"],
    ),
    # A strike per abusive call ended (reason: the situation); a supervisor's
    # clearing keeps the row, with who cleared it, when and why.
    "caller_strikes": (
        {
            "id": int,
            "number": str,
            "at": str,
            "call_id": str,
            "reason": str,
            "cleared_at": str,
            "cleared_by": str,
            "clear_reason": str,
        },
        ["number"],
    ),
    "counselor_events": (
        {
            "id": int,
            "counselor_id": str,
            "at": str,
            "from_state": str,
            "to_state": str,
            "event": str,
            "reason": str,
            "pending": str,
            "alert": int,
            "note": str,
        },
        ["counselor_id", "id"],
    ),
}


def create_schema(db: sqlite_utils.Database) -> None:
    calls = db.table("calls")
    if not calls.exists():
        calls.create(_CALL_COLUMNS, pk="id", not_null={"caller", "dialed", "started_at"})
        calls.create_index(["started_at"])
        calls.create_index(["open"])
        calls.create_index(["caller", "started_at"])
    else:
        # Older files: add the columns later versions introduced.
        for name, kind in _CALL_COLUMNS.items():
            if name not in calls.columns_dict:
                calls.add_column(name, kind)
    for name, (columns, index) in _TABLES.items():
        table = db.table(name)
        if not table.exists():
            table.create(columns, pk="id")
            table.create_index(index)
        else:
            for column, kind in columns.items():
                if column not in table.columns_dict:
                    table.add_column(column, kind)
    migrate(db)  # rows of earlier versions in today's words
    create_recordings_schema(db)
