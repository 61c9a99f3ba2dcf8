"""A call as a row and back, and the plain statements that write rows."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import sqlite_utils

from ivr.ports import CallFacts


def iso(value: datetime | None) -> str | None:
    return value.isoformat(timespec="milliseconds") if value else None


def seconds_between(start: datetime | None, end: datetime | None) -> float | None:
    if start is None or end is None:
        return None
    return round(max(0.0, (end - start).total_seconds()), 3)


def row_of(facts: CallFacts, *, open_: bool) -> dict[str, Any]:
    return {
        "id": facts.call_id,
        "caller": facts.caller,
        "dialed": facts.dialed,
        "started_at": iso(facts.started_at),
        "answered_at": iso(facts.answered_at),
        "connected_at": iso(facts.connected_at),
        "ended_at": iso(facts.ended_at),
        "duration_seconds": seconds_between(facts.started_at, facts.ended_at),
        # As in Asterisk's CDR: billable time runs from answer to hangup.
        "billable_seconds": seconds_between(facts.answered_at, facts.ended_at)
        or (0.0 if facts.ended_at else None),
        "talk_seconds": seconds_between(facts.connected_at, facts.ended_at),
        "disposition": facts.disposition,
        "hangup_cause": facts.hangup_cause,
        "hangup_by": facts.hangup_by,
        "counselor_id": facts.counselor_id,
        "counselor_leg": facts.counselor_leg,
        "handed_to": facts.handed_to,
        "ivr_path": " > ".join(facts.ivr_path),
        "topic": facts.topic,
        "category": facts.category,
        "recording": facts.recording,
        "flagged": facts.flagged,
        "open": 1 if open_ else 0,
        "rehearsal": 1 if facts.rehearsal else 0,
    }


def event_row(call_id: str, at: datetime, kind: str, detail: dict[str, Any]) -> dict[str, Any]:
    """A row of `call_events`: one step of a call's timeline."""
    return {
        "call_id": call_id,
        "at": iso(at),
        "kind": kind,
        "detail": json.dumps(detail, ensure_ascii=False, default=str),
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
        handed_to=row.get("handed_to"),
        disposition=row.get("disposition"),
        hangup_cause=row.get("hangup_cause"),
        hangup_by=row.get("hangup_by"),
        ivr_path=[p for p in (row.get("ivr_path") or "").split(" > ") if p],
        topic=row.get("topic"),
        category=row.get("category"),
        recording=row.get("recording"),
        flagged=row.get("flagged"),
        rehearsal=bool(row.get("rehearsal")),
    )


# A call's writes are plain statements, not sqlite_utils' insert/upsert: those
# read the table's schema on every call, a dozen trips through the GIL a row,
# and the one writer thread fell seconds behind at 3 queued calls a second.
# Table and column names here are the schema's own, never input.
def insert(
    db: sqlite_utils.Database, table: str, row: dict[str, Any], *, replace: bool = False, then: str = ""
) -> None:
    verb = "INSERT OR REPLACE" if replace else "INSERT"
    marks = ", ".join("?" * len(row))
    db.execute(f"{verb} INTO {table} ({', '.join(row)}) VALUES ({marks}) {then}", list(row.values()))


def upsert(db: sqlite_utils.Database, table: str, row: dict[str, Any], pk: str = "id") -> None:
    """Insert the row, or update the columns it names (others keep their values)."""
    updates = ", ".join(f"{column} = excluded.{column}" for column in row if column != pk)
    insert(db, table, row, then=f"ON CONFLICT({pk}) DO UPDATE SET {updates}")
