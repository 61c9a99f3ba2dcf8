"""Server-side sessions: a random id in an HttpOnly, SameSite=Strict cookie.

The cookie carries `secrets.token_urlsafe(32)`; the table keeps only its
SHA-256, so a copy of the database file opens no session. A session expires
after 8 hours without use, and in any case a fixed time after log-in
(config.yaml `web.session_max_hours`, 12 by default): a desk left open on a
shared PC does not stay logged in for days by being refreshed. A pre-login session (username NULL) exists only
to carry the log-in form's CSRF token; log-in replaces it with a new id.
The cookie itself is the desk's (ivr/web/cookies.py).
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlite_utils

from ivr.store import users
from ivr.store.db import Database
from ivr.store.stamps import Clock, parse_stamp, stamp
from ivr.store.users import User

IDLE = timedelta(hours=8)
LIFETIME = timedelta(hours=12)
# A request within a minute of the last refresh does not write again.
_REFRESH_STEP = timedelta(minutes=1)
_TOKEN = re.compile(r"[A-Za-z0-9_-]{43}")


@dataclass(frozen=True)
class Session:
    """One row of `sessions`; `key` is the hash of the cookie value."""

    key: str
    username: str | None
    csrf_token: str
    expires_at: datetime


def _key(token: str) -> str:
    return hashlib.sha256(token.encode("ascii")).hexdigest()


class SessionStore:
    """Creates, finds, refreshes and ends sessions through the writer thread."""

    def __init__(self, db: Database, clock: Clock, lifetime: timedelta = LIFETIME) -> None:
        self._db = db
        self._clock = clock
        self._lifetime = lifetime

    async def create(
        self, username: str | None, ip: str | None, user_agent: str, replacing: Session | None = None
    ) -> tuple[str, Session]:
        """A new session (and its cookie value); `replacing` is deleted in the same write."""
        token = secrets.token_urlsafe(32)
        now = self._clock()
        session = Session(_key(token), username, secrets.token_urlsafe(32), now + min(IDLE, self._lifetime))

        def write(db: sqlite_utils.Database) -> None:
            if replacing is not None:
                db.execute("DELETE FROM sessions WHERE id = ?", [replacing.key])
            db.table("sessions").insert(
                {
                    "id": session.key,
                    "username": username,
                    "csrf_token": session.csrf_token,
                    "created_at": stamp(now),
                    "expires_at": stamp(session.expires_at),
                    "ip": ip,
                    "user_agent": user_agent[:300],
                }
            )

        await self._db.run(write)
        return token, session

    async def load(self, token: str) -> tuple[Session, User | None] | None:
        """The live session for a cookie value (refreshed) and its user; None if there is none.

        A session whose user was disabled or deleted is ended here.
        """
        if not _TOKEN.fullmatch(token):
            return None
        key, now = _key(token), self._clock()

        def read(db: sqlite_utils.Database) -> tuple[Session, User | None] | None:
            rows = list(db.table("sessions").rows_where("id = ? AND expires_at > ?", [key, stamp(now)]))
            if not rows:
                return None
            row = rows[0]
            user = None
            if row["username"] is not None:
                found = users.find(db, row["username"])
                if found is None or found[0].disabled:
                    db.execute("DELETE FROM sessions WHERE id = ?", [key])
                    return None
                user = found[0]
            expires = parse_stamp(row["expires_at"])
            # Use moves the end on by IDLE, never past the absolute end.
            renewed = min(now + IDLE, parse_stamp(row["created_at"]) + self._lifetime)
            if renewed - expires >= _REFRESH_STEP:
                expires = renewed
                db.table("sessions").update(key, {"expires_at": stamp(expires)})
            return Session(key, row["username"], row["csrf_token"], expires), user

        return await self._db.run(read)

    async def end(self, session: Session) -> None:
        def delete(db: sqlite_utils.Database) -> None:
            db.execute("DELETE FROM sessions WHERE id = ?", [session.key])

        await self._db.run(delete)

    async def purge(self) -> None:
        """Delete expired sessions."""
        now = stamp(self._clock())

        def delete(db: sqlite_utils.Database) -> None:
            db.execute("DELETE FROM sessions WHERE expires_at <= ?", [now])

        await self._db.run(delete)
