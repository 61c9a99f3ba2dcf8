"""`ivr store copy`: a site's history from one store to another (SQLite -> PostgreSQL, or back).

The target's schema is made first by the store's own migrations (the same
as at the service's start), so it has its types and indexes; a table the
migrations do not know (a newer module's) is made from the source's columns.
Rows then go over table by table in batches, keyed by the primary key, each
batch one transaction that also moves the target's id counters past the
ids it wrote. So a copy stopped anywhere (a crash, kill -9) leaves a target
the service can open and write to, and running the copy again finishes it:
a row already there is written again with the source's values (which also
brings over rows the running site changed meanwhile).

Verification reads both sides again: per table the count of rows and a
checksum that does not depend on order or engine (the sum of each row's
SHA-256, its values normalised: 3.0 and 3 are one number).
"""

from __future__ import annotations

import hashlib
import itertools
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import sqlite_utils

from ivr.errors import StoreError
from ivr.store import engine, fallback_import, flow_versions, prompt_versions
from ivr.store.desk_schema import create_schema as create_desk_schema
from ivr.store.engine import Target

# sqlite's own tables, the knowledge base's full-text index, FTS5's or
# PostgreSQL's postings (derived from the articles: the service builds it again
# where it needs it, kb_index.ensure), and the standby lease, which belongs to
# the services running on that database.
_DERIVED = ("sqlite_", "kb_index", "kb_trigram", "kb_postings", "kb_lengths", "service_lease")
MAX_VARIABLES = 30000  # below SQLite's 32,766 bound parameters a statement


@dataclass(frozen=True)
class Verified:
    """One table after a copy: rows and checksum on each side."""

    table: str
    source_rows: int
    target_rows: int
    source_sum: str
    target_sum: str

    @property
    def same(self) -> bool:
        return (self.source_rows, self.source_sum) == (self.target_rows, self.target_sum)


def site_schema(db: sqlite_utils.Database) -> None:
    """Every table a site has, as the service and the commands make them."""
    from ivr.store.calls import create_schema as create_call_schema

    create_call_schema(db)
    create_desk_schema(db)
    flow_versions.create_schema(db)
    prompt_versions.create_schema(db)
    fallback_import.create_tables(db)


def tables(db: sqlite_utils.Database) -> list[str]:
    """The tables that hold records (not SQLite's own, not the derived full-text index)."""
    return [t for t in db.table_names() if not t.startswith(_DERIVED)]


def copy(
    source: Target,
    target: Target,
    *,
    batch: int = 500,
    told: Callable[[str, int], None] = lambda table, rows: None,
) -> list[Verified]:
    """Copy every table of `source` into `target`, then verify both sides."""
    src = engine.connect(source)
    dst = engine.open_with(target, site_schema)
    try:
        for table in tables(src):
            _prepare(src, dst, table)
            done = 0
            for rows in _batches(src, table, batch):
                try:
                    with dst.atomic():
                        _write(dst, table, rows)
                        _advance_ids(dst, table)
                except engine.errors() as exc:
                    raise StoreError(
                        f"{table}: rows {done + 1}-{done + len(rows)} not copied: {exc}"
                    ) from exc
                done += len(rows)
                told(table, done)
        return [verify_table(src, dst, t) for t in tables(src)]
    finally:
        src.close()
        dst.close()


def verify(source: Target, target: Target) -> list[Verified]:
    src, dst = engine.connect(source), engine.connect(target)
    try:
        return [verify_table(src, dst, t) for t in tables(src)]
    finally:
        src.close()
        dst.close()


def _prepare(src: sqlite_utils.Database, dst: sqlite_utils.Database, table: str) -> None:
    """The table in the target, with every column the source has."""
    columns = src.table(table).columns_dict
    target = dst.table(table)
    if not target.exists():
        keys = _keys(src, table)
        target.create(columns, pk=keys[0] if len(keys) == 1 else (keys or None))
        return
    have = target.columns_dict
    for name, kind in columns.items():
        if name not in have:
            target.add_column(name, kind)


def _keys(db: sqlite_utils.Database, table: str) -> list[str]:
    return [str(k) for k in db.table(table).pks if k != "rowid"]


def _batches(src: sqlite_utils.Database, table: str, size: int) -> Iterator[list[dict[str, Any]]]:
    """The source's rows in key order, `size` at a time: each page starts after the last key
    seen (a table without a one-column key, rare and small, pages by position)."""
    keys = _keys(src, table)
    size = max(1, min(size, MAX_VARIABLES // max(1, len(src.table(table).columns_dict))))
    select = f'SELECT * FROM "{table}"'
    if len(keys) != 1:
        order = ", ".join(f'"{k}"' for k in keys) or "rowid"
        for offset in itertools.count(0, size):
            rows = list(src.query(f"{select} ORDER BY {order} LIMIT {size} OFFSET {offset}"))
            if not rows:
                return
            yield rows
    key = keys[0]
    rows = list(src.query(f'{select} ORDER BY "{key}" LIMIT {size}'))
    while rows:
        yield rows
        rows = list(src.query(f'{select} WHERE "{key}" > ? ORDER BY "{key}" LIMIT {size}', [rows[-1][key]]))


def _write(dst: sqlite_utils.Database, table: str, rows: list[dict[str, Any]]) -> None:
    """Insert the rows, or overwrite the ones already there (same SQL on both engines)."""
    names = list(rows[0])
    keys = _keys(dst, table)
    marks = "(" + ", ".join("?" * len(names)) + ")"
    sql = f'INSERT INTO "{table}" ({", ".join(f"{chr(34)}{n}{chr(34)}" for n in names)}) VALUES '
    sql += ", ".join([marks] * len(rows))
    others = [n for n in names if n not in keys]
    if keys and others:
        sets = ", ".join(f'"{n}" = excluded."{n}"' for n in others)
        sql += f" ON CONFLICT ({', '.join(chr(34) + k + chr(34) for k in keys)}) DO UPDATE SET {sets}"
    elif keys:
        sql += " ON CONFLICT DO NOTHING"
    dst.execute(sql, [row[n] for row in rows for n in names])


def _advance_ids(dst: sqlite_utils.Database, table: str) -> None:
    """PostgreSQL numbers new rows from a counter of its own: past the ids copied, so the
    service's next row does not collide with one (SQLite numbers from the largest id)."""
    if not engine.is_postgres(getattr(dst, "url", "")):
        return
    keys = _keys(dst, table)
    if len(keys) != 1 or dst.table(table).columns_dict.get(keys[0]) is not int:
        return
    dst.execute(
        f'SELECT setval(pg_get_serial_sequence(?, ?), m) FROM (SELECT MAX("{keys[0]}") AS m '
        f'FROM "{table}") t WHERE m IS NOT NULL AND pg_get_serial_sequence(?, ?) IS NOT NULL',
        [f'"{table}"', keys[0], f'"{table}"', keys[0]],
    )


def verify_table(src: sqlite_utils.Database, dst: sqlite_utils.Database, table: str) -> Verified:
    names = sorted(src.table(table).columns_dict)
    n_src, s_src = checksum(src, table, names)
    n_dst, s_dst = checksum(dst, table, names) if dst.table(table).exists() else (0, "-")
    return Verified(table, n_src, n_dst, s_src, s_dst)


def checksum(db: sqlite_utils.Database, table: str, names: list[str]) -> tuple[int, str]:
    """(rows, checksum) of the named columns: the sum of each row's SHA-256, in any order."""
    total, count = 0, 0
    for rows in _batches(db, table, 5000):
        for row in rows:
            text = json.dumps([_plain(row[n]) for n in names], ensure_ascii=False)
            total += int.from_bytes(hashlib.sha256(text.encode()).digest(), "big")
            count += 1
    return count, f"{total % (1 << 256):064x}"[:16]


def _plain(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, (bytes, memoryview)):
        return bytes(value).hex()
    return value
