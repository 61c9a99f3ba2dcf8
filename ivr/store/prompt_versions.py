"""The prompt studio's rows: takes (recordings being judged) and published versions.

A prompt is named by its key: `flow/<flow>/<prompt id>/<language>` for a
flow's prompt, `system/<prompt id>/<language>` for one of the system prompts
(ivr/prompts/catalog.py). Each publish of a prompt is a new version row: a
recorded take's files (`stem`), or `synthesized` (back to espeak-ng). The
newest version is what new calls hear. A publish and its audit row are
written in one transaction, with the take's state change (prompts/takes.py).

The functions take a sqlite_utils.Database and run inside the caller's
transaction (the service calls them through the writer thread).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlite_utils

from ivr.prompts.takes import TakeState, change
from ivr.store import audit, engine
from ivr.store.engine import Target
from ivr.store.stamps import stamp

RECORDED = "recorded"
SYNTHESIZED = "synthesized"

_TAKES = {
    "id": int,
    "prompt": str,
    "state": str,
    "stem": str,
    "source": str,  # browser, upload, phone
    "made_by": str,
    "made_at": str,
    "seconds": float,
    "seconds_before": float,
    "loudness_before": float,
    "loudness": float,
    "sha256": str,
}
_VERSIONS = {
    "id": int,
    "prompt": str,
    "version": int,
    "kind": str,  # recorded | synthesized
    "stem": str,  # the take's files (recorded only)
    "take_id": int,
    "seconds": float,
    "loudness": float,
    "published_at": str,
    "published_by": str,
    "note": str,
}


def create_schema(db: sqlite_utils.Database) -> None:
    """Both tables, idempotent."""
    for name, columns, index in (("prompt_takes", _TAKES, ["prompt"]), ("prompt_versions", _VERSIONS, None)):
        table = db.table(name)
        if not table.exists():
            table.create(columns, pk="id")
            if index:
                table.create_index(index)
    versions = db.table("prompt_versions")
    if not any(i.unique for i in versions.indexes):
        versions.create_index(["prompt", "version"], unique=True)


def add_take(db: sqlite_utils.Database, at: datetime, row: dict[str, Any]) -> int:
    """A prepared take; its id."""
    create_schema(db)
    table = db.table("prompt_takes")
    table.insert({**row, "state": TakeState.PREPARED.value, "made_at": stamp(at)})
    return int(table.last_rowid or 0)


def take(db: sqlite_utils.Database, take_id: int) -> dict[str, Any] | None:
    create_schema(db)
    rows = list(db.table("prompt_takes").rows_where("id = ?", [take_id]))
    return rows[0] if rows else None


def discard(db: sqlite_utils.Database, take_id: int) -> bool:
    """A prepared take nobody will publish; False if there is none such (Database.run
    would turn an exception into StoreError, so a refusal is an answer)."""
    row = take(db, take_id)
    if row is None or row["state"] != TakeState.PREPARED.value:
        return False
    db.table("prompt_takes").update(take_id, {"state": change(row["state"], TakeState.DISCARDED).value})
    return True


def current(db: sqlite_utils.Database) -> dict[str, dict[str, Any]]:
    """The newest version of every prompt ever published, by key."""
    create_schema(db)
    rows = db.query(
        "SELECT * FROM prompt_versions v WHERE version = "
        "(SELECT MAX(version) FROM prompt_versions w WHERE w.prompt = v.prompt)"
    )
    return {row["prompt"]: row for row in rows}


def history(db: sqlite_utils.Database, prompt: str) -> list[dict[str, Any]]:
    create_schema(db)
    return list(db.table("prompt_versions").rows_where("prompt = ?", [prompt], order_by="version"))


def publish(
    db: sqlite_utils.Database, at: datetime, who: str, take_id: int, note: str = "", ip: str | None = None
) -> dict[str, Any] | None:
    """Publish a prepared take as its prompt's next version; the new version row, or
    None if there is no prepared take of that id. The take published before it is
    superseded. Audited in the same transaction.
    """
    row = take(db, take_id)
    if row is None or row["state"] != TakeState.PREPARED.value:
        return None
    state = change(row["state"], TakeState.PUBLISHED)
    version = _next_version(db, row["prompt"], at, who, note, RECORDED, row["stem"], take_id, row)
    db.table("prompt_takes").update(take_id, {"state": state.value})
    audit.record(db, at, who, "prompt.publish", row["prompt"], f"v{version['version']} take {take_id}", ip)
    return version


def roll_back(
    db: sqlite_utils.Database, at: datetime, who: str, prompt: str, ip: str | None = None
) -> dict[str, Any] | None:
    """Publish again what the prompt had before its newest version (the synthesized
    voice if nothing was recorded before): the new version row, or None if the
    prompt was never published."""
    rows = history(db, prompt)
    if not rows:
        return None
    previous = rows[-2] if len(rows) > 1 else None
    if previous is None or previous["kind"] == SYNTHESIZED:
        version = _next_version(db, prompt, at, who, "rollback", SYNTHESIZED, None, None, {})
    else:
        version = _next_version(
            db, prompt, at, who, "rollback", RECORDED, previous["stem"], previous["take_id"], previous
        )
    audit.record(db, at, who, "prompt.rollback", prompt, f"v{version['version']} ({version['kind']})", ip)
    return version


def _next_version(
    db: sqlite_utils.Database,
    prompt: str,
    at: datetime,
    who: str,
    note: str,
    kind: str,
    stem: str | None,
    take_id: int | None,
    measured: dict[str, Any],
) -> dict[str, Any]:
    rows = history(db, prompt)
    if rows and rows[-1]["take_id"] and rows[-1]["take_id"] != take_id:
        _supersede(db, rows[-1]["take_id"])
    version = {
        "prompt": prompt,
        "version": (rows[-1]["version"] + 1) if rows else 1,
        "kind": kind,
        "stem": stem,
        "take_id": take_id,
        "seconds": measured.get("seconds"),
        "loudness": measured.get("loudness"),
        "published_at": stamp(at),
        "published_by": who,
        "note": note,
    }
    db.table("prompt_versions").insert(version)
    return version


def _supersede(db: sqlite_utils.Database, take_id: int) -> None:
    row = take(db, take_id)
    if row is not None and row["state"] == TakeState.PUBLISHED.value:
        db.table("prompt_takes").update(take_id, {"state": change(row["state"], TakeState.SUPERSEDED).value})


def calls_through_steps(db: sqlite_utils.Database, since: datetime) -> dict[str, int]:
    """How many calls started since `since` went through each IVR step (each call once)."""
    counts: dict[str, int] = {}
    if not db.table("calls").exists():
        return counts
    # started_at carries the hotline's offset (+09:00); julianday() compares instants.
    query = "SELECT ivr_path FROM calls WHERE julianday(started_at) >= julianday(?)"
    for row in db.query(query, [stamp(since)]):
        for step in {s for s in (row["ivr_path"] or "").split(" > ") if s}:
            counts[step] = counts.get(step, 0) + 1
    return counts


def recorded_seconds(path: Target) -> dict[str, float]:
    """Seconds of each recording published now, by prompt key (none without a database):
    what a caller hears in place of the voice (admin/goal_times.py adds them up)."""
    if not engine.exists(path):
        return {}
    db = engine.connect(path)
    try:
        return {
            key: float(row["seconds"])
            for key, row in current(db).items()
            if row["kind"] == RECORDED and row.get("seconds")
        }
    finally:
        db.conn.close()
