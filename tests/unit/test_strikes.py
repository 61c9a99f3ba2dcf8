"""Strikes: each situation counted per caller, expiry after the configured days,
clearing only with a reason and always audited (a real SQLite file)."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from ivr.admin import strikes
from ivr.admin.problems import InvalidInput
from ivr.protection.strikes import counting_since
from ivr.store.calls import SqliteCallRecords
from ivr.store.desk_schema import create_schema as create_desk_schema

SEOUL = ZoneInfo("Asia/Seoul")
NOW = datetime(2026, 12, 7, 10, 0, tzinfo=SEOUL)
ABUSER, OTHER = "01066667777", "01011112222"


@pytest.fixture
async def records(records_at: Path | str) -> SqliteCallRecords:
    records = SqliteCallRecords(records_at)
    records.start()
    await records.db.run(lambda db: create_desk_schema(db))
    # Two strikes 400 days ago (one abuse, one harassment), two last week, one for another number.
    for days, reason, number in (
        (400, "abuse", ABUSER),
        (400, "harassment", ABUSER),
        (7, "harassment", ABUSER),
        (6, "superior", ABUSER),
        (3, "repeated", OTHER),
    ):
        await records.add_strike(number, f"call-{days}-{reason}", reason, NOW - timedelta(days=days))
    return records


def test_counting_since_is_the_expiry_before_now_or_for_ever() -> None:
    assert counting_since(NOW, 365) == NOW - timedelta(days=365)
    assert counting_since(NOW, 0) is None


async def test_a_strike_expires_after_its_configured_days(records: SqliteCallRecords) -> None:
    assert await records.strikes(ABUSER) == 4  # never expiring: all of them
    assert await records.strikes(ABUSER, counting_since(NOW, 365)) == 2
    assert await records.strikes(ABUSER, counting_since(NOW, 6)) == 1  # the one six days ago, to the second
    # A limit written in UTC compares with strikes written in Seoul time as moments.
    assert (
        await records.strikes(ABUSER, (NOW - timedelta(days=7, seconds=1)).astimezone(ZoneInfo("UTC"))) == 2
    )


async def test_each_situation_is_counted_per_caller(records: SqliteCallRecords) -> None:
    rows = await strikes.standing(records.db, NOW, 365, "super1", "10.0.0.9")
    assert [(r["number"], r["total"], r["by_reason"]) for r in rows] == [
        (ABUSER, 2, {"harassment": 1, "superior": 1}),
        (OTHER, 1, {"repeated": 1}),
    ]
    audited = await records.db.run(lambda db: list(db.table("audit").rows))
    assert [(a["actor"], a["action"], a["detail"]) for a in audited] == [
        ("super1", "strikes_viewed", "2 numbers")
    ]


async def test_clearing_needs_a_reason_is_audited_and_keeps_the_rows(records: SqliteCallRecords) -> None:
    with pytest.raises(InvalidInput) as refused:
        await strikes.clear(records.db, ABUSER, "   ", NOW, "super1", None)
    assert refused.value.problems == ["해제 사유를 입력해 주십시오. · Clearing strikes needs a reason."]
    assert await records.strikes(ABUSER) == 4  # nothing changed

    assert (
        await strikes.clear(records.db, ABUSER, "본인 사과, 재발 방지 약속", NOW, "super1", "10.0.0.9") == 4
    )
    assert await records.strikes(ABUSER) == 0
    assert await records.strikes(OTHER) == 1
    with pytest.raises(InvalidInput):  # nothing left to clear
        await strikes.clear(records.db, ABUSER, "다시", NOW, "super1", None)

    kept = await records.db.run(
        lambda db: list(db.query("SELECT * FROM caller_strikes WHERE number = ?", [ABUSER]))
    )
    assert len(kept) == 4 and {(r["cleared_by"], r["clear_reason"]) for r in kept} == {
        ("super1", "본인 사과, 재발 방지 약속")
    }
    audited = await records.db.run(lambda db: list(db.query("SELECT * FROM audit ORDER BY id")))
    assert [(a["action"], a["target"], a["detail"]) for a in audited] == [
        (
            "strikes_cleared",
            ABUSER,
            "refused: 해제 사유를 입력해 주십시오. · Clearing strikes needs a reason.",
        ),
        ("strikes_cleared", ABUSER, "4 cleared; reason=본인 사과, 재발 방지 약속"),
        ("strikes_cleared", ABUSER, "0 cleared; reason=다시"),
    ]
