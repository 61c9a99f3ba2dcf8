"""After a restart the wallboard shows each counselor as before: state, time in it, calls today."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlite_utils

from ivr.acd.counselor_model import Counselor, Event, PauseReason
from ivr.acd.restart import RESTORED_NOTE
from ivr.store.call_tables import create_schema
from ivr.store.calls import SqliteCallRecords
from ivr.store.counselor_history import counselor_histories
from ivr.web.context import SEOUL
from ivr.web.wallboard import local_midnight
from tests.web.conftest import Desk


def _take_call(desk: Desk, cid: str, call_id: str) -> None:
    desk.acd.apply(cid, Event.offer(call_id))
    desk.acd.apply(cid, Event.answer(call_id))
    desk.acd.call_ended(cid)
    desk.acd.now.t += 35  # type: ignore[attr-defined]  # past the 30 s of wrap-up
    desk.acd.apply(cid, Event.wrap_up_done())


def _people(snapshot: dict[str, Any]) -> dict[str, tuple[Any, ...]]:
    return {c["id"]: (c["shown"], c["pause_reason"], c["calls_taken"]) for c in snapshot["counselors"]}


async def test_given_counselors_at_work_when_the_service_restarts_then_the_board_shows_the_same_counts(
    desk: Desk, db_path: Path
) -> None:
    records = SqliteCallRecords(db_path)
    records.start()
    try:
        desk.acd.on_record = records.counselor_record
        for cid in ("c1", "c2"):
            desk.acd.apply(cid, Event.login())
        _take_call(desk, "c1", "call-1")
        _take_call(desk, "c1", "call-2")
        _take_call(desk, "c2", "call-3")
        desk.acd.apply("c2", Event.pause(PauseReason.MEAL))
        await records.counselor_records_written()
        client = await desk.logged_in("supervisor")
        before = await (await client.get("/api/wallboard")).json()

        # The restart: the dispatcher forgets everybody, then reads their records back.
        for cid, c in list(desk.acd.counselors.items()):
            desk.acd.counselors[cid] = Counselor(cid, skills=dict(c.skills))
        midnight = local_midnight(datetime.now(UTC), SEOUL)
        desk.acd.restore(await records.last_counselor_states(midnight), login_others=False)
        await records.counselor_records_written()
        after = await (await client.get("/api/wallboard")).json()
        assert (
            _people(after)
            == _people(before)
            == {
                "c1": ("available", None, 2),
                "c2": ("paused", "meal", 1),
            }
        )
        assert [s["count"] for s in after["states"]] == [s["count"] for s in before["states"]]

        # A second restart still counts from the records the counselors made, not the restore's.
        for cid, c in list(desk.acd.counselors.items()):
            desk.acd.counselors[cid] = Counselor(cid, skills=dict(c.skills))
        desk.acd.restore(await records.last_counselor_states(midnight), login_others=False)
        again = await (await client.get("/api/wallboard")).json()
        assert _people(again) == _people(before)
    finally:
        records.close()


def test_given_records_of_a_morning_then_time_in_state_and_calls_today_come_back(tmp_path: Path) -> None:
    db = sqlite_utils.Database(tmp_path / "h.sqlite3")
    create_schema(db)
    day = "2026-03-02T"

    def row(cid: str, at: str, from_: str, to: str, reason: str | None = None, note: str = "") -> None:
        db.table("counselor_events").insert(
            {
                "counselor_id": cid,
                "at": f"{day}{at}+09:00",
                "from_state": from_,
                "to_state": to,
                "event": "e",
                "reason": reason,
                "note": note,
            }
        )

    db.table("counselor_events").insert(  # yesterday's call is not today's
        {
            "counselor_id": "c1",
            "at": "2026-03-01T17:00:00+09:00",
            "from_state": "reserved",
            "to_state": "on_call",
            "event": "answer",
        }
    )
    row("c1", "09:00:00", "logged_out", "available")
    for hour in ("09:10", "09:20"):
        row("c1", f"{hour}:00", "available", "reserved")
        row("c1", f"{hour}:05", "reserved", "on_call")
        row("c1", f"{hour}:30", "on_call", "wrap_up")
        row("c1", f"{hour}:40", "wrap_up", "available")
    row("c2", "09:00:00", "logged_out", "available")
    row("c2", "09:30:00", "available", "paused", "meal")
    row("c2", "10:00:00", "logged_out", "available", note=RESTORED_NOTE)  # an earlier restart
    row("c2", "10:00:00", "available", "paused", "meal", note=RESTORED_NOTE)

    now = datetime.fromisoformat(f"{day}10:30:00+09:00")
    found = counselor_histories(db, datetime.fromisoformat(f"{day}00:00:00+09:00"), now)
    assert (found["c1"].state, found["c1"].calls_today, found["c1"].seconds_in_state) == (
        "available",
        2,
        4160,
    )
    assert (found["c2"].state, found["c2"].reason, found["c2"].seconds_in_state) == ("paused", "meal", 3600)
