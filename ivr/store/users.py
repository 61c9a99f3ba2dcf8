"""Desk users' rows: who may log in, with which role.

The functions take a sqlite_utils.Database and run inside the caller's
transaction: the server calls them through the writer thread
(`await db.run(...)`), the `ivr users` commands (ivr/admin/users.py) on their
own connection. A change and its audit row are written together. Hashing a
password (about 50 ms) is done before, never inside a write. A missing or
taken username is answered with None or False, not an exception: Database.run
turns any exception into StoreError, and the callers say what went wrong.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlite_utils

from ivr.store import audit
from ivr.store.stamps import stamp

ROLES: dict[str, str] = {
    "admin": "시스템 관리자 · Administrator",
    "supervisor": "슈퍼바이저 · Supervisor",
    "qa": "품질 평가 담당 · QA",
    "counselor": "상담사 · Counselor",
    "voice": "안내 음성 담당 · Voice (prompt studio)",
    # Edits the knowledge base's articles of one department (users.department).
    "editor": "상담 DB 편집자 · Knowledge base editor",
    # Answers the 민원 cases of one department (users.department): docs/cases.md.
    "department": "부서 민원 담당자 · Department case officer",
}


@dataclass(frozen=True)
class User:
    """A desk user as pages see it (never with the password hash)."""

    username: str
    display_name: str
    role: str
    counselor_id: str | None
    disabled: bool
    created_at: str
    last_login_at: str | None
    password_changed_at: str
    department: str | None = None  # an editor's articles, a department user's cases
    language: str = "ko"  # the desk's language: Korean, or English where the user chose it

    @property
    def english(self) -> bool:
        return self.language == "en"

    @property
    def role_name(self) -> str:
        return ROLES.get(self.role, self.role)


def _user(row: dict[str, Any]) -> User:
    return User(
        username=row["username"],
        display_name=row["display_name"],
        role=row["role"],
        counselor_id=row["counselor_id"] or None,
        disabled=bool(row["disabled"]),
        created_at=row["created_at"],
        last_login_at=row["last_login_at"],
        password_changed_at=row["password_changed_at"],
        department=row.get("department") or None,
        language="en" if row.get("language") == "en" else "ko",
    )


def _detail(*parts: str | None) -> str:
    return " ".join(p for p in parts if p)


def find(db: sqlite_utils.Database, username: str) -> tuple[User, str] | None:
    """The user and their password hash, or None."""
    rows = list(db.table("users").rows_where("username = ?", [username]))
    return (_user(rows[0]), rows[0]["password_hash"]) if rows else None


def all_users(db: sqlite_utils.Database) -> list[User]:
    return [_user(row) for row in db.table("users").rows_where(order_by="username")]


def add(
    db: sqlite_utils.Database,
    at: datetime,
    actor: str,
    username: str,
    display_name: str,
    role: str,
    password_hash: str,
    counselor_id: str | None = None,
    *,
    ip: str | None = None,
    via: str | None = None,
    department: str | None = None,
) -> User | None:
    """Add a validated user, audited as `actor`'s (`via`: "cli" for a command); None if the name is taken."""
    if find(db, username) is not None:
        return None
    row = {
        "username": username,
        "display_name": display_name.strip(),
        "role": role,
        "counselor_id": counselor_id or None,
        "department": department or None,
        "password_hash": password_hash,
        "disabled": 0,
        "created_at": stamp(at),
        "last_login_at": None,
        "password_changed_at": stamp(at),
    }
    db.table("users").insert(row)
    detail = f"role={role}" + (f" counselor_id={counselor_id}" if counselor_id else "")
    detail += f" department={department}" if department else ""
    audit.record(db, at, actor, "user_added", username, _detail(detail, via and f"via={via}"), ip)
    return _user(row)


def set_disabled(
    db: sqlite_utils.Database,
    at: datetime,
    actor: str,
    username: str,
    disabled: bool,
    *,
    ip: str | None = None,
    via: str | None = None,
) -> bool:
    """Disable (ending every session of the user at once) or enable a user, audited; False if no such user."""
    if find(db, username) is None:
        return False
    db.table("users").update(username, {"disabled": int(disabled)})
    if disabled:
        db.execute("DELETE FROM sessions WHERE username = ?", [username])
    action = "user_disabled" if disabled else "user_enabled"
    audit.record(db, at, actor, action, username, _detail(via and f"via={via}"), ip)
    return True


def replace_password(
    db: sqlite_utils.Database,
    at: datetime,
    actor: str,
    username: str,
    password_hash: str,
    *,
    via: str,
    ip: str | None = None,
) -> bool:
    """Store a new hash and end the user's sessions (a stolen one dies with the old password), audited.

    False if there is no such user."""
    if find(db, username) is None:
        return False
    db.table("users").update(username, {"password_hash": password_hash, "password_changed_at": stamp(at)})
    db.execute("DELETE FROM sessions WHERE username = ?", [username])
    audit.record(db, at, actor, "password_set", username, f"via={via}", ip)
    return True


def set_language(db: sqlite_utils.Database, username: str, language: str) -> None:
    """The user's choice of the desk's language ("ko" or "en"); a preference, not audited."""
    db.table("users").update(username, {"language": "en" if language == "en" else "ko"})


def set_role(
    db: sqlite_utils.Database, at: datetime, actor: str, username: str, role: str, *, ip: str | None
) -> str | None:
    """A new role, audited with the old one; the user's sessions end (pages and rights change
    at once). The old role; None if no such user."""
    found = find(db, username)
    if found is None:
        return None
    old = found[0].role
    db.table("users").update(username, {"role": role})
    db.execute("DELETE FROM sessions WHERE username = ?", [username])
    audit.record(db, at, actor, "role_changed", username, f"{old}->{role}", ip)
    return old


def mark_login(db: sqlite_utils.Database, at: datetime, username: str) -> None:
    db.table("users").update(username, {"last_login_at": stamp(at)})
