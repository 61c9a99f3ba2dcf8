"""Every published version of every flow: who, when, what, and the way back."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Any

import sqlite_utils

from ivr.store import engine
from ivr.store.engine import Target


def _db(path: Target) -> sqlite_utils.Database:
    return engine.open_with(path, create_schema)


def create_schema(db: sqlite_utils.Database) -> None:
    table = db.table("flow_versions")
    if not table.exists():
        table.create(
            {
                "id": int,
                "flow": str,
                "version": int,
                "sha256": str,
                "source": str,
                "published_at": str,
                "published_by": str,
                "note": str,
            },
            pk="id",
        )
        table.create_index(["flow", "version"], unique=True)


def record(path: Target, sources: dict[str, str], who: str, note: str = "") -> list[tuple[str, int]]:
    """Store a new version of each flow whose text changed; return (flow, version) pairs."""
    db = _db(path)
    changed = []
    now = datetime.now(UTC).astimezone().isoformat(timespec="seconds")
    with db.conn:
        for flow, source in sorted(sources.items()):
            digest = hashlib.sha256(source.encode()).hexdigest()
            last = list(
                db.table("flow_versions").rows_where("flow = ?", [flow], order_by="version desc", limit=1)
            )
            if last and last[0]["sha256"] == digest:
                continue
            version = last[0]["version"] + 1 if last else 1
            db.table("flow_versions").insert(
                {
                    "flow": flow,
                    "version": version,
                    "sha256": digest,
                    "source": source,
                    "published_at": now,
                    "published_by": who,
                    "note": note,
                }
            )
            changed.append((flow, version))
    db.conn.close()
    return changed


def versions(path: Target, flow: str) -> list[dict[str, Any]]:
    db = _db(path)
    rows = list(db.table("flow_versions").rows_where("flow = ?", [flow], order_by="version"))
    db.conn.close()
    return rows


def latest(path: Target) -> dict[str, dict[str, Any]]:
    """The newest published version of every flow."""
    if not engine.exists(path):
        return {}
    db = _db(path)
    rows = list(
        db.query(
            "SELECT * FROM flow_versions v WHERE version = "
            "(SELECT MAX(version) FROM flow_versions w WHERE w.flow = v.flow)"
        )
    )
    db.conn.close()
    return {row["flow"]: row for row in rows}
