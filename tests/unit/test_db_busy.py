"""A write meets a file another process has locked: it waits and lands, once, in order
(the timeline without holding the call up)."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlite_utils

from ivr.errors import StoreError
from ivr.ports import CallFacts
from ivr.store.calls import SqliteCallRecords
from ivr.store.db import Database


def _schema(db: sqlite_utils.Database) -> None:
    db.table("notes").create({"id": int, "text": str}, pk="id", if_not_exists=True)


def _hold_lock(path: Path, seconds: float, held: threading.Event) -> threading.Thread:
    """Another process's long write transaction (a report, a backup, a sqlite3 shell)."""

    def hold() -> None:
        other = sqlite3.connect(path, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        held.set()
        threading.Event().wait(seconds)
        other.execute("COMMIT")
        other.close()

    thread = threading.Thread(target=hold)
    thread.start()
    return thread


async def test_given_the_file_locked_longer_than_busy_timeout_when_writing_then_the_rows_land_once_in_order(
    tmp_path: Path,
) -> None:
    path = tmp_path / "hotline.sqlite3"
    db = Database(path, _schema, busy_ms=100)
    db.start()
    held = threading.Event()
    holder = _hold_lock(path, 1.0, held)  # ten times busy_timeout
    await asyncio.to_thread(held.wait, 5)
    writes = [db.run(lambda d, n=n: d.table("notes").insert({"text": f"row {n}"})) for n in range(5)]
    await asyncio.wait_for(asyncio.gather(*writes), 30)
    holder.join()
    db.close()
    rows = list(sqlite_utils.Database(path).table("notes").rows)
    assert [r["text"] for r in rows] == [f"row {n}" for n in range(5)]


async def test_given_a_lock_that_outlasts_the_patience_then_the_write_fails_loudly(tmp_path: Path) -> None:
    path = tmp_path / "hotline.sqlite3"
    db = Database(path, _schema, busy_ms=50, patience=0.3)
    db.start()
    held = threading.Event()
    holder = _hold_lock(path, 2.0, held)
    await asyncio.to_thread(held.wait, 5)
    with pytest.raises(StoreError, match="locked"):
        await db.run(lambda d: d.table("notes").insert({"text": "late"}))
    holder.join()
    await db.run(lambda d: d.table("notes").insert({"text": "after"}))  # the writer lives on
    db.close()
    assert [r["text"] for r in sqlite_utils.Database(path).table("notes").rows] == ["after"]


async def test_given_the_file_locked_the_timeline_does_not_hold_the_call_and_lands_in_order(
    tmp_path: Path,
) -> None:
    """A caller's next prompt does not wait for the timeline or the row: with
    the file locked by another process, timeline lines and the row's update
    return at once and land, in order, once the lock is gone."""
    path = tmp_path / "hotline.sqlite3"
    records = SqliteCallRecords(path)
    records.start()
    facts = CallFacts(call_id="c1", caller="0632221000", dialed="2221000", started_at=datetime.now(UTC))
    await records.opened(facts)
    held = threading.Event()
    holder = _hold_lock(path, 1.0, held)
    await asyncio.to_thread(held.wait, 5)
    for n in range(3):
        # Each returns without waiting for the lock (a second here).
        await asyncio.wait_for(records.event("c1", datetime.now(UTC), "ivr", {"step": n}), 0.5)
    facts.ivr_path.append("menu")
    await asyncio.wait_for(records.updated(facts), 0.5)
    facts.ivr_path.append("topic")  # after the update was asked for: not in the row
    assert holder.is_alive()
    holder.join()
    records.close()
    db = sqlite_utils.Database(path)
    steps = [r["detail"] for r in db.query("SELECT detail FROM call_events WHERE call_id = 'c1' ORDER BY id")]
    assert steps == ['{"step": 0}', '{"step": 1}', '{"step": 2}']
    assert next(db.query("SELECT ivr_path FROM calls WHERE id = 'c1'"))["ivr_path"] == "menu"


def _grows_to(path: Path, size: int, timeout: float) -> bool:
    pause = threading.Event()
    for _ in range(int(timeout * 10)):
        if path.stat().st_size >= size:
            return True
        pause.wait(0.1)
    return path.stat().st_size >= size


async def test_the_wal_is_folded_into_the_file_by_the_checkpointer_not_the_writer(tmp_path: Path) -> None:
    """Checkpoints (each an fsync) run beside the writer, so call records never
    wait for one; the file still takes in what was written within seconds."""
    path = tmp_path / "hotline.sqlite3"
    db = Database(path, _schema)
    db.start()
    text = "x" * 1000
    for n in range(2000):  # about 2 MB, far below the writer's own checkpoint limit
        db.submit(lambda d, n=n: d.table("notes").insert({"id": n, "text": text}))
    await db.run(lambda d: None)
    assert await asyncio.to_thread(_grows_to, path, 2_000_000, 10.0)
    db.close()
    assert sqlite_utils.Database(path).table("notes").count == 2000


async def test_a_write_nobody_waits_for_that_fails_is_logged_and_the_next_still_lands(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "hotline.sqlite3"
    db = Database(path, _schema)
    db.start()
    db.behind(lambda d: d.table("notes").insert({"id": 1, "text": "first"}))
    db.behind(lambda d: d.execute("INSERT INTO notes (id, text) VALUES (1, 'same id')"))
    db.behind(lambda d: d.table("notes").insert({"id": 2, "text": "second"}))
    assert await db.run(lambda d: [r["text"] for r in d.table("notes").rows]) == ["first", "second"]
    db.close()
    assert "database write failed" in caplog.text and "UNIQUE constraint failed" in caplog.text


async def test_writes_nobody_waits_for_commit_together_and_a_failed_one_is_undone_alone(
    records_at: Path | str, caplog: pytest.LogCaptureFixture
) -> None:
    """On both engines: timeline lines queued while the writer is busy land
    together, in order; one that fails halfway leaves nothing of itself."""
    db = Database(records_at, _schema)
    db.start()
    gate = threading.Event()
    busy = db.submit(lambda d: gate.wait(5))  # the writer is busy meanwhile

    def half_then_fail(d: sqlite_utils.Database) -> None:
        d.execute("INSERT INTO notes (id, text) VALUES (2, 'half')")
        raise ValueError("the line could not be made")

    db.behind(lambda d: d.execute("INSERT INTO notes (id, text) VALUES (1, 'first')"))
    db.behind(half_then_fail)
    db.behind(lambda d: d.execute("INSERT INTO notes (id, text) VALUES (3, 'third')"))
    waited = db.submit(lambda d: [r[0] for r in d.execute("SELECT text FROM notes ORDER BY id").fetchall()])
    db.behind(lambda d: d.execute("INSERT INTO notes (id, text) VALUES (4, 'after the read')"))
    gate.set()
    await busy
    assert await waited == ["first", "third"]
    assert await db.run(lambda d: d.execute("SELECT count(*) FROM notes").fetchone()[0]) == 3
    db.close()
    assert "database write failed" in caplog.text and "the line could not be made" in caplog.text
