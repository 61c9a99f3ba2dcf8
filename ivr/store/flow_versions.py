"""Every published version of every flow: who, when, what, and the way back."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlite_utils


def _db(path: Path) -> sqlite_utils.Database:
    path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite_utils.Database(path)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA busy_timeout=5000")
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
    return db


def record(path: Path, sources: dict[str, str], who: str, note: str = "") -> list[tuple[str, int]]:
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


def versions(path: Path, flow: str) -> list[dict[str, Any]]:
    db = _db(path)
    rows = list(db.table("flow_versions").rows_where("flow = ?", [flow], order_by="version"))
    db.conn.close()
    return rows


def latest(path: Path) -> dict[str, dict[str, Any]]:
    """The newest published version of every flow."""
    if not path.exists():
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
