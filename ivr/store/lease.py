"""The standby service's lease: one row in PostgreSQL, and the fence every write passes.

Why a row and not an advisory lock: a session's advisory lock is let go
when the server sees the holder's connection end, which after a kill -9 on
the same network is at once, but after a cut cable or a machine gone is
when TCP gives up (minutes), and the holder cannot tell how long it still
holds it. A row with an expiry on the server's clock lapses on time
whatever happened to the holder, and its epoch, raised by every taking,
fences the writes: each write transaction of the service reads the row
FOR SHARE and is refused unless the epoch is still its own. A taking
(an UPDATE of that row) waits for those transactions to end, so after it
no write of an older epoch can land: the new active's recovery reads
everything the old one wrote, and nothing more comes from it.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from typing import Any, TypeVar

import psycopg
import sqlite_utils

from ivr.errors import StoreError
from ivr.runtime.lease import FencedOut
from ivr.runtime.standby import Holder
from ivr.store import engine
from ivr.store.pg import open_connection

T = TypeVar("T")
NAME = "hotline"  # one service per database: one lease row

SCHEMA = """
CREATE TABLE IF NOT EXISTS service_lease (
    name TEXT PRIMARY KEY,
    holder TEXT NOT NULL,
    desk TEXT NOT NULL,
    epoch BIGINT NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL
)
"""
# Free (no row) or lapsed: ours, under the next epoch. A row renewed
# meanwhile is read again after its UPDATE commits and no longer matches.
TAKE = """
INSERT INTO service_lease (name, holder, desk, epoch, expires_at)
VALUES (%s, %s, %s, 1, now() + make_interval(secs => %s))
ON CONFLICT (name) DO UPDATE SET holder = EXCLUDED.holder, desk = EXCLUDED.desk,
    epoch = service_lease.epoch + 1, expires_at = EXCLUDED.expires_at
WHERE service_lease.expires_at < now()
RETURNING epoch
"""
RENEW = """
UPDATE service_lease SET expires_at = now() + make_interval(secs => %s)
WHERE name = %s AND holder = %s AND epoch = %s AND expires_at >= now()
RETURNING epoch
"""
RELEASE = """
UPDATE service_lease SET expires_at = now() - interval '1 second'
WHERE name = %s AND holder = %s AND epoch = %s
"""
HOLDER = "SELECT holder, epoch, desk, expires_at >= now() FROM service_lease WHERE name = %s"
FENCE = "SELECT epoch, holder FROM service_lease WHERE name = %s FOR SHARE"


def fence(
    epoch: int, refused: Callable[[FencedOut], object] = lambda exc: None
) -> Callable[[sqlite_utils.Database], None]:
    """The check every write transaction of the active makes first (ivr/store/db.py's `fence`).

    FOR SHARE holds the row until the write commits, so the other service
    cannot take the lease in between; after it has, this raises FencedOut,
    and tells `refused` (on the writer's thread) so the service steps down."""

    def check(db: sqlite_utils.Database) -> None:
        row = db.pg.execute(FENCE, [NAME]).fetchone()  # type: ignore[attr-defined]
        if row is None or int(row[0]) != epoch:
            exc = FencedOut(epoch, None if row is None else int(row[0]), None if row is None else row[1])
            refused(exc)
            raise exc

    return check


class PgLease:
    """LeaseStore on PostgreSQL: a connection of its own, so a renewal never waits behind writes."""

    def __init__(self, url: str, timeout_seconds: float) -> None:
        self.url = url
        # libpq's own limits: a server that stops answering fails the statement
        # within about the lease, instead of hanging until TCP gives up.
        self._timeouts = {
            "connect_timeout": max(2, int(timeout_seconds)),
            "tcp_user_timeout": int(timeout_seconds * 1000),
        }
        self._conn: psycopg.Connection[Any] | None = None
        self._lock = threading.Lock()

    def _run(self, fn: Callable[[psycopg.Connection[Any]], T]) -> T:
        with self._lock:
            try:
                if self._conn is None or self._conn.closed:
                    self._conn = open_connection(self._with_timeouts())
                    self._conn.execute(SCHEMA)
                return fn(self._conn)
            except psycopg.Error as exc:
                if self._conn is not None:
                    self._conn.close()
                self._conn = None
                raise StoreError(f"the lease on {engine.shown(self.url)}: {exc}") from exc

    def _with_timeouts(self) -> str:
        extra = "&".join(f"{k}={v}" for k, v in self._timeouts.items())
        return self.url + ("&" if "?" in self.url else "?") + extra

    async def _call(self, fn: Callable[[psycopg.Connection[Any]], T]) -> T:
        return await asyncio.to_thread(self._run, fn)

    async def take(self, holder: str, desk: str, seconds: float) -> int | None:
        row = await self._call(lambda c: c.execute(TAKE, [NAME, holder, desk, seconds]).fetchone())
        return None if row is None else int(row[0])

    async def renew(self, holder: str, epoch: int, seconds: float) -> bool:
        row = await self._call(lambda c: c.execute(RENEW, [seconds, NAME, holder, epoch]).fetchone())
        return row is not None

    async def release(self, holder: str, epoch: int) -> None:
        await self._call(lambda c: c.execute(RELEASE, [NAME, holder, epoch]))

    async def holder(self) -> Holder | None:
        row = await self._call(lambda c: c.execute(HOLDER, [NAME]).fetchone())
        return None if row is None else Holder(row[0], int(row[1]), row[2], bool(row[3]))

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None
