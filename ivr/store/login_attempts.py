"""Log-in rate limiting: 5 failures for a username, or 20 from one address,
within 15 minutes lock further attempts out for 15 minutes.

A lock is a row with its end time, so it lasts its full 15 minutes however
the failures that caused it were spread. Attempts refused during a lock are
not checked against the password and do not count as failures. Functions
take the sqlite_utils.Database of the writer thread and a `now`, so the log-in
handler writes failures, locks and audit rows in one transaction.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import weakref
from collections.abc import AsyncIterator
from datetime import datetime, timedelta

import sqlite_utils

from ivr.web.schema import parse_stamp, stamp

WINDOW = timedelta(minutes=15)
LOCK = timedelta(minutes=15)
USER_LIMIT = 5
IP_LIMIT = 20
_KEEP = timedelta(days=1)


def _keys(username: str, ip: str | None) -> tuple[str, str]:
    return f"user:{username}", f"ip:{ip or '-'}"


class AttemptTurns:
    """One log-in attempt at a time per username and per address.

    Checking the lock, verifying the password and counting the failure are
    three steps; without turns, a burst of parallel attempts would all pass
    the check before the first failure is counted.
    """

    def __init__(self) -> None:
        # A lock lives while an attempt holds or awaits it.
        self._locks: weakref.WeakValueDictionary[str, asyncio.Lock] = weakref.WeakValueDictionary()

    @contextlib.asynccontextmanager
    async def turn(self, username: str, ip: str | None) -> AsyncIterator[None]:
        async with contextlib.AsyncExitStack() as stack:
            for key in sorted(_keys(username, ip)):  # one order everywhere: no deadlock
                lock = self._locks.get(key)
                if lock is None:
                    lock = self._locks[key] = asyncio.Lock()
                await stack.enter_async_context(lock)
            yield


def refused_until(db: sqlite_utils.Database, now: datetime, username: str, ip: str | None) -> datetime | None:
    """When the lock on this username or address ends; None if attempts are allowed now."""
    user_key, ip_key = _keys(username, ip)
    rows = db.execute(
        "SELECT MAX(until) FROM login_locks WHERE key IN (?, ?) AND until > ?", [user_key, ip_key, stamp(now)]
    ).fetchone()
    return parse_stamp(rows[0]) if rows and rows[0] else None


def record_failure(db: sqlite_utils.Database, now: datetime, username: str, ip: str | None) -> list[str]:
    """Count a failed log-in; return the locks it started: "user:<name>" and/or "ip:<address>"."""
    db.table("login_failures").insert({"at": stamp(now), "username": username, "ip": ip or "-"})
    since = stamp(now - WINDOW)
    user_key, ip_key = _keys(username, ip)
    started = []
    for key, column, value, limit in (
        (user_key, "username", username, USER_LIMIT),
        (ip_key, "ip", ip or "-", IP_LIMIT),
    ):
        (count,) = db.execute(
            f"SELECT COUNT(*) FROM login_failures WHERE {column} = ? AND at > ?", [value, since]
        ).fetchone()
        if count >= limit:
            db.table("login_locks").upsert({"key": key, "until": stamp(now + LOCK)}, pk="key")
            started.append(key)
    return started


def reset_user(db: sqlite_utils.Database, username: str) -> None:
    """A successful log-in forgives the username's failures (not the address's)."""
    db.execute("DELETE FROM login_failures WHERE username = ?", [username])
    db.execute("DELETE FROM login_locks WHERE key = ?", [_keys(username, None)[0]])


def purge(db: sqlite_utils.Database, now: datetime) -> None:
    """Forget failures older than a day and locks that have ended."""
    db.execute("DELETE FROM login_failures WHERE at < ?", [stamp(now - _KEEP)])
    db.execute("DELETE FROM login_locks WHERE until <= ?", [stamp(now)])


def minutes_left(until: datetime, now: datetime) -> int:
    return max(1, math.ceil((until - now).total_seconds() / 60))
