"""Desk users: who may log in, with which role; what a new user must be; the `ivr users` commands.

The rows are store/users.py's. The desk (ivr/web/admin_users.py) checks a
new user with `new_user_problems` and writes through the writer thread; the
commands below work on the database file with their own connection, and the
actor in the audit log is the OS user.
"""

from __future__ import annotations

import re
from collections.abc import Collection

from ivr.admin.passwords import hash_password, policy_problems
from ivr.admin.problems import InvalidInput, NoSuchUser, UserExists
from ivr.kb.article import SLUG
from ivr.store import audit
from ivr.store import users as rows
from ivr.store.desk_schema import transaction
from ivr.store.engine import Target
from ivr.store.stamps import utc_now
from ivr.store.users import ROLES, User

# The first character is a letter or digit: ".." would be a path segment in /admin/users/<name>/...
_USERNAME = re.compile(r"[a-z0-9][a-z0-9._-]{1,31}")
_DISPLAY_MAX = 60


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
    department: str | None = None,
    known_departments: Collection[str] | None = None,
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
    if role == "editor" and not department:
        problems.append(
            "상담 DB 편집자는 담당 부서가 필요합니다(예: tax). · An editor needs a department (e.g. tax)."
        )
    if role == "department" and not department:
        problems.append(
            "부서 민원 담당자는 담당 부서가 필요합니다(예: road). · A department user needs a department."
        )
    if (
        role == "department"
        and department
        and known_departments is not None
        and department not in known_departments
    ):
        problems.append(
            f"부서 '{department[:40]}'는 config.yaml의 cases.departments에 없습니다. · "
            f"Department '{department[:40]}' is not among config.yaml's cases.departments."
        )
    if department and not SLUG.match(department):
        problems.append(
            f"부서 '{department[:40]}'는 영문 소문자, 숫자, 하이픈으로 적어 주십시오(예: civil-affairs). · "
            "A department is lower-case letters, digits and hyphens (e.g. civil-affairs)."
        )
    return problems + policy_problems(password)


# The `ivr users ...` commands: sync, on the database file, actor = the OS user.


def add_user(
    db_path: Target,
    username: str,
    display_name: str,
    role: str,
    password: str,
    *,
    counselor_id: str | None = None,
    known_counselors: Collection[str] | None = None,
    actor: str | None = None,
    department: str | None = None,
    known_departments: Collection[str] | None = None,
) -> User:
    """`ivr users add`: InvalidInput (every problem) or UserExists, else the new user."""
    username = normalize_username(username)
    problems = new_user_problems(
        username, display_name, role, password, counselor_id, known_counselors, department, known_departments
    )
    if problems:
        raise InvalidInput(problems)
    hashed = hash_password(password)
    with transaction(db_path) as db:
        who = actor or audit.os_user()
        user = rows.add(
            db,
            utc_now(),
            who,
            username,
            display_name,
            role,
            hashed,
            counselor_id,
            via="cli",
            department=department,
        )
    if user is None:
        raise UserExists(username)
    return user


def set_password(db_path: Target, username: str, password: str, *, actor: str | None = None) -> None:
    """`ivr users passwd`: InvalidInput or NoSuchUser; ends the user's sessions."""
    username = normalize_username(username)
    problems = policy_problems(password)
    if problems:
        raise InvalidInput(problems)
    hashed = hash_password(password)
    with transaction(db_path) as db:
        changed = rows.replace_password(db, utc_now(), actor or audit.os_user(), username, hashed, via="cli")
    if not changed:
        raise NoSuchUser(username)


def disable_user(db_path: Target, username: str, *, actor: str | None = None) -> None:
    """`ivr users disable`: NoSuchUser, else the user can no longer log in and is logged out."""
    _set_disabled(db_path, normalize_username(username), True, actor)


def enable_user(db_path: Target, username: str, *, actor: str | None = None) -> None:
    """Undo `disable_user` (the user keeps the password they had)."""
    _set_disabled(db_path, normalize_username(username), False, actor)


def list_users(db_path: Target, *, actor: str | None = None) -> list[User]:
    """`ivr users list`: every user, by username (the listing is audited: it shows people's data)."""
    with transaction(db_path) as db:
        users = rows.all_users(db)
        audit.record(db, utc_now(), actor or audit.os_user(), "users_listed", "", "via=cli")
    return users


def _set_disabled(db_path: Target, username: str, disabled: bool, actor: str | None) -> None:
    with transaction(db_path) as db:
        found = rows.set_disabled(db, utc_now(), actor or audit.os_user(), username, disabled, via="cli")
    if not found:
        raise NoSuchUser(username)
