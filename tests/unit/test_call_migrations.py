"""A call records file of an earlier version, opened by this one: its queue abandons say so."""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

import pytest

from ivr.store.calls import SqliteCallRecords

OLD_FILE = Path(__file__).parent / "data" / "calls-before-issue-22.sql"


@pytest.fixture
def old_file(tmp_path: Path) -> Path:
    path = tmp_path / "hotline.sqlite3"
    with sqlite3.connect(path) as con:
        con.executescript(OLD_FILE.read_text(encoding="utf-8"))
    con.close()
    return path


def open_and_close(path: Path) -> None:
    records = SqliteCallRecords(path)  # the service's own open: its writer runs the schema step
    records.start()
    records.close()


def dispositions(path: Path) -> dict[str, str]:
    with sqlite3.connect(path) as con:
        rows = dict(con.execute("SELECT id, disposition FROM calls").fetchall())
    con.close()
    return rows


def test_given_an_old_file_when_opened_then_hangups_in_line_become_queue_abandons(
    old_file: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="ivr.store.call_migrations"):
        open_and_close(old_file)
    assert dispositions(old_file) == {
        "talked": "answered",
        "waited": "abandoned_queue",  # entered, abandoned
        "rang": "abandoned_ringing",  # entered, offered, abandoned (another call's line between)
        "missed": "abandoned_queue",  # the ring ended (ring_no_answer); they waited on
        "left": "abandoned_ivr",  # left with the key: hung up outside the line
        "menu": "abandoned_ivr",
        "overflow": "abandoned_ringing",  # timed out of one queue, rang in the next
        "17648.1": "fallback_abandoned",  # the fallback queue's own disposition stays
    }
    [line] = [r.getMessage() for r in caplog.records]
    assert line == (
        "call records: 4 queue abandon(s) recorded as abandoned_ivr by an earlier version "
        "now say abandoned_queue (2), abandoned_ringing (2)"
    )


def test_given_a_migrated_file_when_opened_again_then_nothing_changes_and_nothing_is_logged(
    old_file: Path, caplog: pytest.LogCaptureFixture
) -> None:
    open_and_close(old_file)
    before = dispositions(old_file)
    with caplog.at_level(logging.INFO, logger="ivr.store.call_migrations"):
        open_and_close(old_file)
    assert dispositions(old_file) == before
    assert caplog.records == []


def test_given_an_old_file_when_opened_then_the_queue_log_is_indexed_by_call(old_file: Path) -> None:
    open_and_close(old_file)
    with sqlite3.connect(old_file) as con:
        plan = con.execute(
            "EXPLAIN QUERY PLAN SELECT event FROM queue_log WHERE call_id = ? ORDER BY id DESC LIMIT 1",
            ["rang"],
        ).fetchall()
    con.close()
    assert "idx_queue_log_call_id_id" in str(plan)  # a restart's places in line, the split's lookups
