"""The desk's tables: users, audit, sessions, log-in failures, and counselors' call notes.

`create_schema` is idempotent: the server runs it at start-up through the
shared writer thread, and each `ivr users` command runs it on its own
connection, so either may be the first to touch the file. The rows are
read and written by users.py, audit.py, sessions.py, login_attempts.py and
call_notes.py beside this module.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import datetime

import sqlite_utils

from ivr.store import engine, login_attempts
from ivr.store.calls import create_schema as create_call_schema
from ivr.store.case_out_tables import create_case_out_schema
from ivr.store.case_tables import create_case_schema
from ivr.store.engine import Target
from ivr.store.kb_tables import create_kb_schema
from ivr.store.kb_usage import create_usage_schema
from ivr.store.qa_scores import create_qa_schema
from ivr.store.sql import TableSpec, create_tables

_TABLES: dict[str, TableSpec] = {
    "users": (
        {
            "username": str,
            "display_name": str,
            "role": str,
            "counselor_id": str,
            "department": str,  # an editor's department: the articles they may edit
            "language": str,  # the desk's language for this user: "ko" (default) or "en"
            "password_hash": str,
            "disabled": int,
            "created_at": str,
            "last_login_at": str,
            "password_changed_at": str,
        },
        "username",
        {"display_name", "role", "password_hash", "disabled", "created_at", "password_changed_at"},
        [],
    ),
    "audit": (
        {"id": int, "at": str, "actor": str, "action": str, "target": str, "detail": str, "ip": str},
        "id",
        {"at", "actor", "action"},
        [["at"], ["actor", "at"], ["target", "at"]],
    ),
    # `id` is the SHA-256 of the cookie value: a copy of the file opens no session.
    "sessions": (
        {
            "id": str,
            "username": str,
            "csrf_token": str,
            "created_at": str,
            "expires_at": str,
            "ip": str,
            "user_agent": str,
        },
        "id",
        {"csrf_token", "created_at", "expires_at"},
        [["username"], ["expires_at"]],
    ),
    "login_failures": (
        {"id": int, "at": str, "username": str, "ip": str},
        "id",
        {"at", "username", "ip"},
        [["username", "at"], ["ip", "at"]],
    ),
    # key is "user:<name>" or "ip:<address>"
    "login_locks": ({"key": str, "until": str}, "key", {"until"}, []),
    # A counselor's after-call notes and topic tag; rows are only added, never edited.
    "call_notes": (
        {"id": int, "call_id": str, "counselor_id": str, "author": str, "at": str, "topic": str, "note": str},
        "id",
        {"call_id", "counselor_id", "author", "at"},
        [["call_id", "id"]],
    ),
    # A supervisor's confirmation that support was offered to a counselor for
    # a month of abusive calls (the counselor protection report); only added.
    "counselor_support": (
        {"id": int, "counselor_id": str, "month": str, "at": str, "by": str, "note": str},
        "id",
        {"counselor_id", "month", "at", "by"},
        [["month", "counselor_id"]],
    ),
}


def create_schema(db: sqlite_utils.Database) -> None:
    """Create the desk's tables and indexes where they are missing."""
    create_tables(db, _TABLES)
    for column in ("department", "language"):  # files from before editors, before the English toggle
        if column not in db.table("users").columns_dict:
            db.table("users").add_column(column, str)
    create_qa_schema(db)
    create_kb_schema(db)
    create_usage_schema(db)
    create_case_schema(db)
    create_case_out_schema(db)


def open_file(path: Target) -> sqlite_utils.Database:
    """Open the database for a command (not the server): WAL, patient with the server's writer."""

    def schema(db: sqlite_utils.Database) -> None:
        with db.atomic():
            create_schema(db)

    return engine.open_with(path, schema)


@contextlib.contextmanager
def transaction(path: Target) -> Iterator[sqlite_utils.Database]:
    """One command's transaction on the file (opened as open_file does), closed after it."""
    db = open_file(path)
    try:
        with db.atomic():
            yield db
    finally:
        db.close()


def prepare(db: sqlite_utils.Database, now: datetime) -> None:
    """The server's start: every table the desk reads, where missing (the call records' too,
    on a desk-only file), and log-in failures and locks that no longer count forgotten."""
    create_call_schema(db)
    create_schema(db)
    login_attempts.purge(db, now)
