"""SQLite's SQL as PostgreSQL reads it: every dialect difference in one place.

Store modules write SQLite's SQL with `?` placeholders (docs/architecture.md,
"A store module for both engines"). On PostgreSQL, ivr/store/pg.py passes
each statement through `to_postgres` first, and `COMPAT_FUNCTIONS` (made by
the schema at start) gives PostgreSQL the few SQLite functions the modules
call, under their SQLite names and with SQLite's results:

- `?` -> `%s` (outside quoted text), and a literal `%` doubled for psycopg;
- `INSERT OR IGNORE` -> `... ON CONFLICT DO NOTHING`;
- `INSERT OR REPLACE` -> `... ON CONFLICT (pk) DO UPDATE SET` every other
  column (to its value or its default: the whole row is replaced, as in SQLite);
- `PRAGMA ...` -> nothing (SQLite's own settings);
- julianday(text), round(double precision, int), json_each(text) as functions.

Types: values are bound client-side as untyped literals ('42'), so a
number compares with a TEXT column and text with a number the way SQLite's
loose typing lets them (pg.py registers those dumpers).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable

# SQLite's julianday() of an ISO text with its offset: the instant as days
# since noon, 24 November 4714 BC (UTC). Stamps here are ISO text, so text
# that is not a time is NULL (as in SQLite) rather than an error.
COMPAT_FUNCTIONS = r"""
CREATE OR REPLACE FUNCTION julianday(t text) RETURNS double precision
LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
    RETURN extract(epoch FROM t::timestamptz) / 86400.0 + 2440587.5;
EXCEPTION WHEN others THEN
    RETURN NULL;
END $$;
CREATE OR REPLACE FUNCTION round(x double precision, digits integer) RETURNS double precision
LANGUAGE sql IMMUTABLE AS $$ SELECT round(x::numeric, digits)::double precision $$;
CREATE OR REPLACE FUNCTION json_each(t text) RETURNS TABLE(value text)
LANGUAGE sql IMMUTABLE AS $$ SELECT json_array_elements_text(t::json) $$;
"""

_INSERT_OR = re.compile(r"^\s*INSERT\s+OR\s+(IGNORE|REPLACE)\s+INTO\s+(\w+)\s*\(([^)]*)\)", re.IGNORECASE)
_PRAGMA = re.compile(r"^\s*PRAGMA\b", re.IGNORECASE)

# (table) -> (primary key columns, every column)
Shape = Callable[[str], tuple[list[str], list[str]]]


def to_postgres(sql: str, shape: Shape) -> str | None:
    """The statement for PostgreSQL, or None for one that has no meaning there (PRAGMA)."""
    if _PRAGMA.match(sql):
        return None
    text = _placeholders(sql)
    found = _INSERT_OR.match(text)
    if not found:
        return text
    how, table, named = found.group(1).upper(), found.group(2), found.group(3)
    text = re.sub(r"^\s*INSERT\s+OR\s+\w+\s+INTO", "INSERT INTO", text, count=1, flags=re.IGNORECASE)
    if how == "IGNORE":
        return f"{text.rstrip().rstrip(';')} ON CONFLICT DO NOTHING"
    pk, columns = shape(table)
    if not pk:
        raise ValueError(f"INSERT OR REPLACE INTO {table}: the table has no primary key")
    others = [c for c in columns if c not in pk] or [
        c for c in named.replace('"', "").split(",") if c.strip()
    ]
    sets = ", ".join(f'"{c}" = EXCLUDED."{c}"' for c in others)
    keys = ", ".join(f'"{c}"' for c in pk)
    return f"{text.rstrip().rstrip(';')} ON CONFLICT ({keys}) DO UPDATE SET {sets}"


@functools.lru_cache(maxsize=1024)  # the store's statements are few and written over and over
def _placeholders(sql: str) -> str:
    """`?` outside quotes -> `%s`; every `%` doubled (psycopg reads `%` everywhere)."""
    out: list[str] = []
    quote: str | None = None
    for ch in sql:
        if ch == "%":
            out.append("%%")
            continue
        if quote is not None:
            if ch == quote:
                quote = None
        elif ch in ("'", '"'):
            quote = ch
        elif ch == "?":
            out.append("%s")
            continue
        out.append(ch)
    return "".join(out)


_TYPES = {
    int: "BIGINT",
    bool: "BIGINT",
    float: "DOUBLE PRECISION",
    str: "TEXT",
    bytes: "BYTEA",
    dict: "TEXT",
    list: "TEXT",
}
_NAMED_TYPES = {"INTEGER": "BIGINT", "INT": "BIGINT", "TEXT": "TEXT", "FLOAT": "DOUBLE PRECISION"}
_NAMED_TYPES |= {"REAL": "DOUBLE PRECISION", "BLOB": "BYTEA", "NUMERIC": "DOUBLE PRECISION"}
_BACK = {"bigint": int, "integer": int, "smallint": int, "double precision": float, "real": float}
_BACK |= {"text": str, "bytea": bytes, "numeric": float}


def column_type(kind: object) -> str:
    """The PostgreSQL type for a sqlite_utils column type (a Python type or a SQLite type name)."""
    if isinstance(kind, str):
        return _NAMED_TYPES.get(kind.upper(), "TEXT")
    return _TYPES.get(kind, "TEXT")  # type: ignore[call-overload]


def python_type(pg_type: str) -> type:
    """The Python type sqlite_utils' `columns_dict` gives for a PostgreSQL column type."""
    return _BACK.get(pg_type, str)
