"""Small helpers for read queries written as SQL."""

from __future__ import annotations

from typing import Any

import sqlite_utils


def query(db: sqlite_utils.Database, sql: str, args: list[Any] | None = None) -> list[dict[str, Any]]:
    """Rows of a SELECT as dicts keyed by the column names it gives."""
    cursor = db.execute(sql, args or [])
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, r, strict=True)) for r in cursor.fetchall()]


# name: (columns, primary key, not-null columns, indexes)
TableSpec = tuple[dict[str, type], str, set[str], list[list[str]]]


def create_tables(db: sqlite_utils.Database, tables: dict[str, TableSpec]) -> None:
    """Create each table and its indexes where missing (a table that exists is left as it is)."""
    for name, (columns, pk, not_null, indexes) in tables.items():
        table = db.table(name)
        if table.exists():
            continue
        table.create(columns, pk=pk, not_null=not_null)
        for index in indexes:
            table.create_index(index)
