"""The store on both engines: what a store module may count on, whichever holds the records
(docs/architecture.md, "A store module for both engines")."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlite_utils.db import NotFoundError

from ivr.config.operations import StorageSettings
from ivr.store import copy, dialect, engine, users
from ivr.store.desk_schema import prepare
from ivr.store.stamps import utc_now


def _shape(db_at: Path | str) -> dict[str, dict[str, type]]:
    db = engine.connect(db_at)
    try:
        return {t: db.table(t).columns_dict for t in copy.tables(db)}
    finally:
        db.close()


def test_placeholders_become_psycopgs_and_a_literal_percent_or_question_mark_stays() -> None:
    sql = dialect.to_postgres(
        "SELECT '?', \"a?\" FROM t WHERE x LIKE 'f_%' AND y = ? AND z = ?", lambda t: ([], [])
    )
    assert sql == "SELECT '?', \"a?\" FROM t WHERE x LIKE 'f_%%' AND y = %s AND z = %s"


def test_insert_or_ignore_and_or_replace_become_on_conflict() -> None:
    shape = {"t": (["id"], ["id", "a", "b"])}.__getitem__
    ignore = dialect.to_postgres("INSERT OR IGNORE INTO t (id, a) VALUES (?, ?)", shape)
    assert ignore == "INSERT INTO t (id, a) VALUES (%s, %s) ON CONFLICT DO NOTHING"
    replace = dialect.to_postgres("INSERT OR REPLACE INTO t (id, a) VALUES (?, ?)", shape)
    assert replace == (
        'INSERT INTO t (id, a) VALUES (%s, %s) ON CONFLICT ("id") '
        'DO UPDATE SET "a" = EXCLUDED."a", "b" = EXCLUDED."b"'
    )
    assert dialect.to_postgres("PRAGMA busy_timeout=5000", shape) is None


def test_a_database_that_is_neither_a_file_nor_postgresql_is_refused_naming_it() -> None:
    with pytest.raises(ValueError, match="mysql://h/db"):
        StorageSettings(database="mysql://h/db")
    assert StorageSettings(database="postgresql://hotline@db.example/hotline").database.startswith(
        "postgresql"
    )


def test_a_url_made_into_a_path_is_refused_rather_than_made_a_sqlite_file(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="pass the URL as text"):
        engine.connect(Path("postgresql://hotline@db/hotline"))
    assert not list(tmp_path.iterdir())


def test_migrations_run_twice_change_nothing_and_keep_the_rows(records_at: Path | str) -> None:
    first = engine.open_with(records_at, copy.site_schema)
    prepare(first, utc_now())
    first.table("calls").insert(
        {"id": "c1", "caller": "010", "dialed": "2221000", "started_at": "2026-12-07"}
    )
    first.close()
    made = _shape(records_at)
    again = engine.open_with(records_at, copy.site_schema)
    prepare(again, utc_now())
    again.close()
    assert _shape(records_at) == made
    assert {"calls", "call_events", "users", "audit", "flow_versions", "prompt_versions"} <= set(made)
    db = engine.connect(records_at)
    assert db.table("calls").get("c1")["caller"] == "010"
    db.close()


def test_the_sqlite_utils_part_behaves_alike(records_at: Path | str) -> None:
    db = engine.open_with(records_at, copy.site_schema)
    try:
        events = db.table("call_events")
        events.insert({"call_id": "c1", "at": "2026-12-07T10:00:00+09:00", "kind": "menu", "detail": "{}"})
        first = events.last_rowid
        events.insert({"call_id": "c1", "at": "2026-12-07T10:00:05+09:00", "kind": "queue", "detail": "{}"})
        assert events.last_rowid == (first or 0) + 1
        assert [r["kind"] for r in events.rows_where("call_id = ?", ["c1"], order_by="id desc", limit=1)] == [
            "queue"
        ]
        with pytest.raises(NotFoundError):
            events.get(9999)
        with pytest.raises(NotFoundError):
            events.update(9999, {"kind": "x"})
        db.table("login_locks").upsert({"key": "user:kim", "until": "a"}, pk="key")
        db.table("login_locks").upsert({"key": "user:kim", "until": "b"}, pk="key")
        assert [r["until"] for r in db.table("login_locks").rows] == ["b"]
        # INSERT OR REPLACE: the whole row anew, a column not named back to empty.
        db.execute(
            "INSERT INTO calls (id, caller, dialed, started_at, topic) VALUES ('c2', '010', '1', 'x', 'tax')"
        )
        db.execute(
            "INSERT OR REPLACE INTO calls (id, caller, dialed, started_at) VALUES ('c2', '011', '1', 'x')"
        )
        assert (db.table("calls").get("c2")["caller"], db.table("calls").get("c2")["topic"]) == ("011", None)
        # Loose types as SQLite has them: a number against TEXT, sums as int, averages as float.
        assert db.execute("SELECT COUNT(*) FROM calls WHERE caller = ?", [11]).fetchone()[0] == 0
        assert db.execute("SELECT COUNT(*) FROM calls WHERE dialed = ?", [1]).fetchone()[0] == 1
        total, mean = db.execute("SELECT SUM(id), AVG(id) FROM call_events").fetchone()
        assert (type(total), type(mean)) == (int, float)
        # julianday() compares instants written with different offsets.
        later = "julianday('2026-12-07T10:00:00+09:00') > julianday('2026-12-07T00:59:59+00:00')"
        assert db.execute(f"SELECT {later}").fetchone()[0] in (1, True)
    finally:
        db.close()


def test_a_user_written_on_either_engine_reads_back(records_at: Path | str) -> None:
    db = engine.open_with(records_at, copy.site_schema)
    try:
        users.add(db, utc_now(), "admin", "kim", "김상담", "counselor", "hash", counselor_id="c01")
        assert users.add(db, utc_now(), "admin", "kim", "또", "counselor", "hash") is None  # taken
        found = users.find(db, "kim")
        assert found is not None
        assert (found[0].display_name, found[0].role, found[1]) == ("김상담", "counselor", "hash")
        assert [r["action"] for r in db.table("audit").rows] == ["user_added"]
    finally:
        db.close()
