"""Small helpers for read queries written as SQL."""

from __future__ import annotations

from typing import Any

import sqlite_utils


def query(db: sqlite_utils.Database, sql: str, args: list[Any] | None = None) -> list[dict[str, Any]]:
    """Rows of a SELECT as dicts keyed by the column names it gives."""
    cursor = db.execute(sql, args or [])
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, r, strict=True)) for r in cursor.fetchall()]
