"""Desk users: who may log in, with which role; and the `ivr users` commands.

The row functions take a sqlite_utils.Database and run inside the caller's
transaction: the server calls them through the writer thread
(`await db.run(...)`), the commands below on their own connection. Hashing
a password (about 50 ms) is done before, never inside a write. Database.run
turns any exception into StoreError, so server code checks with `find`
first rather than relying on UserExists / NoSuchUser from inside a write.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import sqlite_utils

from ivr.admin.passwords import hash_password, policy_problems
from ivr.store import audit
from ivr.store.desk_schema import open_file
from ivr.store.stamps import stamp, utc_now
from ivr.web.problems import InvalidInput, NoSuchUser, UserExists

ROLES: dict[str, str] = {
    "admin": "시스템 관리자 · Administrator",
    "supervisor": "슈퍼바이저 · Supervisor",
    "qa": "품질 평가 담당 · QA",
    "counselor": "상담사 · Counselor",
}
# The first character is a letter or digit: ".." would be a path segment in /admin/users/<name>/...
_USERNAME = re.compile(r"[a-z0-9][a-z0-9._-]{1,31}")
_DISPLAY_MAX = 60


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

    @property
    def role_name(self) -> str:
        return ROLES.get(self.role, self.role)


def normalize_username(text: str) -> str:
    """Usernames are lowercase; what people type is forgiven its case and spaces."""
    return text.strip().lower()


def is_valid_username(username: str) -> bool:
    return _USERNAME.fullmatch(username) is not None


def new_user_problems(
    username: str,
    display_name: str,
    role: str,
    password: str,
    counselor_id: str | None = None,
    known_counselors: Collection[str] | None = None,
) -> list[str]:
    """Every problem with a new user's fields (username already normalized), Korean · English."""
    problems = []
    if not is_valid_username(username):
        problems.append(
            "아이디는 영문 소문자, 숫자, 점(.), 밑줄(_), 하이픈(-)으로 2~32자이며 "
            "영문 소문자나 숫자로 시작해야 합니다. · "
            "The username must be 2 to 32 characters of a-z, 0-9, '.', '_', '-', "
            "starting with a letter or digit."
        )
    if not display_name.strip() or len(display_name.strip()) > _DISPLAY_MAX:
        problems.append(
            f"이름을 1~{_DISPLAY_MAX}자로 입력해 주십시오. · "
            f"Please enter a display name of 1 to {_DISPLAY_MAX} characters."
        )
    if role not in ROLES:
        problems.append(
            f"역할은 {', '.join(ROLES)} 중 하나여야 합니다. · The role must be one of {', '.join(ROLES)}."
        )
    if counselor_id and known_counselors is not None and counselor_id not in known_counselors:
        problems.append(
            f"상담사 번호 '{counselor_id}'는 config.yaml의 counselors에 없습니다. · "
            f"Counselor id '{counselor_id}' is not among config.yaml's counselors."
        )
    return problems + policy_problems(password)


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
    )


def find(db: sqlite_utils.Database, username: str) -> tuple[User, str] | None:
    """The user and their password hash, or None."""
    rows = list(db.table("users").rows_where("username = ?", [username]))
    return (_user(rows[0]), rows[0]["password_hash"]) if rows else None


def all_users(db: sqlite_utils.Database) -> list[User]:
    return [_user(row) for row in db.table("users").rows_where(order_by="username")]


def insert(
    db: sqlite_utils.Database,
    at: datetime,
    username: str,
    display_name: str,
    role: str,
    password_hash: str,
    counselor_id: str | None = None,
) -> User:
    """Add a validated user; UserExists if the username is taken."""
    if find(db, username) is not None:
        raise UserExists(username)
    row = {
        "username": username,
        "display_name": display_name.strip(),
        "role": role,
        "counselor_id": counselor_id or None,
        "password_hash": password_hash,
        "disabled": 0,
        "created_at": stamp(at),
        "last_login_at": None,
        "password_changed_at": stamp(at),
    }
    db.table("users").insert(row)
    return _user(row)


def set_disabled(db: sqlite_utils.Database, username: str, disabled: bool) -> None:
    """Disable (ending every session of the user at once) or enable a user."""
    if find(db, username) is None:
        raise NoSuchUser(username)
    db.table("users").update(username, {"disabled": int(disabled)})
    if disabled:
        db.execute("DELETE FROM sessions WHERE username = ?", [username])


def replace_password(db: sqlite_utils.Database, at: datetime, username: str, password_hash: str) -> None:
    """Store a new hash and end the user's sessions (a stolen one dies with the old password)."""
    if find(db, username) is None:
        raise NoSuchUser(username)
    db.table("users").update(username, {"password_hash": password_hash, "password_changed_at": stamp(at)})
    db.execute("DELETE FROM sessions WHERE username = ?", [username])


def mark_login(db: sqlite_utils.Database, at: datetime, username: str) -> None:
    db.table("users").update(username, {"last_login_at": stamp(at)})


# The `ivr users ...` commands: sync, on the database file, actor = the OS user.


def add_user(
    db_path: Path,
    username: str,
    display_name: str,
    role: str,
    password: str,
    *,
    counselor_id: str | None = None,
    known_counselors: Collection[str] | None = None,
    actor: str | None = None,
) -> User:
    """`ivr users add`: InvalidInput (every problem) or UserExists, else the new user."""
    username = normalize_username(username)
    problems = new_user_problems(username, display_name, role, password, counselor_id, known_counselors)
    if problems:
        raise InvalidInput(problems)
    hashed = hash_password(password)
    db = open_file(db_path)
    try:
        with db.atomic():
            now = utc_now()
            user = insert(db, now, username, display_name, role, hashed, counselor_id)
            detail = f"role={role}" + (f" counselor_id={counselor_id}" if counselor_id else "")
            audit.record(db, now, actor or audit.os_user(), "user_added", username, detail + " via=cli")
    finally:
        db.close()
    return user


def set_password(db_path: Path, username: str, password: str, *, actor: str | None = None) -> None:
    """`ivr users passwd`: InvalidInput or NoSuchUser; ends the user's sessions."""
    username = normalize_username(username)
    problems = policy_problems(password)
    if problems:
        raise InvalidInput(problems)
    hashed = hash_password(password)
    db = open_file(db_path)
    try:
        with db.atomic():
            now = utc_now()
            replace_password(db, now, username, hashed)
            audit.record(db, now, actor or audit.os_user(), "password_set", username, "via=cli")
    finally:
        db.close()


def disable_user(db_path: Path, username: str, *, actor: str | None = None) -> None:
    """`ivr users disable`: NoSuchUser, else the user can no longer log in and is logged out."""
    _set_disabled(db_path, normalize_username(username), True, actor)


def enable_user(db_path: Path, username: str, *, actor: str | None = None) -> None:
    """Undo `disable_user` (the user keeps the password they had)."""
    _set_disabled(db_path, normalize_username(username), False, actor)


def list_users(db_path: Path, *, actor: str | None = None) -> list[User]:
    """`ivr users list`: every user, by username (the listing is audited: it shows people's data)."""
    db = open_file(db_path)
    try:
        with db.atomic():
            users = all_users(db)
            audit.record(db, utc_now(), actor or audit.os_user(), "users_listed", "", "via=cli")
    finally:
        db.close()
    return users


def _set_disabled(db_path: Path, username: str, disabled: bool, actor: str | None) -> None:
    db = open_file(db_path)
    try:
        with db.atomic():
            set_disabled(db, username, disabled)
            action = "user_disabled" if disabled else "user_enabled"
            audit.record(db, utc_now(), actor or audit.os_user(), action, username, "via=cli")
    finally:
        db.close()
