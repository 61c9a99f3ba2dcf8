"""Call detail records and each call's timeline, in SQLite."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from typing import Any

import sqlite_utils

from ivr.acd.restart import History
from ivr.calls.followup_states import FollowupEvent, FollowupStatus, Kind, follow
from ivr.ports import CallbackRequest, CallFacts, QueueLogEntry, WaitingPlace
from ivr.store import bookings, strike_rows
from ivr.store.call_rows import event_row, facts_of, insert, iso, row_of, upsert
from ivr.store.call_tables import create_schema
from ivr.store.counselor_history import counselor_histories
from ivr.store.db import Database
from ivr.store.engine import Target
from ivr.store.waiting_places import waiting_place


def add_callback_row(
    db: sqlite_utils.Database,
    call_id: str,
    number: str,
    queue: str | None,
    at: datetime,
    place_at: datetime | None = None,
) -> tuple[int, bool]:
    """Store a callback request (CallRecords.add_callback), inside the caller's transaction:
    a pending request for the same number absorbs it. (id, absorbed)."""
    place = iso(place_at or at)
    pending = db.execute(
        "SELECT id, place_at FROM callbacks WHERE number = ? AND status IN ('new', 'queued') "
        "ORDER BY id LIMIT 1",
        [number],
    ).fetchone()
    if pending is not None:
        earlier = min(str(pending[1] or place), str(place))
        db.execute(
            "UPDATE callbacks SET merged = COALESCE(merged, 0) + 1, place_at = ? WHERE id = ?",
            [earlier, pending[0]],
        )
        return int(pending[0]), True
    row = {
        "call_id": call_id,
        "number": number,
        "queue": queue,
        "requested_at": iso(at),
        "place_at": place,
        "status": "new",
        "attempts": 0,
        "merged": 0,
    }
    table = db.table("callbacks")
    table.insert(row)
    return int(table.last_rowid or 0), False


class SqliteCallRecords:
    """CallRecords on the project's SQLite file."""

    def __init__(self, path: Target) -> None:
        self.db = Database(path, create_schema)
        self._pending: set[asyncio.Task[Any]] = set()

    def start(self) -> None:
        self.db.start()

    def close(self) -> None:
        self.db.close()

    async def opened(self, facts: CallFacts) -> None:
        row = row_of(facts, open_=True)
        await self.db.run(lambda db: insert(db, "calls", row, replace=True))

    async def updated(self, facts: CallFacts) -> None:
        # Written behind, as the timeline is: every step of the IVR updates
        # the row (its path), and three writes waited for, each a trip through
        # the writer thread, lay between a new call and its first prompt; at
        # 16 new calls a second they pushed the answer past its wait for the
        # prompt. The writer keeps the order, and the row is taken now.
        row = row_of(facts, open_=True)
        self.db.behind(lambda db: upsert(db, "calls", row))

    async def closed(self, facts: CallFacts) -> None:
        row = row_of(facts, open_=False)
        await self.db.run(lambda db: upsert(db, "calls", row))

    async def event(self, call_id: str, at: datetime, kind: str, detail: dict[str, Any]) -> None:
        # Written behind: the caller's next prompt does not wait for the
        # timeline. The writer keeps the order, so the next awaited write
        # (the call's row, the queue log) lands after it, and close() finishes it.
        row = event_row(call_id, at, kind, detail)
        self.db.behind(lambda db: insert(db, "call_events", row))

    async def queue_log(self, at: datetime, entry: QueueLogEntry) -> None:
        row = {
            "at": iso(at),
            "call_id": entry.call_id,
            "queue": entry.queue,
            "event": entry.event.value,
            "counselor_id": entry.counselor_id,
            "position": entry.position,
            "entry_position": entry.entry_position,
            "waited": entry.waited,
            "talked": entry.talked,
            "detail": json.dumps(entry.detail, ensure_ascii=False, default=str) if entry.detail else None,
        }
        # Behind, like the timeline: "entered" lay between the caller's key
        # and their hold music. Restart and reports read through the writer
        # or after it, so they see it in order.
        self.db.behind(lambda db: insert(db, "queue_log", row))

    async def open_calls(self) -> list[CallFacts]:
        rows = await self.db.run(lambda db: list(db.table("calls").rows_where("open = 1")))
        return [facts_of(r) for r in rows]

    async def waiting_place(self, call_id: str) -> WaitingPlace | None:
        return await self.db.run(lambda db: waiting_place(db, call_id))

    async def recent_calls(self, caller: str, since: datetime, exclude: str | None = None) -> int:
        def count(db: sqlite_utils.Database) -> int:
            row = db.execute(
                "SELECT COUNT(*) FROM calls WHERE caller = ? AND started_at >= ? AND id != ?",
                [caller, iso(since), exclude or ""],
            ).fetchone()
            return int(row[0])

        return await self.db.run(count)

    async def strikes(self, caller: str, since: datetime | None = None) -> int:
        return await self.db.run(lambda db: strike_rows.count(db, caller, since))

    async def add_callback(
        self, call_id: str, number: str, queue: str | None, at: datetime, place_at: datetime | None = None
    ) -> tuple[int, bool]:
        return await self.db.run(lambda db: add_callback_row(db, call_id, number, queue, at, place_at))

    async def book_callback(
        self, call_id: str, number: str, queue: str | None, at: datetime, slot: datetime, capacity: int
    ) -> int | None:
        return await self.db.run(lambda db: bookings.book(db, call_id, number, queue, at, slot, capacity))

    async def booked_slots(self, since: datetime) -> dict[datetime, int]:
        return await self.db.run(lambda db: bookings.booked_slots(db, since))

    async def pending_callbacks(self) -> list[CallbackRequest]:
        def read(db: sqlite_utils.Database) -> list[CallbackRequest]:
            rows = db.execute(
                "SELECT id, number, queue, place_at, requested_at, attempts, next_at, call_id, booked_for "
                "FROM callbacks "
                "WHERE status IN ('new', 'queued') ORDER BY COALESCE(place_at, requested_at), id"
            ).fetchall()
            return [
                CallbackRequest(
                    id=r[0],
                    number=r[1],
                    queue=r[2],
                    place_at=datetime.fromisoformat(r[3] or r[4]),
                    attempts=r[5] or 0,
                    next_at=datetime.fromisoformat(r[6]) if r[6] else None,
                    call_id=r[7],
                    booked_for=datetime.fromisoformat(r[8]) if r[8] else None,
                )
                for r in rows
            ]

        return await self.db.run(read)

    async def callback_attempted(
        self,
        callback_id: int,
        at: datetime,
        *,
        call_id: str,
        counselor_id: str | None,
        result: str,
        event: str,
        attempts: int,
        next_at: datetime | None,
    ) -> str:
        attempt = {
            "callback_id": callback_id,
            "at": iso(at),
            "call_id": call_id,
            "counselor_id": counselor_id,
            "result": result,
        }

        def write(db: sqlite_utils.Database) -> str:
            db.table("callback_attempts").insert(attempt)
            # `ivr callbacks assign` writes from another process: the status is
            # compared and set in one statement, so a person who took the
            # request meanwhile keeps it (the table says what their status
            # becomes), and is read again if it changed under us.
            while True:
                [(current,)] = db.execute(
                    "SELECT status FROM callbacks WHERE id = ?", [callback_id]
                ).fetchall()
                status = follow(Kind.CALLBACK, current, FollowupEvent(event))
                change: dict[str, Any] = {"status": str(status), "attempts": attempts}
                change["next_at"] = iso(next_at) if status == FollowupStatus.QUEUED else None
                if status in (FollowupStatus.DONE, FollowupStatus.FAILED):
                    change["closed_at"] = iso(at)
                if status == FollowupStatus.DONE:
                    change["handled_by"] = counselor_id
                columns = ", ".join(f"{k} = ?" for k in change)
                with db.conn:
                    cursor = db.execute(
                        f"UPDATE callbacks SET {columns} WHERE id = ? AND status = ?",
                        [*change.values(), callback_id, current],
                    )
                if cursor.rowcount == 1:
                    return str(status)

        result_status: str = await self.db.run(write)
        return result_status

    async def add_strike(self, number: str, call_id: str, reason: str, at: datetime) -> None:
        row = {"number": number, "at": iso(at), "call_id": call_id, "reason": reason}
        await self.db.run(lambda db: db.table("caller_strikes").insert(row))

    async def add_survey_answer(self, call_id: str, question: str, answer: int, at: datetime) -> None:
        row = {"call_id": call_id, "question": question, "answer": answer, "at": iso(at)}
        await self.db.run(lambda db: db.table("survey_answers").insert(row))

    async def add_voicemail(
        self, call_id: str, caller: str, recording: str, seconds: float, at: datetime
    ) -> None:
        row = {
            "call_id": call_id,
            "caller": caller,
            "recording": recording,
            "seconds": seconds,
            "at": iso(at),
            "status": "new",
        }
        await self.db.run(lambda db: db.table("voicemails").insert(row))

    def counselor_record(self, record: Any) -> None:
        """Store a counselor state change (from the dispatcher, which does not wait)."""
        row = {
            "counselor_id": record.counselor_id,
            "at": datetime.now(UTC).astimezone().isoformat(timespec="milliseconds"),
            "from_state": record.from_state.value,
            "to_state": record.to_state.value,
            "event": record.event,
            "reason": record.reason.value if record.reason else None,
            "pending": record.pending,
            "alert": 1 if record.alert else 0,
            "note": record.note,
        }
        try:
            task = asyncio.get_running_loop().create_task(
                self.db.run(lambda db: insert(db, "counselor_events", row))
            )
        except RuntimeError:
            return  # no loop: a test or a command without the service
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)

    async def counselor_records_written(self) -> None:
        """Wait for the counselor state records still being written (tests, a restart)."""
        await asyncio.gather(*self._pending)

    async def last_counselor_states(self, midnight: datetime) -> dict[str, History]:
        """Each counselor's last stored state, time in it and calls since `midnight`, for a restart."""
        now = datetime.now(UTC)
        return await self.db.run(lambda db: counselor_histories(db, midnight, now))

    async def call(self, call_id: str) -> dict[str, Any] | None:
        def read(db: sqlite_utils.Database) -> dict[str, Any] | None:
            rows = list(db.table("calls").rows_where("id = ?", [call_id]))
            return rows[0] if rows else None

        return await self.db.run(read)

    async def timeline(self, call_id: str) -> list[dict[str, Any]]:
        return await self.db.run(
            lambda db: list(db.table("call_events").rows_where("call_id = ?", [call_id], order_by="id"))
        )
