"""Log-in, sessions, cookies, rate limiting, `next`, and their audit rows."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from http.cookies import SimpleCookie
from zoneinfo import ZoneInfo

import pytest
from aiohttp import web
from multidict import CIMultiDictProxy

from ivr.web.cookies import COOKIE, set_cookie
from ivr.web.login import safe_next
from tests.web.conftest import PASSWORD, Desk, csrf_in, csrf_of, login, session_cookie


def _set_cookie_header(headers: CIMultiDictProxy[str]) -> str:
    values = [v for v in headers.getall("Set-Cookie", []) if v.startswith(COOKIE + "=")]
    assert len(values) == 1, values
    return values[0]


async def test_given_right_password_when_login_then_home_shows_who_and_role(desk: Desk) -> None:
    client = await desk.client()
    response = await login(client, "couns1")
    assert response.status == 303 and response.headers["Location"] == "/"
    home = await (await client.get("/")).text()
    assert "counselor 담당" in home and "couns1" in home and "· 상담사</span>" in home  # Korean only
    me = await (await client.get("/api/me")).json()
    assert me == {
        "username": "couns1",
        "display_name": "counselor 담당",
        "role": "counselor",
        "counselor_id": "c1",
    }


async def test_given_uppercase_username_when_login_then_it_is_the_same_user(desk: Desk) -> None:
    client = await desk.client()
    assert (await login(client, "  Couns1 ")).status == 303


@pytest.mark.parametrize(("username", "password"), [("couns1", "wrong-password"), ("nobody", PASSWORD)])
async def test_given_wrong_credentials_when_login_then_refused_with_one_message(
    desk: Desk, username: str, password: str
) -> None:
    client = await desk.client()
    response = await login(client, username, password)
    assert response.status == 401
    text = await response.text()
    assert "아이디 또는 비밀번호가 맞지 않습니다" in text and "username or password is wrong" in text
    assert (await client.get("/", allow_redirects=False)).status == 303
    [row] = desk.audit("login_failed")
    assert row["target"] == username and row["ip"] == "127.0.0.1"


async def test_given_login_page_when_opened_then_session_cookie_is_httponly_samesite_strict(
    desk: Desk,
) -> None:
    client = await desk.client()
    response = await client.get("/login")
    cookie = SimpleCookie(_set_cookie_header(response.headers))[COOKIE]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Strict"
    assert cookie["path"] == "/"
    assert not cookie["secure"]  # plain http here; see the https case below
    assert not cookie["max-age"] and not cookie["expires"]


async def test_given_login_when_it_succeeds_then_the_new_cookie_has_the_same_flags(desk: Desk) -> None:
    client = await desk.client()
    response = await login(client, "qa1")
    cookie = SimpleCookie(_set_cookie_header(response.headers))[COOKIE]
    assert cookie["httponly"] is True and cookie["samesite"] == "Strict" and cookie["path"] == "/"


def test_given_https_request_when_cookie_set_then_it_is_secure() -> None:
    response = web.Response()
    set_cookie(response, "token", secure=True)
    cookie = response.cookies[COOKIE]
    assert cookie["secure"] is True and cookie["httponly"] is True and cookie["samesite"] == "Strict"


async def test_given_pre_login_session_when_login_then_session_id_changes_and_old_one_is_dead(
    desk: Desk,
) -> None:
    client = await desk.client()
    await client.get("/login")
    before = session_cookie(client)
    assert before is not None
    assert (await login(client, "super1")).status == 303
    after = session_cookie(client)
    assert after is not None and after != before
    assert (await client.get("/", allow_redirects=False)).status == 200
    planted = await desk.client()
    response = await planted.get("/", headers={"Cookie": f"{COOKIE}={before}"}, allow_redirects=False)
    assert response.status == 303
    assert len(desk.rows("sessions")) == 1  # only the logged-in one


async def test_given_session_fixed_by_attacker_when_victim_logs_in_then_attacker_gets_nothing(
    desk: Desk,
) -> None:
    attacker = await desk.client()
    await attacker.get("/login")
    fixed = session_cookie(attacker)
    victim = await desk.client()
    victim.session.cookie_jar.update_cookies({COOKIE: fixed or ""}, victim.make_url("/"))
    assert (await login(victim, "admin1")).status == 303
    assert (await attacker.get("/", allow_redirects=False)).status == 303


async def test_given_logged_in_when_logout_then_session_is_deleted_and_cookie_no_longer_works(
    desk: Desk,
) -> None:
    client = await desk.logged_in("qa")
    token = session_cookie(client)
    response = await client.post("/logout", data={"csrf_token": await csrf_of(client)}, allow_redirects=False)
    assert response.status == 303 and response.headers["Location"] == "/login"
    assert desk.rows("sessions", "username = ?", ["qa1"]) == []
    replay = await desk.client()
    response = await replay.get("/", headers={"Cookie": f"{COOKIE}={token}"}, allow_redirects=False)
    assert response.status == 303
    [row] = desk.audit("logout")
    assert row["actor"] == "qa1" and row["ip"] == "127.0.0.1"


async def test_given_eight_idle_hours_when_request_then_login_again(desk: Desk) -> None:
    client = await desk.logged_in("qa")
    desk.clock.advance(hours=8, seconds=1)
    assert (await client.get("/", allow_redirects=False)).status == 303


async def test_given_use_every_five_hours_then_alive_until_twelve_hours_after_log_in(desk: Desk) -> None:
    # Idle for less than 8 hours each time, but the absolute lifetime (web.session_max_hours) ends it.
    client = await desk.logged_in("qa")
    statuses = []
    for _ in range(3):
        desk.clock.advance(hours=5)
        statuses.append((await client.get("/", allow_redirects=False)).status)
    assert statuses == [200, 200, 303]


async def test_given_five_failures_when_right_password_then_refused_for_fifteen_minutes(desk: Desk) -> None:
    client = await desk.client()
    statuses = [(await login(client, "qa1", "wrong-password")).status for _ in range(5)]
    assert statuses == [401, 401, 401, 401, 429]
    response = await login(client, "qa1")
    assert response.status == 429
    text = await response.text()
    # It says when it opens again, on the center's clock, and who can open it sooner.
    until = (desk.clock() + timedelta(minutes=15)).astimezone(ZoneInfo("Asia/Seoul")).strftime("%H:%M")
    assert f"{until}에 풀립니다(약 15분 뒤)" in text and f"at {until} (in about 15 minute" in text
    assert "관리자에게 잠금 해제를 요청" in text
    assert len(desk.audit("login_failed")) == 5
    [lock] = desk.audit("lockout")
    assert lock["target"] == "user:qa1" and lock["ip"] == "127.0.0.1"
    [refused] = desk.audit("login_refused")
    assert refused["target"] == "qa1"
    desk.clock.advance(minutes=14)
    assert (await login(client, "qa1")).status == 429
    desk.clock.advance(minutes=1, seconds=1)
    assert (await login(client, "qa1")).status == 303


async def test_given_one_user_locked_when_another_user_logs_in_from_same_address_then_allowed(
    desk: Desk,
) -> None:
    client = await desk.client()
    for _ in range(5):
        await login(client, "qa1", "wrong-password")
    assert (await login(client, "super1")).status == 303


async def test_given_four_failures_then_success_when_four_more_failures_then_not_locked(desk: Desk) -> None:
    client = await desk.client()
    for _ in range(4):
        assert (await login(client, "qa1", "wrong-password")).status == 401
    assert (await login(client, "qa1")).status == 303
    other = await desk.client()
    for _ in range(4):
        assert (await login(other, "qa1", "wrong-password")).status == 401
    assert (await login(other, "qa1")).status == 303
    assert desk.audit("lockout") == []


async def test_given_twenty_failures_from_one_office_address_then_colleagues_still_log_in(desk: Desk) -> None:
    # One office, one address: twenty mistyped names lock no colleague out of the center.
    client = await desk.client()
    statuses = [(await login(client, f"guess{i}", "wrong-password")).status for i in range(20)]
    assert statuses == [401] * 20
    assert (await login(client, "admin1")).status == 303
    assert desk.audit("lockout") == []


async def test_given_disabled_user_when_right_password_then_told_account_is_disabled(desk: Desk) -> None:
    admin = await desk.logged_in("admin")
    await admin.post("/admin/users/qa1/disable", data={"csrf_token": await csrf_of(admin)})
    client = await desk.client()
    response = await login(client, "qa1")
    assert response.status == 401
    assert "사용이 중지된 계정입니다" in await response.text()
    assert desk.audit("login_failed")[-1]["detail"] == "disabled"


@pytest.mark.parametrize(
    "target",
    [
        "//evil.example/",
        "https://evil.example/",
        "http:evil.example",
        "/\\evil.example",
        "\\\\evil.example",
        "/\t/evil.example",
        "/\r\nSet-Cookie: x=1",
        "javascript:alert(1)",
        "evil.example",
        "///evil.example",
        "/login",
    ],
)
async def test_given_next_leaving_the_site_when_login_then_home_instead(desk: Desk, target: str) -> None:
    client = await desk.client()
    response = await login(client, "admin1", next_=target)
    assert response.status == 303
    assert response.headers["Location"] == "/"


async def test_given_local_next_when_login_then_back_to_that_page(desk: Desk) -> None:
    client = await desk.client()
    first = await client.get("/admin/users?done=added&user=qa1", allow_redirects=False)
    assert first.headers["Location"] == "/login?next=%2Fadmin%2Fusers%3Fdone%3Dadded%26user%3Dqa1"
    response = await login(client, "admin1", next_="/admin/users?done=added&user=qa1")
    assert response.headers["Location"] == "/admin/users?done=added&user=qa1"


async def test_given_logged_in_when_login_page_with_foreign_next_then_home(desk: Desk) -> None:
    client = await desk.logged_in("qa")
    response = await client.get("/login", params={"next": "//evil.example"}, allow_redirects=False)
    assert response.status == 303 and response.headers["Location"] == "/"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, "/"),
        ("", "/"),
        ("/qa?date=2026-03-02", "/qa?date=2026-03-02"),
        ("//evil.example", "/"),
        ("/\\evil.example", "/"),
        ("/\x00x", "/"),
        ("https://evil.example", "/"),
        ("/" + "a" * 3000, "/"),
    ],
)
def test_given_next_value_when_checked_then_only_local_paths_pass(value: str | None, expected: str) -> None:
    assert safe_next(value) == expected


async def test_given_successful_login_when_audited_then_row_has_user_role_and_ip(desk: Desk) -> None:
    await desk.logged_in("supervisor")
    [row] = desk.audit("login")
    assert row["actor"] == "super1" and row["target"] == "super1"
    assert row["detail"] == "role=supervisor" and row["ip"] == "127.0.0.1"
    assert desk.rows("users", "username = ?", ["super1"])[0]["last_login_at"] == "2026-03-02T00:00:00+00:00"


async def test_given_any_page_when_served_then_it_cannot_be_framed_or_cached(desk: Desk) -> None:
    client = await desk.client()
    response = await client.get("/login")
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert '<html lang="ko" ' in await response.text()  # Korean first, whatever the user's language toggle


async def test_given_burst_of_parallel_wrong_passwords_when_checked_then_at_most_five_are_tried(
    desk: Desk,
) -> None:
    client = await desk.client()
    page = await client.get("/login")
    form = {"csrf_token": csrf_in(await page.text()), "username": "qa1", "password": "wrong-password"}
    responses = await asyncio.gather(
        *(client.post("/login", data=form, allow_redirects=False) for _ in range(12))
    )
    assert sorted(r.status for r in responses) == [401] * 4 + [429] * 8
    assert len(desk.audit("login_failed")) == 5
