"""Log-in rate limiting: 5 failures for a username, or 20 from one address,
within 15 minutes lock further attempts out for 15 minutes.

A lock is a row with its end time, so it lasts its full 15 minutes however
the failures that caused it were spread. Attempts refused during a lock are
not checked against the password and do not count as failures. Functions
take the sqlite_utils.Database of the writer thread and a `now`, so the log-in
handler writes failures, locks and audit rows in one transaction.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlite_utils

from ivr.store.stamps import parse_stamp, stamp

WINDOW = timedelta(minutes=15)
LOCK = timedelta(minutes=15)
USER_LIMIT = 5
IP_LIMIT = 20
_KEEP = timedelta(days=1)


def keys(username: str, ip: str | None) -> tuple[str, str]:
    """The keys of a username's and an address's locks: "user:<name>", "ip:<address>"."""
    return f"user:{username}", f"ip:{ip or '-'}"


def refused_until(db: sqlite_utils.Database, now: datetime, username: str, ip: str | None) -> datetime | None:
    """When the lock on this username or address ends; None if attempts are allowed now."""
    user_key, ip_key = keys(username, ip)
    rows = db.execute(
        "SELECT MAX(until) FROM login_locks WHERE key IN (?, ?) AND until > ?", [user_key, ip_key, stamp(now)]
    ).fetchone()
    return parse_stamp(rows[0]) if rows and rows[0] else None


def record_failure(db: sqlite_utils.Database, now: datetime, username: str, ip: str | None) -> list[str]:
    """Count a failed log-in; return the locks it started: "user:<name>" and/or "ip:<address>"."""
    db.table("login_failures").insert({"at": stamp(now), "username": username, "ip": ip or "-"})
    since = stamp(now - WINDOW)
    user_key, ip_key = keys(username, ip)
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
    db.execute("DELETE FROM login_locks WHERE key = ?", [keys(username, None)[0]])


def purge(db: sqlite_utils.Database, now: datetime) -> None:
    """Forget failures older than a day and locks that have ended."""
    db.execute("DELETE FROM login_failures WHERE at < ?", [stamp(now - _KEEP)])
    db.execute("DELETE FROM login_locks WHERE until <= ?", [stamp(now)])
