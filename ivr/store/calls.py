"""Call detail records and each call's timeline, in SQLite."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import sqlite_utils

from ivr.ports import CallFacts
from ivr.store.db import Database

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
    "ivr_path": str,
    "open": int,
}


def create_schema(db: sqlite_utils.Database) -> None:
    if "calls" not in db.table_names():
        db.table("calls").create(_CALL_COLUMNS, pk="id", not_null={"caller", "dialed", "started_at"})
        db.table("calls").create_index(["started_at"])
        db.table("calls").create_index(["open"])
    if "call_events" not in db.table_names():
        db.table("call_events").create(
            {"id": int, "call_id": str, "at": str, "kind": str, "detail": str},
            pk="id",
            foreign_keys=[("call_id", "calls", "id")],
        )
        db.table("call_events").create_index(["call_id", "id"])


def _iso(value: datetime | None) -> str | None:
    return value.isoformat(timespec="milliseconds") if value else None


def _seconds(start: datetime | None, end: datetime | None) -> float | None:
    if start is None or end is None:
        return None
    return round(max(0.0, (end - start).total_seconds()), 3)


def row_of(facts: CallFacts, *, open_: bool) -> dict[str, Any]:
    return {
        "id": facts.call_id,
        "caller": facts.caller,
        "dialed": facts.dialed,
        "started_at": _iso(facts.started_at),
        "answered_at": _iso(facts.answered_at),
        "connected_at": _iso(facts.connected_at),
        "ended_at": _iso(facts.ended_at),
        "duration_seconds": _seconds(facts.started_at, facts.ended_at),
        # As in Asterisk's CDR: billable time runs from answer to hangup.
        "billable_seconds": _seconds(facts.answered_at, facts.ended_at) or (0.0 if facts.ended_at else None),
        "talk_seconds": _seconds(facts.connected_at, facts.ended_at),
        "disposition": facts.disposition,
        "hangup_cause": facts.hangup_cause,
        "hangup_by": facts.hangup_by,
        "counselor_id": facts.counselor_id,
        "counselor_leg": facts.counselor_leg,
        "ivr_path": " > ".join(facts.ivr_path),
        "open": 1 if open_ else 0,
    }


def facts_of(row: dict[str, Any]) -> CallFacts:
    def dt(key: str) -> datetime | None:
        return datetime.fromisoformat(row[key]) if row.get(key) else None

    started = dt("started_at")
    assert started is not None
    return CallFacts(
        call_id=row["id"],
        caller=row["caller"],
        dialed=row["dialed"],
        started_at=started,
        answered_at=dt("answered_at"),
        connected_at=dt("connected_at"),
        ended_at=dt("ended_at"),
        counselor_id=row.get("counselor_id"),
        counselor_leg=row.get("counselor_leg"),
        disposition=row.get("disposition"),
        hangup_cause=row.get("hangup_cause"),
        hangup_by=row.get("hangup_by"),
        ivr_path=[p for p in (row.get("ivr_path") or "").split(" > ") if p],
    )


class SqliteCallRecords:
    """CallRecords on the project's SQLite file."""

    def __init__(self, path: Path) -> None:
        self.db = Database(path, create_schema)

    def start(self) -> None:
        self.db.start()

    def close(self) -> None:
        self.db.close()

    async def opened(self, facts: CallFacts) -> None:
        row = row_of(facts, open_=True)
        await self.db.run(lambda db: db.table("calls").insert(row, pk="id", replace=True))

    async def updated(self, facts: CallFacts) -> None:
        row = row_of(facts, open_=True)
        await self.db.run(lambda db: db.table("calls").upsert(row, pk="id"))

    async def closed(self, facts: CallFacts) -> None:
        row = row_of(facts, open_=False)
        await self.db.run(lambda db: db.table("calls").upsert(row, pk="id"))

    async def event(self, call_id: str, at: datetime, kind: str, detail: dict[str, Any]) -> None:
        row = {
            "call_id": call_id,
            "at": _iso(at),
            "kind": kind,
            "detail": json.dumps(detail, ensure_ascii=False, default=str),
        }
        await self.db.run(lambda db: db.table("call_events").insert(row))

    async def open_calls(self) -> list[CallFacts]:
        rows = await self.db.run(lambda db: list(db.table("calls").rows_where("open = 1")))
        return [facts_of(r) for r in rows]

    async def call(self, call_id: str) -> dict[str, Any] | None:
        def read(db: sqlite_utils.Database) -> dict[str, Any] | None:
            rows = list(db.table("calls").rows_where("id = ?", [call_id]))
            return rows[0] if rows else None

        return await self.db.run(read)

    async def timeline(self, call_id: str) -> list[dict[str, Any]]:
        return await self.db.run(
            lambda db: list(db.table("call_events").rows_where("call_id = ?", [call_id], order_by="id"))
        )
