"""Which engine holds the records: a SQLite file (the default) or a PostgreSQL server.

`storage.database` names either a file (`var/hotline.sqlite3`) or a server
(`postgresql://user@host/dbname`). Everything that opens the records opens
them here, and gets a sqlite_utils.Database either way (PgDatabase on
PostgreSQL: ivr/store/pg.py), so store modules are written once.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import sqlite_utils

Target = Path | str  # a SQLite file, or a postgresql:// URL

_URL = re.compile(r"^(postgresql|postgres)://", re.IGNORECASE)


def is_postgres(target: Target) -> bool:
    return isinstance(target, str) and bool(_URL.match(target))


def checked(target: Target) -> Target:
    """The target, refused if it is a URL turned into a path (Path("postgresql://h/d") is
    "postgresql:/h/d"): SQLite would make a file of that name instead of reaching the server."""
    if isinstance(target, Path) and str(target).lower().startswith(("postgresql:", "postgres:")):
        raise ValueError(f"{target}: a postgresql:// URL made into a file path; pass the URL as text")
    return target


def parse(text: str) -> Target:
    """A `--from`/`--to` argument or a config value: `sqlite:PATH`, a path, or a postgresql:// URL."""
    if is_postgres(text):
        return text
    if re.match(r"^[a-z][a-z0-9+.-]*://", text, re.IGNORECASE):
        raise ValueError(f"{text!r}: use a file path, sqlite:PATH or postgresql://user@host/dbname")
    return Path(text.removeprefix("sqlite:"))


def shown(target: Target) -> str:
    """The target for messages and logs, without a password."""
    if is_postgres(target):
        return re.sub(r"(://[^:/@]+):[^@/]*@", r"\1:***@", str(target))
    return str(target)


def on_postgres(db: sqlite_utils.Database) -> bool:
    """Whether an open database is the PostgreSQL one (for the few things only SQLite has)."""
    return is_postgres(getattr(db, "url", ""))


def exists(target: Target) -> bool:
    """Whether there are records to read: a SQLite file that exists; a PostgreSQL server is always there."""
    return is_postgres(target) or Path(target).exists()


def connect(target: Target) -> sqlite_utils.Database:
    """A connection for one command or one thread (not the service's writer: ivr/store/db.py)."""
    if is_postgres(target):
        from ivr.store.pg import PgDatabase  # psycopg is loaded only for a PostgreSQL store

        return PgDatabase(str(target))
    path = Path(checked(target))
    path.parent.mkdir(parents=True, exist_ok=True)
    return sqlite_utils.Database(path)


def open_with(target: Target, schema: Callable[[sqlite_utils.Database], None]) -> sqlite_utils.Database:
    """Open the records for a command (not the service), the schema made or brought up to date.

    SQLite: WAL and patience with the service's writer. PostgreSQL: the
    compatibility functions, and the schema in one transaction."""
    db = connect(target)
    try:
        if is_postgres(target):
            with db.atomic():
                install_compat(db)
                schema(db)
        else:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA busy_timeout=5000")
            schema(db)
    except BaseException:
        db.close()
        raise
    return db


def read_only(target: Target) -> sqlite_utils.Database:
    """A connection for reads beside the writer (the live pages)."""
    if is_postgres(target):
        return connect(target)
    import sqlite3

    return sqlite_utils.Database(sqlite3.connect(f"file:{target}?mode=ro", uri=True, timeout=5))


def install_compat(db: sqlite_utils.Database) -> None:
    """PostgreSQL: the SQLite functions store modules call (dialect.py); SQLite: nothing."""
    if is_postgres(getattr(db, "url", "")):
        from ivr.store import dialect

        # Several statements, no parameters: past the dialect, straight to the server.
        db.pg.execute(dialect.COMPAT_FUNCTIONS.encode())  # type: ignore[attr-defined]


def errors() -> tuple[type[Exception], ...]:
    """The exceptions a failed statement raises, on either engine."""
    import sqlite3

    try:
        import psycopg
    except ImportError:  # no libpq on this machine: a SQLite-only hotline
        return (sqlite3.Error,)
    return (sqlite3.Error, psycopg.Error)


def busy(exc: BaseException) -> bool:
    """True for an error that passes if the write is tried again (another process holds SQLite's lock)."""
    import sqlite3

    return isinstance(exc, sqlite3.OperationalError) and ("locked" in str(exc) or "busy" in str(exc))
