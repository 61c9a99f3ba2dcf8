"""Log-in rate limiting: 5 failures for a username, or 20 for one username from one
address, within 15 minutes lock further attempts out for 15 minutes.

The address's count is per username: a whole call center logs in from one
office address (one NAT, one proxy), and one person's forgotten password must
not lock every colleague out. An administrator may lift a lock (`unlock`).

A lock is a row with its end time, so it lasts its full 15 minutes however
the failures that caused it were spread. Attempts refused during a lock are
not checked against the password and do not count as failures. Functions
take the sqlite_utils.Database of the writer thread and a `now`; refused,
failed and succeeded write an attempt's rows and its audit rows together.
The desk lets one attempt at a time per name and address through
(ivr/web/login_turns.py).
"""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlite_utils

from ivr.store import audit, users
from ivr.store.stamps import parse_stamp, stamp

WINDOW = timedelta(minutes=15)
LOCK = timedelta(minutes=15)
USER_LIMIT = 5
IP_LIMIT = 20
_KEEP = timedelta(days=1)
ANONYMOUS = "-"  # the actor of an attempt's audit rows: nobody is logged in yet


def keys(username: str, ip: str | None) -> tuple[str, str]:
    """The keys of a username's and a username-at-an-address's locks: "user:<name>", "ip:<name>@<address>"."""
    return f"user:{username}", f"ip:{username}@{ip or '-'}"


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
            f"SELECT COUNT(*) FROM login_failures WHERE {column} = ? AND username = ? AND at > ?",
            [value, username, since],
        ).fetchone()
        if count >= limit:
            db.table("login_locks").upsert({"key": key, "until": stamp(now + LOCK)}, pk="key")
            started.append(key)
    return started


def reset_user(db: sqlite_utils.Database, username: str) -> None:
    """A successful log-in forgives the username's failures (not the address's)."""
    db.execute("DELETE FROM login_failures WHERE username = ?", [username])
    db.execute("DELETE FROM login_locks WHERE key = ?", [keys(username, None)[0]])


def unlock(db: sqlite_utils.Database, at: datetime, actor: str, username: str, ip: str | None) -> bool:
    """An administrator lifts the user's locks (from every address) and forgives their
    failures, audited; False if nothing was locked."""
    mine = [key for key, _ in _locks(db, at) if _name_of(key) == username]
    for key in {keys(username, None)[0], *mine}:
        db.execute("DELETE FROM login_locks WHERE key = ?", [key])
    db.execute("DELETE FROM login_failures WHERE username = ?", [username])
    audit.record(db, at, actor, "account_unlocked", username, f"locks={len(mine)}", ip)
    return bool(mine)


def password_reset(
    db: sqlite_utils.Database, at: datetime, actor: str, username: str, password_hash: str, ip: str | None
) -> bool:
    """An administrator's new password for a user: stored, sessions ended, and the old
    failures and locks forgiven (a fresh start), all audited; False if no such user."""
    changed = users.replace_password(db, at, actor, username, password_hash, via="desk", ip=ip)
    if changed:
        unlock(db, at, actor, username, ip)
    return changed


def _locks(db: sqlite_utils.Database, now: datetime) -> list[tuple[str, datetime]]:
    rows = db.execute("SELECT key, until FROM login_locks WHERE until > ?", [stamp(now)]).fetchall()
    return [(key, parse_stamp(until)) for key, until in rows]


def _name_of(key: str) -> str:
    """The username a lock's key is about ("user:kim", "ip:kim@10.0.0.1")."""
    return key.split(":", 1)[1].rsplit("@", 1)[0] if key.startswith("ip:") else key.split(":", 1)[1]


def locked_until(db: sqlite_utils.Database, now: datetime) -> dict[str, datetime]:
    """Usernames locked now (by name or at some address), with when their last lock ends."""
    found: dict[str, datetime] = {}
    for key, until in _locks(db, now):
        name = _name_of(key)
        found[name] = max(found.get(name, until), until)
    return found


def purge(db: sqlite_utils.Database, now: datetime) -> None:
    """Forget failures older than a day and locks that have ended."""
    db.execute("DELETE FROM login_failures WHERE at < ?", [stamp(now - _KEEP)])
    db.execute("DELETE FROM login_locks WHERE until <= ?", [stamp(now)])


# A log-in attempt, as the desk's log-in handler writes it: each in one transaction, with its audit rows.


def refused(db: sqlite_utils.Database, now: datetime, username: str, ip: str | None) -> datetime | None:
    """When the lock on this username or address ends, the refusal audited; None if attempts are allowed."""
    until = refused_until(db, now, username, ip)
    if until is not None:
        audit.record(db, now, ANONYMOUS, "login_refused", username, f"locked until {until.isoformat()}", ip)
    return until


def failed(db: sqlite_utils.Database, now: datetime, username: str, ip: str | None, reason: str) -> list[str]:
    """A failed log-in, audited with its reason; the locks it started, each audited as a lockout."""
    audit.record(db, now, ANONYMOUS, "login_failed", username, reason, ip)
    locks = record_failure(db, now, username, ip)
    for key in locks:
        until = now + LOCK
        audit.record(db, now, ANONYMOUS, "lockout", key, f"locked until {until.isoformat()}", ip)
    return locks


def succeeded(db: sqlite_utils.Database, now: datetime, username: str, role: str, ip: str | None) -> None:
    """A log-in: the username's failures forgiven, stale rows forgotten, the time kept, audited."""
    reset_user(db, username)
    purge(db, now)
    users.mark_login(db, now, username)
    audit.record(db, now, username, "login", username, f"role={role}", ip)
