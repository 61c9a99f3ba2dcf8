"""GET/POST /login and POST /logout, with rate limiting and an audit row for each."""

from __future__ import annotations

import asyncio
import math
from datetime import datetime
from urllib.parse import urlsplit

from aiohttp import web

from ivr.admin.passwords import dummy_hash, verify_password
from ivr.admin.problems import TooManyAttempts
from ivr.admin.users import normalize_username
from ivr.store import audit, login_attempts
from ivr.store import users as user_rows
from ivr.store.users import User
from ivr.web.access import logged_in, public
from ivr.web.context import DESK, SESSION, client_ip, session_of, user_of
from ivr.web.cookies import clear_cookie, set_cookie
from ivr.web.pages import render, see_other

WRONG = "아이디 또는 비밀번호가 맞지 않습니다. · The username or password is wrong."
DISABLED = (
    "사용이 중지된 계정입니다. 관리자에게 문의해 주십시오. · "
    "This account is disabled; please contact an administrator."
)


def safe_next(value: str | None) -> str:
    """A local path to go to after log-in; '/' for anything that could leave the site."""
    if not value or len(value) > 2000 or not value.startswith("/") or value.startswith("//"):
        return "/"
    if "\\" in value or any(ord(c) < 0x20 or ord(c) == 0x7F for c in value):
        return "/"  # browsers read '/\evil.example' and '/\t/evil.example' as other hosts
    parts = urlsplit(value)
    if parts.scheme or parts.netloc or parts.path in ("/login", "/logout"):
        return "/"
    return value


@public
async def login_page(request: web.Request) -> web.StreamResponse:
    desk = request.app[DESK]
    target = safe_next(request.query.get("next"))
    if user_of(request) is not None:
        return see_other(target)
    if session_of(request) is not None:
        return _form(request, target)
    # A pre-login session carries the form's CSRF token; log-in replaces it.
    token, request[SESSION] = await desk.sessions.create(
        None, client_ip(request), request.headers.get("User-Agent", "")
    )
    response = _form(request, target)
    set_cookie(response, token, request.secure)
    return response


@public
async def login_submit(request: web.Request) -> web.StreamResponse:
    desk = request.app[DESK]
    form = await request.post()
    username = normalize_username(str(form.get("username", "")))[:64]
    password = str(form.get("password", ""))
    target = safe_next(str(form.get("next", "")) or None)
    async with desk.login_turns.turn(username, client_ip(request)):
        return await _attempt(request, username, password, target)


async def _attempt(request: web.Request, username: str, password: str, target: str) -> web.StreamResponse:
    desk = request.app[DESK]
    ip, now = client_ip(request), desk.clock()

    until = await desk.db.run(lambda db: login_attempts.refused(db, now, username, ip))
    if until is not None:
        return _again(request, username, target, _locked(request, until, now), 429)

    found = await desk.db.run(lambda db: user_rows.find(db, username))
    stored = found[1] if found else dummy_hash()
    matches = await asyncio.to_thread(verify_password, password, stored)
    if found is None or not matches or found[0].disabled:
        reason = "unknown user" if found is None else "wrong password" if not matches else "disabled"
        return await _failed(request, username, target, reason)
    return await _succeeded(request, found[0], target)


async def _failed(request: web.Request, username: str, target: str, reason: str) -> web.StreamResponse:
    desk = request.app[DESK]
    ip, now = client_ip(request), desk.clock()

    if await desk.db.run(lambda db: login_attempts.failed(db, now, username, ip, reason)):
        return _again(request, username, target, _locked(request, now + login_attempts.LOCK, now), 429)
    return _again(request, username, target, DISABLED if reason == "disabled" else WRONG, 401)


async def _succeeded(request: web.Request, user: User, target: str) -> web.StreamResponse:
    desk = request.app[DESK]
    ip, now = client_ip(request), desk.clock()
    # A new id at log-in: a session id planted before it (fixation) is worth nothing after.
    token, _ = await desk.sessions.create(
        user.username, ip, request.headers.get("User-Agent", ""), replacing=session_of(request)
    )

    await desk.db.run(lambda db: login_attempts.succeeded(db, now, user.username, user.role, ip))
    await desk.sessions.purge()
    response = see_other(target)
    set_cookie(response, token, request.secure)
    return response


def _again(request: web.Request, username: str, target: str, error: str, status: int) -> web.Response:
    return _form(request, target, username, error, status)


def _form(
    request: web.Request, target: str, username: str = "", error: str | None = None, status: int = 200
) -> web.Response:
    """The log-in form; where browsers' softphones are set up, with the center's CA to download."""
    has_ca = request.app[DESK].softphone is not None
    return render(
        request, "login.html", status=status, next=target, username=username, error=error, softphone_ca=has_ca
    )


@logged_in
async def logout(request: web.Request) -> web.StreamResponse:
    desk = request.app[DESK]
    session, user = session_of(request), user_of(request)
    if session is not None:
        await desk.sessions.end(session)
    if user is not None:
        name, ip, now = user.username, client_ip(request), desk.clock()
        await desk.db.run(lambda db: audit.record(db, now, name, "logout", name, "", ip))
    response = see_other("/login")
    clear_cookie(response, request.secure)
    return response


def _locked(request: web.Request, until: datetime, now: datetime) -> str:
    """The lock's message, with the local time it ends (HH:MM)."""
    at = until.astimezone(request.app[DESK].timezone).strftime("%H:%M")
    return TooManyAttempts(minutes_left(until, now), at).message


def minutes_left(until: datetime, now: datetime) -> int:
    return max(1, math.ceil((until - now).total_seconds() / 60))
