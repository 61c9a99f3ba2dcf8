"""The recordings archive, purges and follow-ups on a real SQLite file."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from ivr.admin import purge
from ivr.calls.retention import RetentionPolicy
from ivr.errors import HotlineError
from ivr.ports import CallFacts
from ivr.store import followups, recordings
from ivr.store.calls import SqliteCallRecords
from ivr.store.desk_schema import create_schema as create_desk_schema
from tests.unit.test_recording_files import wav_bytes

SEOUL = ZoneInfo("Asia/Seoul")
T0 = datetime(2026, 11, 28, 14, 0, tzinfo=SEOUL)


async def archive_with_calls(
    records_at: Path | str, tmp_path: Path, *ids: str
) -> tuple[SqliteCallRecords, recordings.SqliteRecordingArchive]:
    records = SqliteCallRecords(records_at)
    records.start()
    for call_id in ids:
        facts = CallFacts(
            call_id, "01012345678", "2221000", started_at=T0, ended_at=T0 + timedelta(minutes=1)
        )
        await records.closed(facts)
    return records, recordings.SqliteRecordingArchive(records.db, tmp_path / "recordings")


async def test_a_recording_goes_from_pending_to_stored_with_its_file_facts(
    records_at: Path | str, tmp_path: Path
) -> None:
    records, archive = await archive_with_calls(records_at, tmp_path, "17.1")
    try:
        await archive.started("17.1", "conversation", "call-17.1", T0)
        await archive.started("17.1", "conversation", "call-17.1", T0 + timedelta(seconds=9))  # told twice
        assert await archive.waiting() == [("17.1", "call-17.1")]
        stored = await archive.keep("call-17.1", wav_bytes(4), T0 + timedelta(minutes=1))
        assert stored.path == "2026/11/28/17.1.wav"
        assert (tmp_path / "recordings" / stored.path).read_bytes() == wav_bytes(4)
        assert not await archive.is_pending("call-17.1")
        assert await archive.waiting() == []
        assert await archive.counts() == {"stored": 1}
        [row] = recordings.listing(recordings.open_db(records_at))
        assert (row["status"], row["seconds"], row["bytes"], row["format"]) == (
            "stored",
            4.0,
            len(wav_bytes(4)),
            "wav",
        )
        assert (row["category"], row["recorded_at"]) == ("conversation", "2026-11-28T14:00:00.000+09:00")
        # A stored recording cannot turn failed afterwards.
        assert await archive.failed("17.1", "conversation", "call-17.1", "late news", T0) is None
    finally:
        records.close()


async def test_a_failure_for_an_unknown_recording_makes_a_failed_row(
    records_at: Path | str, tmp_path: Path
) -> None:
    records, archive = await archive_with_calls(records_at, tmp_path, "17.2")
    try:
        assert await archive.failed("17.2", "voicemail", "voicemail-17.2-ab", "disk full", T0) == "17.2"
        [row] = recordings.listing(recordings.open_db(records_at), status="failed")
        assert (row["kind"], row["error"]) == ("voicemail", "disk full")
    finally:
        records.close()


async def stored_three(records_at: Path | str, tmp_path: Path) -> Path | str:
    records, archive = await archive_with_calls(records_at, tmp_path, "1", "2", "3")
    try:
        for n in ("1", "2", "3"):
            await archive.started(n, "conversation", f"call-{n}", T0)
            await archive.keep(f"call-{n}", wav_bytes(1), T0)
        await records.db.run(lambda db: db.execute("UPDATE calls SET flagged = 'abuse' WHERE id = '2'"))
    finally:
        records.close()
    return records_at


async def test_a_purge_deletes_the_ordinary_keeps_flagged_and_held_and_says_who_when_why(
    records_at: Path | str, tmp_path: Path
) -> None:
    db = recordings.open_db(await stored_three(records_at, tmp_path))
    assert recordings.set_hold(db, "3", "소송 2026-17") == 1
    create_desk_schema(db)  # the desk's tables, its audit log among them
    root = tmp_path / "recordings"
    later = T0 + timedelta(days=91)

    dry = purge.purge(db, root, RetentionPolicy(), later, by="kim", apply=False)
    assert [r["call_id"] for r, _ in dry.purged] == ["1"] and dry.kept == {"flagged": 1, "held": 1}
    assert len(list(root.rglob("*.wav"))) == 3

    done = purge.purge(db, root, RetentionPolicy(), later, by="kim", apply=True)
    assert done.bytes == len(wav_bytes(1)) and done.seconds == 1.0
    rows = {r["call_id"]: r for r in recordings.listing(db)}
    assert (rows["1"]["status"], rows["1"]["purged_by"], rows["1"]["purge_reason"]) == (
        "purged",
        "kim",
        "older than 90 days (default)",
    )
    assert rows["1"]["purged_at"]
    assert not (root / rows["1"]["path"]).exists()
    assert [rows[n]["status"] for n in ("2", "3")] == ["stored", "stored"]
    [audit] = list(db.table("audit").rows)
    assert (audit["actor"], audit["action"], audit["target"]) == ("kim", "recording_purged", "1")
    # A second purge finds nothing more to do.
    assert purge.purge(db, root, RetentionPolicy(), later, by="kim", apply=True).purged == []

    recordings.set_hold(db, "3", None)
    released = purge.purge(db, root, RetentionPolicy(), later, by=purge.SCHEDULE, apply=True)
    assert [r["call_id"] for r, _ in released.purged] == ["3"]


async def test_holding_needs_a_reason_and_a_call_with_recordings(
    records_at: Path | str, tmp_path: Path
) -> None:
    db = recordings.open_db(await stored_three(records_at, tmp_path))
    with pytest.raises(HotlineError, match="reason"):
        recordings.set_hold(db, "1", "  ")
    with pytest.raises(HotlineError, match="no recordings"):
        recordings.set_hold(db, "nope", "x")


def test_voicemails_go_new_assigned_done_with_who_handled_them(
    records_at: Path | str, tmp_path: Path
) -> None:
    db = recordings.open_db(records_at)
    db.table("voicemails").insert(
        {"call_id": "1", "caller": "010", "recording": "v", "seconds": 3.0, "at": "x", "status": "new"}
    )
    followups.assign(db, "voicemails", 1, "c01", T0, known=["c01", "c02"])
    assert [r["status"] for r in followups.voicemails(db, "assigned")] == ["assigned"]
    followups.done(db, "voicemails", 1, "root", T0)
    [row] = followups.voicemails(db, "done")
    assert (row["handled_by"], row["assigned_to"], row["done_at"]) == (
        "c01",
        "c01",
        "2026-11-28T14:00:00+09:00",
    )
    with pytest.raises(HotlineError, match="done already"):
        followups.done(db, "voicemails", 1, "root", T0)
    with pytest.raises(HotlineError, match="no counselor"):
        followups.assign(db, "voicemails", 1, "c99", T0, known=["c01"])
    with pytest.raises(HotlineError, match="no voicemail 7"):
        followups.done(db, "voicemails", 7, "root", T0)
    with pytest.raises(HotlineError, match="--status"):
        followups.voicemails(db, "queued")


def test_callbacks_list_new_and_queued_as_new_and_an_assigned_one_leaves_the_automatic_runner(
    records_at: Path | str,
    tmp_path: Path,
) -> None:
    db = recordings.open_db(records_at)
    for n, status in enumerate(("new", "queued", "done"), 1):
        db.table("callbacks").insert(
            {"call_id": str(n), "number": f"0{n}", "requested_at": f"2026-11-28T0{n}", "status": status}
        )
    assert [(r["id"], r["listed"]) for r in followups.callbacks(db, "new")] == [(1, "new"), (2, "new")]
    followups.assign(db, "callbacks", 2, "c02", T0)
    assert [r["id"] for r in db.query("SELECT id FROM callbacks WHERE status IN ('new', 'queued')")] == [1]
    followups.done(db, "callbacks", 2, "root", T0)
    row = next(r for r in followups.callbacks(db, "done") if r["id"] == 2)
    assert (row["handled_by"], row["closed_at"]) == ("c02", "2026-11-28T14:00:00+09:00")
    with pytest.raises(HotlineError, match="done already"):
        followups.assign(db, "callbacks", 3, "c01", T0)
