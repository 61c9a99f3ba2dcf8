"""A PostgreSQL database that store modules use as they use sqlite_utils.

Every store module takes a `sqlite_utils.Database` and uses a small part of
it: `execute`, `query`, `table(...)` with exists/create/create_index/
add_column/columns_dict/insert/insert_all/upsert/get/rows_where/update/
delete/delete_where/count/last_rowid/last_pk, `conn` as a transaction
(`with db.conn:`), `atomic()` and `close()`. `PgDatabase` gives that part
on a psycopg 3 connection, so a module written for SQLite runs on PostgreSQL
unchanged; SQL goes through dialect.py. It subclasses sqlite_utils.Database
only so the modules' annotations hold: a method outside that part is not
supported here (docs/architecture.md lists the part).
"""

from __future__ import annotations

import json
from collections.abc import Generator, Iterable, Iterator
from contextlib import contextmanager
from typing import Any, NamedTuple

import psycopg
import sqlite_utils
from psycopg.adapt import Dumper, Loader
from psycopg.pq import TransactionStatus
from sqlite_utils.db import NotFoundError

from ivr.store import dialect


class _Loose(Dumper):
    """Numbers as untyped literals ('42'): PostgreSQL then reads them as the
    column or operator needs, as SQLite's loose typing does (a bool as 0/1)."""

    oid = 0

    def dump(self, obj: Any) -> bytes:
        return str(int(obj) if isinstance(obj, bool) else obj).encode()


class _Number(Loader):
    """numeric (what SUM and AVG give) as int or float, as SQLite gives them, never Decimal."""

    def load(self, data: Any) -> Any:
        text = bytes(data).decode()
        return int(text) if text.lstrip("-").isdigit() else float(text)


def open_connection(url: str) -> psycopg.Connection[Any]:
    """A connection that commits each statement unless inside `transaction()`."""
    conn = psycopg.connect(url, autocommit=True, cursor_factory=psycopg.ClientCursor)
    for kind in (int, bool, float):
        conn.adapters.register_dumper(kind, _Loose)
    conn.adapters.register_loader("numeric", _Number)
    return conn


class _Nothing:
    """The result of a statement PostgreSQL has no use for (a PRAGMA)."""

    description = None
    rowcount = 0

    def fetchall(self) -> list[Any]:
        return []

    def fetchone(self) -> None:
        return None

    def __iter__(self) -> Iterator[Any]:
        return iter(())


class _Transaction:
    """What `with db.conn:` means in store modules: one transaction (a savepoint inside another)."""

    def __init__(self, db: PgDatabase) -> None:
        self._db = db
        self._open: list[Any] = []

    @property
    def in_transaction(self) -> bool:
        return self._db.pg.info.transaction_status != TransactionStatus.IDLE

    def __enter__(self) -> _Transaction:
        tx = self._db.pg.transaction()
        tx.__enter__()
        self._open.append(tx)
        return self

    def __exit__(self, *exc: Any) -> None:
        self._open.pop().__exit__(*exc)

    def commit(self) -> None:
        """Statements outside `with db.conn:` are committed each on its own already."""

    def close(self) -> None:
        self._db.close()


class Column(NamedTuple):
    name: str
    type: str
    is_pk: bool


class Index(NamedTuple):
    name: str
    columns: list[str]
    unique: bool


class PgDatabase(sqlite_utils.Database):
    """The part of sqlite_utils.Database the store uses, on PostgreSQL."""

    def __init__(self, url: str) -> None:  # no super().__init__: it opens a SQLite file
        self.url = url
        self.pg = open_connection(url)
        # `with db.conn:` is a transaction, as on sqlite3's connection.
        self.conn = _Transaction(self)  # type: ignore[assignment]
        self._columns: dict[str, list[Column]] = {}

    def close(self) -> None:
        if not self.pg.closed:
            self.pg.close()

    @contextmanager
    def atomic(self) -> Generator[PgDatabase, None, None]:
        with self.pg.transaction():
            yield self

    def execute(self, sql: str, parameters: Iterable[Any] | dict[str, Any] | None = None) -> Any:
        text = dialect.to_postgres(sql, self.shape)
        if text is None:
            return _Nothing()
        if text.lstrip()[:6].upper() in ("CREATE", "ALTER ", "DROP T"):
            self._columns.clear()
        return self.pg.execute(text.encode(), list(parameters or []))

    def query(
        self, sql: str, params: Iterable[Any] | dict[str, Any] | None = None
    ) -> Generator[dict[str, Any]]:
        cursor = self.execute(sql, params)
        names = [d[0] for d in cursor.description or []]
        for row in cursor.fetchall():
            yield dict(zip(names, row, strict=True))

    def table(self, table_name: str, **kwargs: Any) -> PgTable:  # type: ignore[override]
        return PgTable(self, table_name)

    def table_names(self, fts4: bool = False, fts5: bool = False) -> list[str]:
        rows = self.pg.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() "
            "ORDER BY table_name"
        ).fetchall()
        return [r[0] for r in rows]

    def shape(self, table: str) -> tuple[list[str], list[str]]:
        """(primary key columns, every column) of a table."""
        columns = self.columns_of(table)
        return [c.name for c in columns if c.is_pk], [c.name for c in columns]

    def columns_of(self, table: str) -> list[Column]:
        """A table's columns from the catalog, kept until this connection changes a schema."""
        if table not in self._columns:
            rows = self.pg.execute(
                "SELECT a.attname, format_type(a.atttypid, NULL), EXISTS (SELECT 1 FROM pg_index i "
                "WHERE i.indrelid = a.attrelid AND i.indisprimary AND a.attnum = ANY(i.indkey)) "
                "FROM pg_attribute a WHERE a.attrelid = to_regclass(%s) AND a.attnum > 0 "
                "AND NOT a.attisdropped ORDER BY a.attnum",
                [f'"{table}"'],
            ).fetchall()
            self._columns[table] = [Column(r[0], r[1], bool(r[2])) for r in rows]
        return self._columns[table]

    def __del__(self) -> None:
        # As a sqlite3 connection: closed when nobody holds it any more.
        pg = getattr(self, "pg", None)
        if pg is not None and not pg.closed:
            pg.close()


def _value(value: Any) -> Any:
    """What sqlite_utils stores for a value: JSON text for dicts and lists."""
    if isinstance(value, (dict, list, tuple)):
        return json.dumps(value, default=repr, ensure_ascii=False)
    return value


def _names(columns: Iterable[str]) -> str:
    return ", ".join(f'"{c}"' for c in columns)


class PgTable:
    """One table, with the sqlite_utils Table methods the store modules call."""

    def __init__(self, db: PgDatabase, name: str) -> None:
        self.db = db
        self.name = name
        self.last_rowid: int | None = None
        self.last_pk: Any = None

    def exists(self) -> bool:
        found = self.db.pg.execute("SELECT to_regclass(%s)", [f'"{self.name}"']).fetchone()
        return bool(found and found[0] is not None)

    @property
    def columns(self) -> list[Column]:
        return self.db.columns_of(self.name)

    @property
    def columns_dict(self) -> dict[str, type]:
        return {c.name: dialect.python_type(c.type) for c in self.columns}

    @property
    def indexes(self) -> list[Index]:
        """The table's indexes (not its primary key), as sqlite_utils lists them."""
        rows = self.db.pg.execute(
            "SELECT c.relname, i.indisunique, ARRAY(SELECT a.attname "
            "FROM unnest(i.indkey) WITH ORDINALITY k(n, o) "
            "JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.n ORDER BY k.o) "
            "FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
            "WHERE i.indrelid = to_regclass(%s) AND NOT i.indisprimary ORDER BY c.relname",
            [f'"{self.name}"'],
        ).fetchall()
        return [Index(r[0], list(r[2]), bool(r[1])) for r in rows]

    @property
    def pks(self) -> list[str]:
        return self.db.shape(self.name)[0]

    def create(
        self,
        columns: dict[str, Any],
        pk: str | Iterable[str] | None = None,
        not_null: Iterable[str] | None = None,
        **kwargs: Any,
    ) -> PgTable:
        keys = [pk] if isinstance(pk, str) else list(pk or [])
        required = set(not_null or ())
        parts = []
        for name, kind in columns.items():
            sql_type = dialect.column_type(kind)
            if keys == [name] and sql_type == "BIGINT":
                # SQLite's INTEGER PRIMARY KEY: numbered when not given, kept when given.
                parts.append(f'"{name}" BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY')
                continue
            parts.append(f'"{name}" {sql_type}' + (" NOT NULL" if name in required else ""))
        if keys and not (len(keys) == 1 and "IDENTITY" in " ".join(parts)):
            parts.append(f"PRIMARY KEY ({_names(keys)})")
        self.db.execute(f'CREATE TABLE IF NOT EXISTS "{self.name}" ({", ".join(parts)})')
        return self

    def create_index(
        self,
        columns: Iterable[str],
        index_name: str | None = None,
        unique: bool = False,
        if_not_exists: bool = False,
        **kwargs: Any,
    ) -> PgTable:
        cols = list(columns)
        name = index_name or f"idx_{self.name}_{'_'.join(cols)}"
        how = "UNIQUE INDEX" if unique else "INDEX"
        self.db.execute(f'CREATE {how} IF NOT EXISTS "{name}" ON "{self.name}" ({_names(cols)})')
        return self

    def add_column(self, col_name: str, col_type: Any = None, **kwargs: Any) -> PgTable:
        kind = dialect.column_type(col_type if col_type is not None else str)
        self.db.execute(f'ALTER TABLE "{self.name}" ADD COLUMN IF NOT EXISTS "{col_name}" {kind}')
        return self

    def insert(self, record: dict[str, Any], pk: Any = None, replace: bool = False, **kwargs: Any) -> PgTable:
        self._write(record, conflict="replace" if replace else ("ignore" if kwargs.get("ignore") else None))
        return self

    def insert_all(self, records: Iterable[dict[str, Any]], **kwargs: Any) -> PgTable:
        for record in records:
            self.insert(record, **kwargs)
        return self

    def upsert(self, record: dict[str, Any], pk: Any = None, **kwargs: Any) -> PgTable:
        self._write(record, conflict="upsert")
        return self

    def _write(self, record: dict[str, Any], conflict: str | None) -> None:
        keys, columns = self.db.shape(self.name)
        names = list(record)
        sql = f'INSERT INTO "{self.name}" ({_names(names)}) VALUES ({", ".join(["%s"] * len(names))})'
        if conflict == "ignore":
            sql += " ON CONFLICT DO NOTHING"
        elif conflict is not None and keys:
            # upsert: the columns given; replace: every column (those not given back to their default).
            changed = [c for c in (names if conflict == "upsert" else columns) if c not in keys]
            sets = ", ".join(f'"{c}" = EXCLUDED."{c}"' for c in changed)
            sql += f" ON CONFLICT ({_names(keys)}) " + (f"DO UPDATE SET {sets}" if sets else "DO NOTHING")
        if keys:
            sql += f" RETURNING {_names(keys)}"
        cursor = self.db.pg.execute(sql.encode(), [_value(record[n]) for n in names])
        returned = cursor.fetchone() if keys else None
        if returned is None and keys and all(k in record for k in keys):
            returned = tuple(record[k] for k in keys)  # DO NOTHING: the row that was there
        if returned is not None:
            self.last_pk = returned[0] if len(returned) == 1 else tuple(returned)
            self.last_rowid = self.last_pk if isinstance(self.last_pk, int) else None

    def _where_pk(self, pk_values: Any) -> tuple[str, list[Any]]:
        keys = self.pks
        values = list(pk_values) if isinstance(pk_values, (list, tuple)) else [pk_values]
        if len(values) != len(keys):
            raise NotFoundError(f"{self.name}: a key of {len(keys)} values needed, not {pk_values!r}")
        return " AND ".join(f'"{k}" = ?' for k in keys), values

    def get(self, pk_values: Any) -> dict[str, Any]:
        where, args = self._where_pk(pk_values)
        rows = list(self.rows_where(where, args))
        if not rows:
            raise NotFoundError
        return rows[0]

    def rows_where(
        self,
        where: str | None = None,
        where_args: Iterable[Any] | dict[str, Any] | None = None,
        order_by: str | None = None,
        select: str = "*",
        limit: int | None = None,
        offset: int | None = None,
    ) -> Generator[dict[str, Any]]:
        if not self.exists():
            return  # as sqlite_utils: a table not made yet has no rows
        sql = f'SELECT {select} FROM "{self.name}"'
        if where is not None:
            sql += f" WHERE {where}"
        if order_by is not None:
            sql += f" ORDER BY {order_by}"
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        if offset is not None:
            sql += f" OFFSET {int(offset)}"
        yield from self.db.query(sql, where_args)

    @property
    def rows(self) -> Generator[dict[str, Any]]:
        return self.rows_where()

    def update(self, pk_values: Any, updates: dict[str, Any] | None = None, **kwargs: Any) -> PgTable:
        if not updates:
            self.get(pk_values)  # as sqlite_utils: NotFoundError for a row that is not there
            return self
        where, args = self._where_pk(pk_values)
        sets = ", ".join(f'"{c}" = ?' for c in updates)
        cursor = self.db.execute(
            f'UPDATE "{self.name}" SET {sets} WHERE {where}', [*map(_value, updates.values()), *args]
        )
        if cursor.rowcount == 0:
            raise NotFoundError
        self.last_pk = pk_values
        return self

    def delete(self, pk_values: Any) -> PgTable:
        where, args = self._where_pk(pk_values)
        self.db.execute(f'DELETE FROM "{self.name}" WHERE {where}', args)
        return self

    def delete_where(self, where: str | None = None, where_args: Any = None, **kwargs: Any) -> PgTable:
        self.db.execute(f'DELETE FROM "{self.name}"' + (f" WHERE {where}" if where else ""), where_args)
        return self

    def count_where(self, where: str | None = None, where_args: Any = None, **kwargs: Any) -> int:
        sql = f'SELECT COUNT(*) FROM "{self.name}"' + (f" WHERE {where}" if where else "")
        return int(self.db.execute(sql, where_args).fetchone()[0])

    @property
    def count(self) -> int:
        return self.count_where()
