"""The recordings archive: rows of the `recordings` table and their files.

The service's side (`SqliteRecordingArchive`, RecordingArchive over the shared
writer thread) and the commands' side (hold, release, list: plain functions
on their own connection, safe beside a running service thanks to WAL).
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import sqlite_utils

from ivr.errors import HotlineError, StoreError
from ivr.ports import StoredRecording
from ivr.store import engine, recording_files
from ivr.store.call_tables import create_schema
from ivr.store.db import Database
from ivr.store.engine import Target


def _iso(at: datetime) -> str:
    return at.isoformat(timespec="milliseconds")


def _row(db: sqlite_utils.Database, name: str) -> dict[str, Any] | None:
    rows = list(db.table("recordings").rows_where("name = ?", [name]))
    return rows[0] if rows else None


def _add(db: sqlite_utils.Database, call_id: str, kind: str, name: str, status: str, at: datetime) -> None:
    db.execute(
        "INSERT OR IGNORE INTO recordings (call_id, kind, name, status, recorded_at, legal_hold) "
        "VALUES (?, ?, ?, ?, ?, 0)",
        [call_id, kind or "conversation", name, status, _iso(at)],
    )


class SqliteRecordingArchive:
    """RecordingArchive: rows in the call records' database, files under `root`."""

    def __init__(self, db: Database, root: Path) -> None:
        self.db = db
        self.root = root

    async def started(self, call_id: str, kind: str, name: str, at: datetime) -> None:
        await self.db.run(lambda db: _add(db, call_id, kind, name, "pending", at))

    async def failed(self, call_id: str, kind: str, name: str, error: str, at: datetime) -> str | None:
        def write(db: sqlite_utils.Database) -> str | None:
            row = _row(db, name)
            if row is None:
                if not call_id:
                    return None
                _add(db, call_id, kind, name, "failed", at)
                db.execute("UPDATE recordings SET error = ? WHERE name = ?", [error, name])
                return call_id
            if row["status"] != "pending":
                return None
            db.execute("UPDATE recordings SET status = 'failed', error = ? WHERE name = ?", [error, name])
            return str(row["call_id"])

        return await self.db.run(write)

    async def keep(self, name: str, data: bytes, at: datetime) -> StoredRecording:
        row = await self.db.run(lambda db: _row(db, name))
        if row is None:
            raise StoreError(f"no recording {name!r} in the recordings table")
        recorded = datetime.fromisoformat(row["recorded_at"]) if row.get("recorded_at") else at
        relative = recording_files.relative_path(row["call_id"], row["kind"], recorded, name)
        # Written and fsynced off the writer thread: call records never wait for a disk flush.
        facts = await asyncio.to_thread(recording_files.store, self.root, relative, data)

        def write(db: sqlite_utils.Database) -> None:
            call = db.execute("SELECT category FROM calls WHERE id = ?", [row["call_id"]]).fetchone()
            category = row["kind"] if row["kind"] == "voicemail" else ((call and call[0]) or row["kind"])
            db.execute(
                "UPDATE recordings SET status = 'stored', path = ?, format = ?, sha256 = ?, bytes = ?, "
                "seconds = ?, stored_at = ?, category = COALESCE(category, ?), error = NULL WHERE name = ?",
                [
                    facts.path,
                    facts.format,
                    facts.sha256,
                    facts.bytes,
                    facts.seconds,
                    _iso(at),
                    category,
                    name,
                ],
            )

        await self.db.run(write)
        return StoredRecording(name, facts.path, facts.sha256, facts.bytes, facts.seconds)

    async def waiting(self) -> list[tuple[str, str]]:
        def read(db: sqlite_utils.Database) -> list[tuple[str, str]]:
            rows = db.execute(
                "SELECT call_id, name FROM recordings WHERE status = 'pending' ORDER BY id"
            ).fetchall()
            return [(str(r[0]), str(r[1])) for r in rows]

        return await self.db.run(read)

    async def troubled(self, name: str, error: str) -> None:
        await self.db.run(
            lambda db: db.execute(
                "UPDATE recordings SET error = ? WHERE name = ? AND status IN ('pending', 'stored')",
                [error[:500], name],
            )
        )

    async def is_pending(self, name: str) -> bool:
        def read(db: sqlite_utils.Database) -> bool:
            row = db.execute("SELECT status FROM recordings WHERE name = ?", [name]).fetchone()
            return row is not None and row[0] == "pending"

        return await self.db.run(read)

    async def counts(self) -> dict[str, int]:
        """Recordings by status, for /metrics."""
        rows = await self.db.run(
            lambda db: db.execute("SELECT status, COUNT(*) FROM recordings GROUP BY status").fetchall()
        )
        return {str(r[0]): int(r[1]) for r in rows}


def open_db(path: Target) -> sqlite_utils.Database:
    """The records' database for a command (schema made if it is new)."""
    return engine.open_with(path, create_schema)


def set_hold(db: sqlite_utils.Database, call_id: str, reason: str | None) -> int:
    """Put a call's recordings under legal hold (reason) or release them (None); how many."""
    if reason is not None and not reason.strip():
        raise HotlineError("--reason: say why the recordings are held (it is kept with them)")
    with db.conn:
        cursor = db.execute(
            "UPDATE recordings SET legal_hold = ?, hold_reason = ? WHERE call_id = ?",
            [1 if reason else 0, reason, call_id],
        )
    if cursor.rowcount == 0:
        raise HotlineError(f"call {call_id!r} has no recordings")
    return int(cursor.rowcount)


def listing(
    db: sqlite_utils.Database, status: str | None = None, call_id: str | None = None
) -> list[dict[str, Any]]:
    """Recordings, newest first, optionally of one status or call."""
    where, args = [], []
    if status:
        where.append("status = ?")
        args.append(status)
    if call_id:
        where.append("call_id = ?")
        args.append(call_id)
    sql = "SELECT * FROM recordings" + (f" WHERE {' AND '.join(where)}" if where else "")
    return [dict(r) for r in db.query(sql + " ORDER BY recorded_at DESC, id DESC", args)]


def stored_with_call(db: sqlite_utils.Database) -> Iterator[dict[str, Any]]:
    """Every stored recording, oldest first, with its call's `flagged` and `call_category`."""
    return db.query(
        "SELECT r.*, c.flagged AS flagged, c.category AS call_category FROM recordings r "
        "LEFT JOIN calls c ON c.id = r.call_id WHERE r.status = 'stored' ORDER BY r.recorded_at, r.id"
    )


def mark_purged(
    db: sqlite_utils.Database, row: dict[str, Any], reason: str, *, by: str, at: str, real: datetime
) -> None:
    """A purged recording's row: when (`at`, local), by whom and why; an audit row too when
    the desk's audit table exists (stamped `real`, UTC). One transaction."""
    with db.conn:
        db.execute(
            "UPDATE recordings SET status = 'purged', purged_at = ?, purged_by = ?, purge_reason = ? "
            "WHERE id = ? AND status = 'stored'",
            [at, by, reason, row["id"]],
        )
        if db.table("audit").exists():
            db.table("audit").insert(
                {
                    "at": real.isoformat(timespec="seconds"),
                    "actor": by,
                    "action": "recording_purged",
                    "target": row["call_id"],
                    "detail": f"{row['name']}: {reason}",
                }
            )
