"""What counselors did with the knowledge base on a call: the articles they answered with,
the questions the base had no answer for, searches that found nothing, and how the call ended.

Tables (made at open by desk_schema.create_schema):

    kb_call_uses     one row per mark: kind 'used' (slug, version) or 'gap' (the question as asked)
    call_resolutions one row per call: 'resolved' or 'follow_up', the last word of its counselor
    kb_search_misses one row per search that found nothing (the gap list's other half)

A mark goes only on the call its counselor talked on, as call notes do. A
gap's question is what a citizen said, so it may hold personal data: writing
it and reading the gap list are audited.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlite_utils

from ivr.store import audit
from ivr.store.caller_history import call_row
from ivr.store.sql import TableSpec, create_tables, query
from ivr.store.stamps import stamp

USES = "kb_call_uses"
RESOLUTIONS = "call_resolutions"
MISSES = "kb_search_misses"
KINDS = ("used", "gap")
OUTCOMES = ("resolved", "follow_up")

_TABLES: dict[str, TableSpec] = {
    USES: (
        {
            "id": int,
            "call_id": str,
            "counselor_id": str,
            "author": str,
            "at": str,
            "kind": str,
            "slug": str,
            "version": int,
            "question": str,
        },
        "id",
        {"call_id", "counselor_id", "author", "at", "kind"},
        [["call_id", "id"], ["slug"], ["kind", "at"]],
    ),
    RESOLUTIONS: (
        {"call_id": str, "counselor_id": str, "author": str, "at": str, "outcome": str},
        "call_id",
        {"counselor_id", "author", "at", "outcome"},
        [["at"]],
    ),
    MISSES: (
        {"id": int, "at": str, "who": str, "call_id": str, "topic": str, "query": str},
        "id",
        {"at", "who", "query"},
        [["at"]],
    ),
}


def create_usage_schema(db: sqlite_utils.Database) -> None:
    """Create the tables and their indexes where missing."""
    create_tables(db, _TABLES)


def _counselors_call(db: sqlite_utils.Database, call_id: str, counselor_id: str | None) -> bool:
    call = call_row(db, call_id)
    return call is not None and bool(counselor_id) and call["counselor_id"] == counselor_id


def mark(db: sqlite_utils.Database, row: dict[str, Any], ip: str | None, at: datetime) -> bool:
    """Keep one mark (call_id, counselor_id, author, kind, slug+version or question), audited;
    False, nothing written, unless the call is the author's counselor's."""
    if not _counselors_call(db, row["call_id"], row["counselor_id"]):
        return False
    full = {"slug": None, "version": None, "question": None, **row, "at": stamp(at)}
    db.table(USES).insert(full)
    if row["kind"] == "used":
        detail = f"used {row['slug']} v{row['version']}"
    else:
        detail = f"not in the base: {len(row['question'])} chars"
    audit.record(db, at, row["author"], f"kb_{row['kind']}", row["call_id"], detail, ip)
    return True


def resolve(
    db: sqlite_utils.Database,
    call_id: str,
    counselor_id: str | None,
    author: str,
    outcome: str,
    ip: str | None,
    at: datetime,
) -> bool:
    """Mark the call resolved or needing follow-up (a later mark replaces an earlier one), audited;
    False unless it is the counselor's call."""
    if outcome not in OUTCOMES:
        raise ValueError(f"outcome must be one of {OUTCOMES}, got {outcome!r}")
    if not _counselors_call(db, call_id, counselor_id):
        return False
    db.table(RESOLUTIONS).upsert(
        {
            "call_id": call_id,
            "counselor_id": counselor_id,
            "author": author,
            "at": stamp(at),
            "outcome": outcome,
        },
        pk="call_id",
    )
    audit.record(db, at, author, "call_resolution", call_id, outcome, ip)
    return True


def uses_of(db: sqlite_utils.Database, call_id: str) -> list[dict[str, Any]]:
    """The call's marks, oldest first: at, author, kind, slug, version, question, title."""
    return query(
        db,
        f"SELECT u.at, u.author, u.kind, u.slug, u.version, u.question, a.title FROM {USES} u "
        "LEFT JOIN kb_articles a ON a.slug = u.slug WHERE u.call_id = ? ORDER BY u.id",
        [call_id],
    )


def resolution_of(db: sqlite_utils.Database, call_id: str) -> str | None:
    rows = query(db, f"SELECT outcome FROM {RESOLUTIONS} WHERE call_id = ?", [call_id])
    return str(rows[0]["outcome"]) if rows else None


def log_miss(
    db: sqlite_utils.Database, at: datetime, who: str, question: str, call_id: str | None, topic: str | None
) -> None:
    """Keep a search that found nothing (the question as typed, already checked for length)."""
    db.table(MISSES).insert(
        {"at": stamp(at), "who": who, "call_id": call_id, "topic": topic, "query": question}
    )


def gaps(db: sqlite_utils.Database, since: datetime, limit: int = 50) -> list[dict[str, Any]]:
    """Questions marked 'not in the base' since `since`, newest first, with the call's topic."""
    return query(
        db,
        f"SELECT u.at, u.author, u.call_id, u.question, c.topic FROM {USES} u "
        "LEFT JOIN calls c ON c.id = u.call_id WHERE u.kind = 'gap' AND u.at >= ? "
        "ORDER BY u.id DESC LIMIT ?",
        [stamp(since), limit],
    )


def top_misses(db: sqlite_utils.Database, since: datetime, limit: int = 20) -> list[dict[str, Any]]:
    """The searches that found nothing most often since `since`: query, times, last."""
    return query(
        db,
        f"SELECT query, COUNT(*) AS times, MAX(at) AS last FROM {MISSES} WHERE at >= ? "
        "GROUP BY query ORDER BY times DESC, last DESC LIMIT ?",
        [stamp(since), limit],
    )
