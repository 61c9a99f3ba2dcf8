"""`ivr report` and `ivr cdr export` as an admin runs them, on the fixture day's SQLite file."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from ivr.reports.cdr import ASTERISK_COLUMNS, asterisk_record
from ivr.store import engine
from tests.records import records_in, storage_yaml
from tests.unit.report_day import DAY, SEOUL, write_day

ROOT = Path(__file__).resolve().parents[2]

# The order in which build_csv_record() in Asterisk's cdr/cdr_csv.c appends its
# fields: 16 always, then uniqueid (loguniqueid), userfield (loguserfield).
# (peeraccount, linkedid and sequence follow only with newcdrcolumns.)
CDR_CSV_ORDER = [
    "accountcode", "src", "dst", "dcontext", "clid", "channel", "dstchannel", "lastapp", "lastdata",
    "start", "answer", "end", "duration", "billsec", "disposition", "amaflags", "uniqueid", "userfield",
]  # fmt: skip


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def config(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A day of calls on each engine in turn, and a config.yaml naming it."""
    folder = tmp_path_factory.mktemp("cli")
    records: Path | str = folder / "hotline.sqlite3"
    if request.param == "postgresql":
        records = request.getfixturevalue("pg_cluster").fresh()
    asyncio.run(write_day(records))
    path = folder / "config.yaml"
    path.write_text(storage_yaml(records) + "reports:\n  service_level_seconds: 20\n", encoding="utf-8")
    return path


def ivr(config: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ivr.cli", "-c", str(config), *args],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
    )


def test_the_summary_as_json(config: Path) -> None:
    result = ivr(config, "report", "--from", DAY, "--to", DAY, "--format", "json")
    assert result.returncode == 0, result.stderr
    body = json.loads(result.stdout)
    values = {r["metric"]: r["value"] for r in body["rows"]}
    assert (body["from"], body["timezone"], body["service_level_target"]) == (DAY, "Asia/Seoul", 0.8)
    assert (values["offered"], values["answered"], values["service_level"]) == (9, 4, 0.5)
    assert values["service_level_with_abandons"] == 0.556  # 5 / 9, three decimals


def test_by_counselor_as_csv(config: Path) -> None:
    result = ivr(config, "report", "--from", DAY, "--to", DAY, "--by", "counselor", "--format", "csv")
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [r["counselor"] for r in rows] == ["c01", "c02", "c03"]  # c03: the night before
    assert (rows[0]["calls"], rows[0]["talk"], rows[0]["pause_meal"]) == ("3", "480.0", "3600.0")


def test_the_table_shows_shares_as_percentages(config: Path) -> None:
    result = ivr(config, "report", "--from", DAY, "--to", DAY, "--by", "day")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == f"천년전주 콜센터 {DAY} ~ {DAY} (by day)"
    assert lines[2].split()[:3] == ["day", "offered", "answered"]
    assert lines[3].split()[:3] == [DAY, "9", "4"] and "50.0%" in lines[3]


def test_staffing_advice(config: Path) -> None:
    result = ivr(config, "report", "--from", DAY, "--to", DAY, "--by", "staffing", "--format", "csv")
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    first = rows[0]
    assert (first["weekday"], first["hour"], first["counselors_needed"]) == ("Mon", "09:00", "1")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ("--from", "2025-13-01", "--to", DAY),
            "ivr report: --from: '2025-13-01' is not a date like 2026-11-23",
        ),
        (
            ("--from", DAY, "--to", "24.11.2025"),
            "ivr report: --to: '24.11.2025' is not a date like 2026-11-23",
        ),
        (("--from", DAY, "--to", "2025-11-01"), "ivr report: --to 2025-11-01 is before --from 2025-11-24"),
        (("--from", "2024-01-01", "--to", DAY), "spans 694 days; at most 366 at a time"),
    ],
)
@pytest.mark.parametrize("config", ["sqlite"], indirect=True)  # refused before the records are read
def test_bad_dates_are_refused_with_the_option_named(
    config: Path, args: tuple[str, ...], message: str
) -> None:
    result = ivr(config, "report", *args)
    assert result.returncode == 2
    assert message in result.stderr
    assert result.stdout == ""


@pytest.mark.parametrize("config", ["sqlite"], indirect=True)  # refused before the records are read
def test_an_unknown_grouping_lists_the_choices(config: Path) -> None:
    result = ivr(config, "report", "--from", DAY, "--to", DAY, "--by", "week")
    assert result.returncode == 2
    assert "invalid choice: 'week'" in result.stderr and "staffing" in result.stderr


def test_no_database_yet_says_so(tmp_path: Path) -> None:
    path = tmp_path / "config.yaml"
    path.write_text("storage:\n  database: none.sqlite3\n", encoding="utf-8")
    result = ivr(path, "report", "--from", DAY, "--to", DAY)
    assert result.returncode == 1
    assert "none.sqlite3: no call records yet" in result.stderr


def test_a_bad_report_setting_names_the_key(tmp_path: Path) -> None:
    path = tmp_path / "config.yaml"
    path.write_text("reports:\n  service_level_target: 80\n", encoding="utf-8")
    result = ivr(path, "report", "--from", DAY, "--to", DAY)
    assert result.returncode == 2
    assert f"{path}:2: reports.service_level_target: Input should be less than 1" in result.stderr


def test_cdr_export_in_asterisk_cdr_csv_order(config: Path) -> None:
    assert list(ASTERISK_COLUMNS) == CDR_CSV_ORDER
    result = ivr(config, "cdr", "export", "--from", DAY, "--to", DAY, "--asterisk-columns")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 12  # the day's calls, no header line (cdr-csv writes none)
    # a1: 09:00:00-09:02:15 Seoul; answered at once: duration = billsec = 135 (bare numbers).
    assert lines[0] == (
        '"","01011110001","2221000","from-citizens","""01011110001"" <01011110001>","a1","",'
        '"Stasis","hotline","2025-11-24 09:00:00","2025-11-24 09:00:00","2025-11-24 09:02:15",'
        '135,135,"ANSWERED","DOCUMENTATION","a1","parking"'
    )
    fields = {r[ASTERISK_COLUMNS.index("uniqueid")]: r for r in csv.reader(io.StringIO(result.stdout))}
    assert all(len(r) == len(CDR_CSV_ORDER) for r in fields.values())
    j1 = fields["j1"]
    assert (j1[CDR_CSV_ORDER.index("lastapp")], j1[CDR_CSV_ORDER.index("lastdata")]) == (
        "Queue",
        "hotline-fallback",
    )
    assert j1[CDR_CSV_ORDER.index("billsec")] == "189"  # 12:00:00-12:03:09


def test_report_and_cdr_agree_with_the_queue_log_on_who_hung_up_in_line(config: Path) -> None:
    con = engine.connect(records_in(config))
    try:
        lines = con.execute("SELECT call_id, event FROM queue_log ORDER BY id").fetchall()
        dispositions = dict(con.execute("SELECT id, disposition FROM calls").fetchall())
    finally:
        con.close()
    # The queue log's abandons: while a counselor's phone rang when `offered` came just before.
    last: dict[str, str] = {}
    gave_up: dict[str, str] = {}
    for call_id, event in lines:
        if event == "abandoned":
            gave_up[call_id] = "abandoned_ringing" if last.get(call_id) == "offered" else "abandoned_queue"
        last[call_id] = event
    assert gave_up == {
        "c1": "abandoned_queue",
        "d1": "abandoned_queue",
        "h1": "abandoned_queue",
        "r1": "abandoned_ringing",
        "w1": "abandoned_queue",  # offered, ring_no_answer, then abandoned: waiting again
    }
    assert {c: d for c, d in dispositions.items() if d.startswith("abandoned")} == gave_up

    report = ivr(config, "report", "--from", DAY, "--to", DAY, "--format", "json")
    assert report.returncode == 0, report.stderr
    values = {r["metric"]: r["value"] for r in json.loads(report.stdout)["rows"]}
    assert values["abandoned"] + values["short_abandoned"] == len(gave_up)

    cdr = ivr(config, "cdr", "export", "--from", DAY, "--to", DAY, "--asterisk-columns")
    assert cdr.returncode == 0, cdr.stderr
    records = list(csv.reader(io.StringIO(cdr.stdout)))
    column = CDR_CSV_ORDER.index
    # The menu answered every call; those who gave up in line were answered by nobody.
    unanswered = {r[column("uniqueid")] for r in records if r[column("disposition")] == "NO ANSWER"}
    assert unanswered == set(gave_up)
    assert {r[column("disposition")] for r in records} == {"ANSWERED", "NO ANSWER"}


@pytest.mark.parametrize(
    ("disposition", "column"),
    [
        ("answered", "ANSWERED"),
        ("ivr_ended", "ANSWERED"),  # the menu answered and served the call
        ("abandoned_ivr", "ANSWERED"),  # hung up in the menu, which had answered
        ("abandoned_queue", "NO ANSWER"),
        ("abandoned_ringing", "NO ANSWER"),
        ("fallback_abandoned", "NO ANSWER"),
        ("failed", "FAILED"),
    ],
)
def test_cdr_csv_disposition_of_each_of_ours(disposition: str, column: str) -> None:
    row = {
        "id": "1764.1",
        "started_at": "2025-11-24T09:00:00.000+09:00",
        "answered_at": "2025-11-24T09:00:00.000+09:00",
        "ended_at": "2025-11-24T09:01:14.000+09:00",
        "disposition": disposition,
    }
    assert asterisk_record(row, SEOUL, "hotline")["disposition"] == column


def test_cdr_export_in_our_own_columns_to_a_file(config: Path, tmp_path: Path) -> None:
    out = tmp_path / "cdr.csv"
    result = ivr(config, "cdr", "export", "--from", DAY, "--to", DAY, "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert "12 call(s) written" in result.stderr
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert [r["id"] for r in rows][:3] == ["a1", "b1", "c1"]
    assert rows[0]["started_at"] == "2025-11-24T09:00:00.000+09:00" and rows[0]["topic"] == "parking"


def test_cdr_export_to_a_folder_that_does_not_exist_says_so(config: Path, tmp_path: Path) -> None:
    out = tmp_path / "missing" / "cdr.csv"
    result = ivr(config, "cdr", "export", "--from", DAY, "--to", DAY, "-o", str(out))
    assert result.returncode == 1
    assert result.stderr.strip() == f"ivr: cdr export: cannot write {out}: No such file or directory"
