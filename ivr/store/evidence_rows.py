"""What an evidence package holds about one call, read from the records, and
the legal hold that making one places on the call's recordings."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import sqlite_utils

# Audit actions that touch a call's recordings: its chain of custody.
CUSTODY_ACTIONS = (
    "recording_played",
    "recording_downloaded",
    "recording_purged",
    "recording_held",
    "call_viewed",
    "call_reviewed",
    "call_scored",
    "evidence_package",
)


def _rows(db: sqlite_utils.Database, sql: str, args: list[Any]) -> list[dict[str, Any]]:
    return [dict(r) for r in db.query(sql, args)]


def call_row(db: sqlite_utils.Database, call_id: str) -> dict[str, Any] | None:
    rows = _rows(db, "SELECT * FROM calls WHERE id = ?", [call_id])
    return rows[0] if rows else None


def timeline(db: sqlite_utils.Database, call_id: str) -> list[dict[str, Any]]:
    rows = _rows(db, "SELECT at, kind, detail FROM call_events WHERE call_id = ? ORDER BY id", [call_id])
    return [{**r, "detail": json.loads(r["detail"] or "{}")} for r in rows]


def notes(db: sqlite_utils.Database, call_id: str) -> list[dict[str, Any]]:
    if not db.table("call_notes").exists():
        return []
    sql = "SELECT at, author, counselor_id, topic, note FROM call_notes WHERE call_id = ? ORDER BY id"
    return _rows(db, sql, [call_id])


def recordings(db: sqlite_utils.Database, call_id: str) -> list[dict[str, Any]]:
    """The call's recordings whose files are kept (stored), oldest first."""
    sql = "SELECT * FROM recordings WHERE call_id = ? AND status = 'stored' ORDER BY recorded_at, id"
    return _rows(db, sql, [call_id])


def custody(
    db: sqlite_utils.Database, call_id: str, recordings: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Who recorded, copied, played, held the call's recordings, in time order:
    the recordings' own rows (recorded by the PBX, copied by the service with
    their checksum) and every audit row on the call or on one of them."""
    events: list[dict[str, Any]] = []
    for r in recordings:
        events.append({"at": r["recorded_at"], "who": "asterisk", "what": "recorded", "detail": r["name"]})
        if r.get("stored_at"):
            detail = f"{r['name']} -> {r['path']} sha256={r['sha256']}"
            events.append({"at": r["stored_at"], "who": "ivr service", "what": "copied", "detail": detail})
    if db.table("audit").exists():
        targets = [call_id, *(str(r["id"]) for r in recordings)]
        marks = ",".join("?" * len(targets))
        actions = ",".join("?" * len(CUSTODY_ACTIONS))
        sql = (
            f"SELECT at, actor, action, target, detail, ip FROM audit WHERE target IN ({marks}) "
            f"AND action IN ({actions}) ORDER BY id"
        )
        for a in _rows(db, sql, [*targets, *CUSTODY_ACTIONS]):
            detail = f"{a['target']}: {a['detail']}" if a["detail"] else a["target"]
            events.append(
                {"at": a["at"], "who": a["actor"], "what": a["action"], "detail": detail, "ip": a["ip"]}
            )
    return sorted(events, key=lambda e: datetime.fromisoformat(e["at"]))


def hold(db: sqlite_utils.Database, call_id: str, reason: str) -> int:
    """Put the call's recordings under legal hold (inside the caller's transaction); how many."""
    cursor = db.execute(
        "UPDATE recordings SET legal_hold = 1, hold_reason = ? WHERE call_id = ? AND status != 'purged'",
        [reason, call_id],
    )
    return int(cursor.rowcount)
