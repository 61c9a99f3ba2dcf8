"""The counselor protection report on a fixture month (November 2026, Seoul),
against figures worked out by hand below; a real SQLite file.

    c1  abuse 11-03 10:00 (300 s), harassment 11-12 14:30 (125 s), abuse 11-20 09:05 (75 s)
        cooldowns 11-03 10:06-10:11 (300), 11-12 14:33-14:38 (300), 11-20 09:07-09:12:30 (330)
        -> 3 calls (abuse 2, harassment 1), talk 500 s, rest 930 s, support confirmed by super1
    c2  repeated 11-30 23:50 (1500 s); superior 10-31 23:55 is October's
        cooldown 11-30 23:58 - 12-01 00:03: 120 s of it in November; a break is no rest
        -> 1 call (repeated 1), talk 1500 s, rest 120 s, support confirmed for October only: no
    c3  an unflagged call; an abuse call at 2026-11-30T15:30Z (12-01 00:30 in Seoul): December's
        -> no row
    c4  cooldown 10-31 23:58 - 11-01 00:04: 240 s in November, no abusive call this month
        -> 0 calls, rest 240 s
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import sqlite_utils

from ivr.admin import protection_report
from ivr.admin.problems import InvalidInput
from ivr.reports.output import as_csv
from ivr.store.call_tables import create_schema as create_call_schema
from ivr.store.db import Database
from ivr.store.desk_schema import create_schema as create_desk_schema

SEOUL = ZoneInfo("Asia/Seoul")
NOW = datetime(2026, 12, 7, 9, 0, tzinfo=SEOUL)
NAMES = {"c1": "김민지", "c2": "이서준", "c3": "박지현", "c4": "최도윤"}
CALLS = [  # id, counselor, flag, started (stored as written), talk seconds
    ("n1", "c1", "abuse", "2026-11-03T10:00:00.000+09:00", 300.0),
    ("n2", "c1", "harassment", "2026-11-12T14:30:00.000+09:00", 125.0),
    ("n3", "c1", "abuse", "2026-11-20T09:05:00.000+09:00", 75.0),
    ("n4", "c2", "repeated", "2026-11-30T23:50:00.000+09:00", 1500.0),
    ("o1", "c2", "superior", "2026-10-31T23:55:00.000+09:00", 200.0),
    ("n5", "c3", None, "2026-11-05T11:00:00.000+09:00", 600.0),
    ("d1", "c3", "abuse", "2026-11-30T15:30:00.000+00:00", 90.0),
]
EVENTS = [  # counselor, at (the service host's zone: UTC here), to_state, reason
    ("c1", "2026-11-03T01:06:00.000+00:00", "paused", "cooldown"),
    ("c1", "2026-11-03T01:11:00.000+00:00", "available", None),
    ("c1", "2026-11-12T05:33:00.000+00:00", "paused", "cooldown"),
    ("c1", "2026-11-12T05:38:00.000+00:00", "available", None),
    ("c1", "2026-11-20T00:07:00.000+00:00", "paused", "cooldown"),
    ("c1", "2026-11-20T00:12:30.000+00:00", "available", None),
    ("c2", "2026-11-30T14:58:00.000+00:00", "paused", "cooldown"),
    ("c2", "2026-11-30T15:03:00.000+00:00", "available", None),
    ("c2", "2026-11-10T01:00:00.000+00:00", "paused", "break"),
    ("c2", "2026-11-10T02:00:00.000+00:00", "available", None),
    ("c4", "2026-10-31T14:58:00.000+00:00", "paused", "cooldown"),
    ("c4", "2026-10-31T15:04:00.000+00:00", "available", None),
]


@pytest.fixture
async def db(records_at: Path | str, tmp_path: Path) -> Database:
    def schema(conn: sqlite_utils.Database) -> None:
        create_call_schema(conn)
        create_desk_schema(conn)

    database = Database(records_at, schema)
    database.start()

    def seed(conn: sqlite_utils.Database) -> None:
        for cid, counselor, flag, started, talk in CALLS:
            row = {"id": cid, "caller": "01066667777", "dialed": "2221000", "started_at": started}
            conn.table("calls").insert(
                {**row, "counselor_id": counselor, "flagged": flag, "talk_seconds": talk}
            )
        for counselor, at, state, reason in EVENTS:
            row = {
                "counselor_id": counselor,
                "at": at,
                "from_state": "x",
                "to_state": state,
                "reason": reason,
            }
            conn.table("counselor_events").insert(row)

    await database.run(seed)
    yield database
    database.close()


async def test_the_fixture_month_shows_the_hand_worked_figures(db: Database) -> None:
    await protection_report.confirm_support(
        db, "c1", "2026-11", "사내 상담 프로그램 안내", SEOUL, NAMES, NOW, "super1", "10.0.0.9"
    )
    await protection_report.confirm_support(db, "c2", "2026-10", "", SEOUL, NAMES, NOW, "super1", None)
    table = await protection_report.report(db, "2026-11", SEOUL, NAMES, NOW, "super1", "10.0.0.9")
    shown = {
        r["counselor"]: (
            r["abusive_calls"],
            (r["abuse"], r["harassment"], r["superior"], r["repeated"]),
            r["talk_seconds"],
            r["rest_seconds"],
            r["support_offered"],
        )
        for r in table.rows
    }
    assert shown == {
        "c1": (3, (2, 1, 0, 0), 500.0, 930.0, "yes"),
        "c2": (1, (0, 0, 0, 1), 1500.0, 120.0, "no"),
        "c4": (0, (0, 0, 0, 0), 0.0, 240.0, "no"),
    }
    c1 = table.rows[0]
    assert (c1["name"], c1["support_by"], c1["support_at"]) == ("김민지", "super1", "2026-12-07 09:00")
    csv = as_csv(table).splitlines()
    assert csv[0].startswith("counselor,name,abusive_calls,abuse,harassment,superior,repeated,talk_seconds")
    assert csv[1] == "c1,김민지,3,2,1,0,0,500.0,930.0,yes,super1,2026-12-07 09:00"

    def audited(conn: sqlite_utils.Database) -> list[tuple[str, str, str]]:
        return [
            (r["action"], r["target"], r["detail"]) for r in conn.query("SELECT * FROM audit ORDER BY id")
        ]

    assert await db.run(audited) == [
        ("support_confirmed", "c1", "month=2026-11 사내 상담 프로그램 안내"),
        ("support_confirmed", "c2", "month=2026-10 "),
        ("protection_report_viewed", "2026-11", "3 counselors"),
    ]


@pytest.mark.parametrize("month", ["2026-13", "2026-1", "november", ""])
async def test_a_month_that_is_not_yyyy_mm_is_refused_and_nothing_is_written(
    db: Database, month: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        await protection_report.confirm_support(db, "c1", month, "", SEOUL, NAMES, NOW, "super1", None)
    assert refused.value.problems[0].startswith("month: ")
    with pytest.raises(InvalidInput):
        await protection_report.report(db, month, SEOUL, NAMES, NOW, "super1", None)
    assert await db.run(lambda conn: conn.table("counselor_support").count) == 0


async def test_an_unknown_counselor_cannot_be_confirmed(db: Database) -> None:
    with pytest.raises(InvalidInput):
        await protection_report.confirm_support(db, "c99", "2026-11", "", SEOUL, NAMES, NOW, "super1", None)
