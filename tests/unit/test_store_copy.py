"""`ivr store copy`: a site's SQLite history into PostgreSQL, verified by counts and
checksums; killed in the middle, the target still opens and a second run finishes it."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from ivr.cli.main import main
from ivr.reports.period import parse_period
from ivr.reports.report import build
from ivr.store import copy, engine, kb_articles, kb_index, kb_search
from ivr.store.calls import SqliteCallRecords
from ivr.store.desk_schema import transaction
from ivr.store.report_rows import SqliteReportRows
from tests.pg_cluster import Cluster
from tests.unit.report_day import DAY, SEOUL, write_day
from tests.unit.test_kb_article import article
from tests.unit.test_kb_store import T0
from tests.unit.test_reports import RULES

ROOT = Path(__file__).resolve().parents[2]


def summary(at: Path | str) -> dict[str, Any]:
    rows = SqliteReportRows(at).rows(parse_period(DAY, DAY, SEOUL), repeat_days=7)
    return {r["metric"]: r["value"] for r in build(rows, RULES).rows}


def ivr(*args: str, heard: bool = True) -> subprocess.Popen[str]:
    """`ivr ARGS` as its own process (heard: its output kept to read)."""
    out = subprocess.PIPE if heard else subprocess.DEVNULL
    return subprocess.Popen(
        [sys.executable, "-m", "ivr.cli", *args], cwd=ROOT, stdout=out, stderr=out, text=True
    )


def test_a_sites_day_reads_the_same_from_postgresql_after_the_copy(
    tmp_path: Path, pg_cluster: Cluster
) -> None:
    source, target = tmp_path / "hotline.sqlite3", pg_cluster.fresh()
    asyncio.run(write_day(source))
    checked = copy.copy(source, target, batch=7)
    assert all(v.same for v in checked), [v for v in checked if not v.same]
    assert {v.table: v.target_rows for v in checked}["call_events"] > 0
    # What a supervisor sees: the day's report, the same from either store.
    assert summary(target) == summary(source)


def test_articles_copied_back_from_postgresql_are_found_alike_and_the_index_is_not_copied(
    tmp_path: Path, pg_cluster: Cluster
) -> None:
    source, target = pg_cluster.fresh(), tmp_path / "hotline.sqlite3"
    with transaction(source) as db:
        kb_articles.save(db, article(), who="kim", at=T0)  # its postings are made with it
        kb_articles.save(
            db, article(slug="car-tax", title="자동차세 납부", topics=("local_tax",)), who="kim", at=T0
        )
    checked = copy.copy(source, target)
    assert all(v.same for v in checked) and not {v.table for v in checked} & {"kb_postings", "kb_lengths"}
    found = {}
    for at in (source, target):
        with transaction(at) as db:
            kb_index.ensure(db)  # as the service does at start: SQLite's index made from the articles
            hits = kb_search.search(db, "여권 언제 받아요", today=T0.date()).hits
            found[at] = [(h.slug, round(h.score, 9)) for h in hits]
    assert found[source] == found[target] and found[source][0][0] == "passport-hours"


def test_a_copy_killed_in_the_middle_leaves_a_usable_target_and_runs_again_to_the_same_sums(
    tmp_path: Path, pg_cluster: Cluster
) -> None:
    source, target = tmp_path / "hotline.sqlite3", pg_cluster.fresh()
    asyncio.run(write_day(source))
    site = engine.open_with(source, copy.site_schema)
    with site.atomic():
        for n in range(1500):
            site.table("call_events").insert(
                {
                    "call_id": f"bulk-{n // 10}",
                    "at": f"2025-11-24T10:{n % 60:02d}:00.000+09:00",
                    "kind": "menu",
                }
                | {"detail": json.dumps({"n": n})}
            )
    site.close()

    first = ivr("store", "copy", "--from", f"sqlite:{source}", "--to", target, "--batch", "5", heard=False)
    probe = engine.connect(target)
    try:
        deadline = time.monotonic() + 60
        copied = 0
        while time.monotonic() < deadline and first.poll() is None:
            if probe.table("call_events").exists():
                copied = probe.table("call_events").count
                if copied > 0:
                    break
            time.sleep(0.05)
        assert first.poll() is None, "the copy ended before it could be killed"
        os.kill(first.pid, signal.SIGKILL)
        first.wait(30)
        copied = probe.table("call_events").count
        assert 0 < copied < 1518
    finally:
        probe.close()

    # Usable as it is: the service opens it (its migrations run again) and numbers a
    # new timeline row past the ones copied.
    records = SqliteCallRecords(target)
    records.start()
    try:
        highest = asyncio.run(_new_event_id(records))
    finally:
        records.close()
    assert highest > copied

    second = ivr("store", "copy", "--from", f"sqlite:{source}", "--to", target, "--batch", "500")
    out, err = second.communicate(timeout=120)
    assert second.returncode == 0, err
    assert "call_events" in out and "tables copied and verified" in err
    checked = copy.verify(source, target)
    assert all(v.same for v in checked)
    assert {v.table: v.target_rows for v in checked}["call_events"] == 1518


async def _new_event_id(records: SqliteCallRecords) -> int:
    """The id PostgreSQL gives the next timeline row, in a transaction rolled back."""

    def job(db: Any) -> int:
        db.execute("SAVEPOINT probe")
        row = "('probe', '2025-11-24T10:00:00.000+09:00', 'menu', '{}')"
        found = db.execute(
            f"INSERT INTO call_events (call_id, at, kind, detail) VALUES {row} RETURNING id"
        ).fetchone()
        db.execute("ROLLBACK TO SAVEPOINT probe")
        return int(found[0])

    return await records.db.run(job)


def test_a_store_that_is_neither_a_file_nor_postgresql_is_refused_by_name(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = f"sqlite:{tmp_path / 'none.sqlite3'}"
    assert main(["store", "copy", "--from", source, "--to", "mysql://x/y"]) == 1
    assert "mysql://x/y" in capsys.readouterr().err
    assert main(["store", "copy", "--from", source, "--to", "postgresql://h/d"]) == 1
    assert "none.sqlite3: no such file" in capsys.readouterr().err


@pytest.mark.parametrize("given", ["postgresql://u:secret@db/h", "postgres://u:secret@db/h"])
def test_a_password_is_not_shown(given: str) -> None:
    assert "secret" not in engine.shown(given) and engine.is_postgres(given)
