"""The import from queue_log: once per call, across restarts, rotation and half-written files."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from ivr.ports import CallFacts
from ivr.store import engine
from ivr.store.calls import SqliteCallRecords
from ivr.store.fallback_import import FallbackImporter

SEOUL = ZoneInfo("Asia/Seoul")
SAMPLE = Path(__file__).parent / "data" / "queue_log.sample"


@pytest.fixture
def records(records_at: Path | str, tmp_path: Path) -> Iterator[SqliteCallRecords]:
    r = SqliteCallRecords(records_at)
    r.start()
    yield r
    r.close()


def rows(db: Path | str, sql: str) -> list[tuple]:
    con = engine.connect(db)
    try:
        return [tuple(r) for r in con.execute(sql).fetchall()]
    finally:
        con.close()


def importer(records: SqliteCallRecords, log: Path) -> FallbackImporter:
    return FallbackImporter(records.db, log, SEOUL, "2221000")


async def started_before(records: SqliteCallRecords, log: Path) -> None:
    """The service ran (and took its cursor) before Asterisk wrote `log`."""
    assert await importer(records, log).import_new() == 0


async def test_every_call_once_even_when_imported_again_and_after_a_restart(
    records_at: Path | str, records: SqliteCallRecords, tmp_path: Path
) -> None:
    log = tmp_path / "queue_log"
    await started_before(records, log)
    log.write_bytes(SAMPLE.read_bytes())
    assert await importer(records, log).import_new() == 4
    assert await importer(records, log).import_new() == 0
    records.close()
    again = SqliteCallRecords(records_at)  # the service started again
    again.start()
    try:
        assert await importer(again, log).import_new() == 0
    finally:
        again.close()
    db = records_at
    assert rows(db, "SELECT COUNT(*) FROM calls") == [(4,)]
    assert rows(db, "SELECT COUNT(*) FROM call_events WHERE kind = 'call_ended'") == [(4,)]
    assert rows(db, "SELECT disposition, open FROM calls WHERE id = '1795829534.0'") == [
        ("fallback_answered", 0)
    ]


async def test_a_call_still_going_on_is_imported_when_it_ends(
    records: SqliteCallRecords, tmp_path: Path
) -> None:
    log = tmp_path / "queue_log"
    await started_before(records, log)
    sample = SAMPLE.read_text().splitlines(keepends=True)
    # Cut inside the answered call (it starts on line 7) and in the middle of a line.
    log.write_text("".join(sample[:9]) + sample[9][:12])
    imp = importer(records, log)
    assert await imp.import_new() == 0
    with log.open("a") as f:
        f.write(sample[9][12:] + "".join(sample[10:]))
    assert await imp.import_new() == 4
    assert await imp.import_new() == 0


async def test_a_rotated_log_is_finished_from_its_new_name(
    records: SqliteCallRecords, tmp_path: Path
) -> None:
    log = tmp_path / "queue_log"
    await started_before(records, log)
    sample = SAMPLE.read_text().splitlines(keepends=True)
    log.write_text("".join(sample[:9]))  # the answered call has begun
    imp = importer(records, log)
    assert await imp.import_new() == 0
    with log.open("a") as f:
        f.write("".join(sample[9:40]))  # it ends, another begins and ends
    os.rename(log, tmp_path / "queue_log.0")  # logger rotate
    log.write_text("".join(sample[40:]))
    assert await imp.import_new() == 4
    assert await imp.import_new() == 0


async def test_a_drained_call_already_recorded_is_completed_not_doubled(
    records: SqliteCallRecords, tmp_path: Path
) -> None:
    facts = CallFacts(
        call_id="1795829534.0",
        caller="01012345678",
        dialed="2221000",
        started_at=datetime(2026, 11, 28, 10, 31, 0, tzinfo=SEOUL),
        ended_at=datetime(2026, 11, 28, 10, 32, 14, tzinfo=SEOUL),
        disposition="fallback",
        ivr_path=["greeting"],
    )
    await records.closed(facts)
    await records.event(facts.call_id, facts.started_at, "diverted", {"reason": "service stopping"})
    log = tmp_path / "queue_log"
    await started_before(records, log)
    log.write_bytes(SAMPLE.read_bytes())
    await importer(records, log).import_new()
    row = await records.call("1795829534.0")
    assert row is not None
    assert (row["disposition"], row["counselor_id"], row["ivr_path"], row["caller"]) == (
        "fallback_answered",
        "c1",
        "greeting",
        "01012345678",
    )
    kinds = [e["kind"] for e in await records.timeline("1795829534.0")]
    assert kinds[0] == "diverted" and kinds[-1] == "call_ended" and "connected" in kinds


async def test_no_file_yet_is_nothing_to_import(records: SqliteCallRecords, tmp_path: Path) -> None:
    assert await importer(records, tmp_path / "queue_log").import_new() == 0


async def test_a_new_database_leaves_out_calls_from_before_it_but_not_one_going_on(
    records_at: Path | str, records: SqliteCallRecords, tmp_path: Path
) -> None:
    log = tmp_path / "queue_log"
    sample = SAMPLE.read_text().splitlines(keepends=True)
    # Three calls over, the fourth (line 66 on) still waiting in the queue.
    log.write_text("".join(sample[:70]))
    imp = importer(records, log)
    assert await imp.import_new() == 0
    with log.open("a") as f:
        f.write("".join(sample[70:]))
    assert await imp.import_new() == 1
    assert rows(records_at, "SELECT id FROM calls") == [("1795829975.23",)]
