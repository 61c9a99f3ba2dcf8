"""Passwords are scrypt hashes, never plain text; the `ivr users` functions and their audit rows."""

from __future__ import annotations

import getpass
import os
import unicodedata
from pathlib import Path

import pytest
import sqlite_utils

from ivr.admin import users
from ivr.admin.passwords import hash_password, verify_password
from ivr.admin.problems import InvalidInput, NoSuchUser, UserExists
from tests.web.conftest import PASSWORD, Desk, login


def _rows(path: Path, table: str) -> list[dict[str, object]]:
    db = sqlite_utils.Database(path)
    try:
        return list(db.table(table).rows)
    finally:
        db.close()


def test_given_password_when_hashed_then_scrypt_format_with_random_salt() -> None:
    first, second = hash_password("correct horse battery"), hash_password("correct horse battery")
    assert first != second
    scheme, n, r, p, salt, digest = first.split("$")
    assert (scheme, n, r, p) == ("scrypt", "16384", "8", "1")
    assert len(salt) == 24 and len(digest) == 44  # 16 and 32 bytes, base64
    assert verify_password("correct horse battery", first) and verify_password(
        "correct horse battery", second
    )


@pytest.mark.parametrize(
    "stored",
    [
        "",
        "plain-text-password",
        "scrypt$16384$8$1$!!!$!!!",
        "bcrypt$1$2$3$AAAA$AAAA",
        "scrypt$99999999$8$1$AA==$AA==",
    ],
)
def test_given_malformed_hash_when_verified_then_false(stored: str) -> None:
    assert verify_password("plain-text-password", stored) is False


def test_given_wrong_password_when_verified_then_false() -> None:
    assert verify_password("wrong horse battery", hash_password("correct horse battery")) is False


def test_given_hangul_password_typed_decomposed_when_verified_then_it_matches() -> None:
    composed = "전주시청콜센터2221000"
    assert verify_password(unicodedata.normalize("NFD", composed), hash_password(composed))


async def test_given_users_when_database_file_is_read_then_no_password_in_plain_text(desk: Desk) -> None:
    client = await desk.client()
    assert (await login(client, "qa1")).status == 303
    for row in desk.rows("users"):
        assert str(row["password_hash"]).startswith("scrypt$16384$8$1$")
        assert PASSWORD not in str(row)
    for path in desk.root.iterdir():
        assert PASSWORD.encode() not in path.read_bytes(), path.name


def test_given_nine_character_password_when_add_user_then_refused_in_korean_and_english(
    tmp_path: Path,
) -> None:
    with pytest.raises(InvalidInput) as caught:
        users.add_user(tmp_path / "h.sqlite3", "kim", "김상담", "counselor", "123456789", actor="t")
    assert caught.value.problems == [
        "비밀번호는 10자 이상이어야 합니다. · The password must be at least 10 characters long."
    ]


def test_given_every_field_wrong_when_add_user_then_every_problem_is_listed(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput) as caught:
        users.add_user(
            tmp_path / "h.sqlite3", "-x", " ", "boss", "short", counselor_id="c9", known_counselors={"c1"}
        )
    text = "\n".join(caught.value.problems)
    for expected in ("아이디는", "이름을", "역할은", "상담사 번호 'c9'", "10자 이상"):
        assert expected in text
    assert len(caught.value.problems) == 5


@pytest.mark.parametrize("name", ["a", "..", ".kim", "kim lee", "김상담", "x" * 33, "kim/../admin"])
def test_given_bad_username_when_checked_then_invalid(name: str) -> None:
    assert not users.is_valid_username(name)


def test_given_cli_when_user_added_then_stored_lowercase_hashed_and_audited(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite3"
    user = users.add_user(path, "Kim.Sangdam", "김상담", "counselor", PASSWORD, counselor_id="c1")
    assert user.username == "kim.sangdam" and user.counselor_id == "c1" and not user.disabled
    [row] = _rows(path, "users")
    assert row["password_hash"] != PASSWORD and str(row["password_hash"]).startswith("scrypt$")
    [entry] = _rows(path, "audit")
    assert entry["action"] == "user_added" and entry["target"] == "kim.sangdam"
    assert entry["actor"] in (getpass.getuser(), os.environ.get("SUDO_USER"))
    assert "role=counselor" in str(entry["detail"]) and "via=cli" in str(entry["detail"])


def test_given_existing_username_when_added_again_then_user_exists(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite3"
    users.add_user(path, "kim", "김상담", "counselor", PASSWORD, actor="t")
    with pytest.raises(UserExists, match="이미 사용 중"):
        users.add_user(path, "KIM", "김상담", "qa", PASSWORD, actor="t")


def test_given_cli_when_password_set_then_old_fails_new_works_and_sessions_end(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite3"
    users.add_user(path, "kim", "김상담", "counselor", PASSWORD, actor="t")
    db = sqlite_utils.Database(path)
    db.table("sessions").insert(
        {"id": "x", "username": "kim", "csrf_token": "t", "created_at": "2026", "expires_at": "2099"}
    )
    db.close()
    users.set_password(path, "kim", "a-brand-new-password", actor="t")
    [row] = _rows(path, "users")
    assert not verify_password(PASSWORD, str(row["password_hash"]))
    assert verify_password("a-brand-new-password", str(row["password_hash"]))
    assert _rows(path, "sessions") == []
    assert [e["action"] for e in _rows(path, "audit")] == ["user_added", "password_set"]
    with pytest.raises(InvalidInput):
        users.set_password(path, "kim", "short", actor="t")
    with pytest.raises(NoSuchUser):
        users.set_password(path, "lee", "a-brand-new-password", actor="t")


def test_given_cli_when_user_disabled_then_listed_as_disabled_and_audited(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite3"
    users.add_user(path, "kim", "김상담", "counselor", PASSWORD, actor="t")
    users.add_user(path, "admin", "관리자", "admin", PASSWORD, actor="t")
    users.disable_user(path, "kim", actor="t")
    listed = users.list_users(path, actor="t")
    assert [(u.username, u.disabled) for u in listed] == [("admin", False), ("kim", True)]
    users.enable_user(path, "kim", actor="t")
    actions = [e["action"] for e in _rows(path, "audit")]
    assert actions == ["user_added", "user_added", "user_disabled", "users_listed", "user_enabled"]
    with pytest.raises(NoSuchUser):
        users.disable_user(path, "nobody", actor="t")
