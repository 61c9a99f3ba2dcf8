"""The copier: a recording is copied, verified, then deleted in the PBX;
retried while the PBX is away; a failure is stored and counted."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from ivr.calls.recording_copier import RecordingCopier, recording_metrics
from ivr.errors import CallGone, PbxUnreachable, RecordingRefused, StoreError
from ivr.ports import OfferResult, StoredRecording
from tests.unit.fakes import FakeCall, MemoryRecords
from tests.unit.test_queue_node import caller, service

SEOUL = ZoneInfo("Asia/Seoul")


def now() -> datetime:
    return datetime(2026, 11, 28, 14, 0, tzinfo=SEOUL)


class Archive:
    """RecordingArchive in memory: rows by name."""

    def __init__(self) -> None:
        self.rows: dict[str, dict[str, Any]] = {}
        self.kept: list[str] = []
        self.refuse_writes = 0  # the next writes fail (full disk here)

    async def started(self, call_id: str, kind: str, name: str, at: datetime) -> None:
        self.rows.setdefault(name, {"call_id": call_id, "kind": kind, "status": "pending"})

    async def failed(self, call_id: str, kind: str, name: str, error: str, at: datetime) -> str | None:
        row = self.rows.get(name)
        if row is None:
            if not call_id:
                return None
            row = self.rows[name] = {"call_id": call_id, "kind": kind, "status": "pending"}
        if row["status"] != "pending":
            return None
        row.update(status="failed", error=error)
        return str(row["call_id"])

    async def keep(self, name: str, data: bytes, at: datetime) -> StoredRecording:
        if self.refuse_writes:
            self.refuse_writes -= 1
            raise StoreError("no space left on device")
        self.rows[name].update(status="stored", data=data)
        self.kept.append(name)
        return StoredRecording(name, f"2026/11/28/{name}.wav", "ab" * 32, len(data), 1.0)

    async def waiting(self) -> list[tuple[str, str]]:
        return [(r["call_id"], n) for n, r in self.rows.items() if r["status"] == "pending"]

    async def is_pending(self, name: str) -> bool:
        return self.rows.get(name, {}).get("status") == "pending"

    async def troubled(self, name: str, error: str) -> None:
        if self.rows.get(name, {}).get("status") in ("pending", "stored"):
            self.rows[name]["error"] = error


class Pbx:
    """RecordingSource with a script of troubles."""

    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}
        self.recording: set[str] = set()
        self.unreachable = 0  # the next fetches find Asterisk away
        self.log: list[tuple[str, str]] = []
        self.asked: list[str] = []  # in_progress questions

    async def in_progress(self, name: str) -> bool:
        self.asked.append(name)
        return name in self.recording

    async def fetch(self, name: str) -> bytes:
        self.log.append(("fetch", name))
        if self.unreachable:
            self.unreachable -= 1
            raise PbxUnreachable("GET /ari/recordings/stored/x/file: connection refused")
        if name not in self.files:
            raise CallGone("GET /ari/recordings/stored/x/file: 404 Recording not found")
        return self.files[name]

    async def discard(self, name: str) -> None:
        self.log.append(("discard", name))
        self.files.pop(name, None)


@asynccontextmanager
async def running(copier: RecordingCopier) -> Iterator[RecordingCopier]:  # type: ignore[misc]
    task = asyncio.create_task(copier.run())
    try:
        yield copier
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


def copier_of(archive: Archive, pbx: Pbx, records: MemoryRecords) -> RecordingCopier:
    return RecordingCopier(archive, pbx, records, now, first_retry=0.001, max_retry=0.01, sweep_every=0.02)


async def until(condition: Any) -> None:
    """Wait (at most 5 s) for what the copier does in the background."""
    for _ in range(5000):
        if condition():
            return
        await asyncio.sleep(0.001)
    raise AssertionError("the copier did not get there in 5 s")


async def test_a_finished_recording_is_copied_then_deleted_in_the_pbx() -> None:
    archive, pbx, records = Archive(), Pbx(), MemoryRecords()
    pbx.files["call-1"] = b"RIFF..."
    async with running(copier_of(archive, pbx, records)) as copier:
        copier.started("1", "conversation", "call-1")
        copier.finished("1", "conversation", "call-1")
        await until(lambda: "call-1" not in pbx.files)
    assert archive.rows["call-1"]["status"] == "stored"
    assert pbx.log == [("fetch", "call-1"), ("discard", "call-1")]
    assert copier.copied == 1 and copier.failures == 0
    assert "hotline_recording_copies_total 1" in recording_metrics(copier)


async def test_while_asterisk_is_away_the_copy_is_retried_and_nothing_is_lost() -> None:
    archive, pbx, records = Archive(), Pbx(), MemoryRecords()
    pbx.files["call-1"] = b"RIFF..."
    pbx.unreachable = 3
    async with running(copier_of(archive, pbx, records)) as copier:
        copier.finished("1", "conversation", "call-1")
        await until(lambda: archive.rows.get("call-1", {}).get("status") == "stored")
    assert [k for k, _ in pbx.log] == ["fetch"] * 4 + ["discard"]
    assert copier.failures == 0


async def test_a_copy_that_cannot_be_written_keeps_the_pbx_s_copy_until_it_can() -> None:
    archive, pbx, records = Archive(), Pbx(), MemoryRecords()
    pbx.files["call-1"] = b"RIFF..."
    archive.refuse_writes = 2
    async with running(copier_of(archive, pbx, records)):
        archive.rows["call-1"] = {"call_id": "1", "kind": "conversation", "status": "pending"}
        await until(lambda: archive.kept == ["call-1"])
    # Deleted in the PBX only after the one verified copy, never before.
    assert pbx.log.index(("discard", "call-1")) == len(pbx.log) - 1
    assert [k for k, _ in pbx.log].count("fetch") == 3


async def test_a_recording_still_going_is_left_alone_until_it_ends() -> None:
    archive, pbx, records = Archive(), Pbx(), MemoryRecords()
    pbx.files["call-1"] = b"RIFF..."
    pbx.recording.add("call-1")
    async with running(copier_of(archive, pbx, records)) as copier:
        copier.finished("1", "conversation", "call-1")
        await asyncio.sleep(0.05)
        assert pbx.log == []
        pbx.recording.clear()
        await until(lambda: archive.kept == ["call-1"])


async def test_the_sweep_copies_what_the_pbx_finished_unnoticed_and_leaves_what_it_still_records() -> None:
    archive, pbx, records = Archive(), Pbx(), MemoryRecords()
    for n in ("1", "2"):
        pbx.files[f"call-{n}"] = b"RIFF..."
        archive.rows[f"call-{n}"] = {"call_id": n, "kind": "conversation", "status": "pending"}
    pbx.recording.add("call-2")  # a conversation that outlived a restart of the service
    async with running(copier_of(archive, pbx, records)):
        await until(lambda: archive.kept == ["call-1"])
        await asyncio.sleep(0.05)
        assert archive.rows["call-2"]["status"] == "pending"
        assert ("fetch", "call-2") not in pbx.log
        pbx.recording.clear()  # it ended while nobody told us: the next sweep finds it
        await until(lambda: archive.kept == ["call-1", "call-2"])


async def test_a_failed_recording_is_stored_counted_and_in_the_call_s_timeline() -> None:
    archive, pbx, records = Archive(), Pbx(), MemoryRecords()
    async with running(copier_of(archive, pbx, records)) as copier:
        copier.failed("1", "conversation", "call-1", "Asterisk refused to record: 500")
        copier.failed("1", "conversation", "call-1", "Asterisk refused to record: 500")  # told twice
        await until(lambda: copier.failures)
        await asyncio.sleep(0.01)
    assert archive.rows["call-1"]["status"] == "failed"
    assert copier.failures == 1
    assert [(c, k) for c, k, _ in records.events] == [("1", "recording_failed")]
    assert "hotline_recording_failures_total 1" in recording_metrics(copier)


async def test_a_finished_recording_without_a_file_is_a_failed_one() -> None:
    # Asterisk 22 reports a spool it cannot write as RecordingFinished.
    archive, pbx, records = Archive(), Pbx(), MemoryRecords()
    async with running(copier_of(archive, pbx, records)) as copier:
        copier.started("1", "conversation", "call-1")
        copier.finished("1", "conversation", "call-1")
        await until(lambda: copier.failures)
    assert archive.rows["call-1"]["status"] == "failed"
    assert "recorded no file" in archive.rows["call-1"]["error"]
    assert [k for k, _ in pbx.log] == ["fetch"] * 3  # asked again before giving up


class RefusingCall(FakeCall):
    async def record_conversation(self) -> str | None:
        raise RecordingRefused(f"call-{self.call_id}", "Asterisk refused to record: 500 No such file")


class Told:
    """RecordingLog that remembers what it was told."""

    def __init__(self) -> None:
        self.said: list[tuple[str, ...]] = []

    def started(self, call_id: str, kind: str, name: str) -> None:
        self.said.append(("started", call_id, name))

    def finished(self, call_id: str, kind: str, name: str) -> None:
        self.said.append(("finished", call_id, name))

    def failed(self, call_id: str, kind: str, name: str, error: str) -> None:
        self.said.append(("failed", call_id, name, error))


async def test_a_refused_recording_is_reported_and_the_conversation_goes_on() -> None:
    svc, records = service(["c1"])
    told = Told()
    svc.env.recordings = told
    call = RefusingCall(digits=[], counselors={"c1": OfferResult.ANSWERED})
    call.call_id, call.caller = "call-1", "01012340001"
    await svc.new_call(call)
    await asyncio.wait_for(call.connected.wait(), 5)
    await asyncio.sleep(0.05)
    assert told.said == [
        ("failed", "call-1", "call-call-1", "Asterisk refused to record: 500 No such file"),
    ]
    assert svc.knows("call-1")  # still talking
    assert not any(kind == "hangup" for kind, _ in call.log)
    svc.call_ended("call-1", "normal_clearing")
    await asyncio.wait_for(svc.join("call-1"), 5)
    assert records.calls["call-1"].disposition == "answered"


async def test_a_recording_that_starts_is_told_so_the_row_is_pending_at_once() -> None:
    svc, _records = service(["c1"])
    told = Told()
    svc.env.recordings = told
    call = caller(1, {"c1": OfferResult.ANSWERED})
    await svc.new_call(call)
    await asyncio.wait_for(call.connected.wait(), 5)
    await asyncio.sleep(0.05)
    assert told.said == [("started", "call-1", "call-call-1")]
    svc.call_ended("call-1", "normal_clearing")
    await asyncio.wait_for(svc.join("call-1"), 5)


async def test_a_recording_left_by_a_killed_service_is_copied_once_it_ends_not_a_sweep_later() -> None:
    # Killed mid-call: the new run never hears the recording end (Asterisk told
    # the old connection), so it asks again until the PBX has finished it.
    archive, pbx, records = Archive(), Pbx(), MemoryRecords()
    pbx.files["call-1"] = b"RIFF..."
    archive.rows["call-1"] = {"call_id": "1", "kind": "conversation", "status": "pending"}
    pbx.recording.add("call-1")
    copier = RecordingCopier(archive, pbx, records, now, first_retry=0.001, max_retry=0.01, sweep_every=3600)
    async with running(copier):
        await asyncio.sleep(0.05)
        assert archive.rows["call-1"]["status"] == "pending"
        pbx.recording.clear()  # the leftover conversation is hung up
        await until(lambda: archive.kept == ["call-1"])


async def test_a_live_recording_found_by_a_sweep_waits_for_its_end_instead_of_asking_again() -> None:
    archive, pbx, records = Archive(), Pbx(), MemoryRecords()
    copier = RecordingCopier(archive, pbx, records, now, first_retry=0.001, max_retry=0.01, sweep_every=3600)
    async with running(copier):
        copier.started("1", "conversation", "call-1")
        pbx.recording.add("call-1")
        pbx.files["call-1"] = b"RIFF..."
        await until(lambda: "call-1" in archive.rows)
        await copier.sweep()
        await asyncio.sleep(0.05)
        assert pbx.asked == ["call-1"]  # asked once by the sweep, then left to its end
        pbx.recording.clear()
        copier.finished("1", "conversation", "call-1")
        await until(lambda: archive.kept == ["call-1"])
