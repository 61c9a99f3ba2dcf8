"""The cases' tables, made at open where missing (desk_schema.create_schema calls this).

    cases          one row per case (민원), keyed by its number; `version` goes up by one at
                   every change, so two desks changing one case at once cannot both win
    case_events    every change of a case: who, when, the event, the status before and after, why
    case_calls     the calls a case came from (a citizen may call again about it)
    case_numbers   the last sequence handed out per year: numbers are never given twice,
                   whatever happens to the cases' rows

Columns a later version adds go into `_CASE_COLUMNS` and are added to files
made before it (`_add_missing`), as kb_tables does.
"""

from __future__ import annotations

import sqlite_utils

from ivr.store.sql import TableSpec, create_tables

CASES = "cases"
EVENTS = "case_events"
CALLS = "case_calls"
NUMBERS = "case_numbers"

_CASE_COLUMNS: dict[str, type] = {
    "number": str,
    "year": int,
    "status": str,
    "version": int,
    "received_at": str,
    "received_by": str,
    "caller": str,
    "name": str,
    "answer_channel": str,
    "topic": str,
    "description": str,
    "type": str,
    "department": str,
    "deadline": str,  # UTC stamp: compares as text with stamp(now)
    "ivr_path": str,
    "articles": str,  # JSON list of knowledge-base slugs tried on the call
    "answer": str,
    "answered_at": str,
    "answered_by": str,
    "closed_at": str,
    "updated_at": str,
}

_TABLES: dict[str, TableSpec] = {
    CASES: (
        _CASE_COLUMNS,
        "number",
        {
            "year",
            "status",
            "version",
            "received_at",
            "received_by",
            "caller",
            "description",
            "type",
            "department",
            "deadline",
            "answer_channel",
            "updated_at",
        },
        [["status", "deadline"], ["department", "status", "deadline"], ["caller", "status"], ["received_at"]],
    ),
    EVENTS: (
        {
            "id": int,
            "number": str,
            "at": str,
            "who": str,
            "event": str,
            "from_status": str,
            "to_status": str,
            "why": str,
            "detail": str,
        },
        "id",
        {"number", "at", "who", "event"},
        [["number", "id"], ["event", "at"]],
    ),
    CALLS: (
        {"id": int, "number": str, "call_id": str, "at": str},
        "id",
        {"number", "call_id", "at"},
        [["number"], ["call_id"]],
    ),
    NUMBERS: ({"year": int, "last": int}, "year", {"last"}, []),
}


def create_case_schema(db: sqlite_utils.Database) -> None:
    """Create the tables and indexes where missing; add columns later versions introduced."""
    create_tables(db, _TABLES)
    _add_missing(db)


def _add_missing(db: sqlite_utils.Database) -> None:
    cases = db.table(CASES)
    present = cases.columns_dict
    for name, kind in _CASE_COLUMNS.items():
        if name not in present:
            cases.add_column(name, kind)
