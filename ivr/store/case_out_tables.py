"""The tables of the way back to the citizen (made at open where missing, desk_schema calls this).

case_out_tasks   one row per case and kind: `answer` (how the answer went out: an
                 automated call due / done / left for a person, a callback task, a
                 문자 queued) and `happy` (해피콜: due, done, left for a person, with
                 the citizen's answers)
case_outbox      문자 to send: `queued` until a gateway adapter drains it
                 (docs/cases.md, "문자 outbox"); nothing here pretends it was sent
case_followups   work for a supervisor: an answer nobody could be reached for, a
                 해피콜 saying "not solved" or a score of 2 or less
"""

from __future__ import annotations

import sqlite_utils

from ivr.store.sql import TableSpec, create_tables

TASKS = "case_out_tasks"
OUTBOX = "case_outbox"
FOLLOWUPS = "case_followups"

_TABLES: dict[str, TableSpec] = {
    TASKS: (
        {
            "id": int,
            "number": str,
            "kind": str,
            "status": str,
            "attempts": int,
            "next_at": str,
            "created_at": str,
            "updated_at": str,
            "last_call": str,
            "solved": int,  # 해피콜: 1 해결, 2 미해결
            "score": int,  # 해피콜: 1-5
            "department": str,  # the case's, when the task was made (reports group by it)
            "topic": str,
        },
        "id",
        {"number", "kind", "status", "attempts", "created_at", "updated_at"},
        [["number", "kind"], ["status", "next_at"]],
    ),
    OUTBOX: (
        {
            "id": int,
            "number": str,
            "to_number": str,
            "text": str,
            "status": str,  # queued | sent | failed
            "note": str,
            "queued_at": str,
            "sent_at": str,
            "gateway_ref": str,
        },
        "id",
        {"number", "to_number", "text", "status", "queued_at"},
        [["status", "id"], ["number"]],
    ),
    FOLLOWUPS: (
        {
            "id": int,
            "number": str,
            "reason": str,
            "status": str,  # new | assigned | done
            "at": str,
            "by": str,
        },
        "id",
        {"number", "reason", "status", "at"},
        [["status", "at"], ["number"]],
    ),
}


def create_case_out_schema(db: sqlite_utils.Database) -> None:
    """Create the tables and indexes where missing."""
    create_tables(db, _TABLES)
