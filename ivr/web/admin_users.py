"""/admin/users: the list of desk users; add, disable and enable them (admin only, audited)."""

from __future__ import annotations

import asyncio
from urllib.parse import urlencode

from aiohttp import web

from ivr.admin import users
from ivr.admin.passwords import hash_password
from ivr.admin.problems import Forbidden, InvalidInput, NoSuchUser, UserExists
from ivr.store import login_attempts
from ivr.store import users as user_rows
from ivr.web.access import allow
from ivr.web.context import DESK, client_ip, user_of
from ivr.web.pages import render, see_other

DONE = {
    "added": "'{user}' 사용자를 추가했습니다. · User '{user}' was added.",
    "disabled": "'{user}' 사용자의 사용을 중지했습니다. · User '{user}' was disabled.",
    "enabled": "'{user}' 사용자를 다시 사용하도록 했습니다. · User '{user}' was enabled again.",
    "password": "'{user}' 사용자의 비밀번호를 새로 정했습니다. · A new password was set for '{user}'.",
    "unlocked": "'{user}' 사용자의 로그인 잠금을 풀었습니다. · '{user}' can log in again.",
    "role": "'{user}' 사용자의 역할을 바꿨습니다. · The role of '{user}' was changed.",
}
# A new user is a counselor unless the administrator says otherwise: never an administrator by default.
DEFAULT_ROLE = "counselor"
_FIELDS = ("username", "display_name", "role", "counselor_id", "department")


async def _page(request: web.Request, status: int = 200, **context: object) -> web.Response:
    desk = request.app[DESK]
    now = desk.clock()
    listed = await desk.db.run(user_rows.all_users)
    locked = await desk.db.run(lambda db: login_attempts.locked_until(db, now))
    context.setdefault("form", dict.fromkeys(_FIELDS, "") | {"role": DEFAULT_ROLE})
    context.setdefault("problems", [])
    done, who = request.query.get("done", ""), request.query.get("user", "")
    # Only a real username is echoed: the link cannot be made to say something else.
    notice = DONE[done].format(user=who) if done in DONE and users.is_valid_username(who) else None
    return render(
        request,
        "users.html",
        status=status,
        users=listed,
        counselors=desk.counselors,
        notice=notice,
        locked={name: until.astimezone(desk.timezone).strftime("%H:%M") for name, until in locked.items()},
        **context,
    )


@allow("admin")
async def users_page(request: web.Request) -> web.StreamResponse:
    return await _page(request)


@allow("admin")
async def add_user(request: web.Request) -> web.StreamResponse:
    desk = request.app[DESK]
    data = await request.post()
    form = {name: str(data.get(name, "")).strip() for name in _FIELDS}
    form["username"] = users.normalize_username(form["username"])
    password, again = str(data.get("password", "")), str(data.get("password_again", ""))
    known = set(desk.counselors) if desk.counselors else None
    problems = users.new_user_problems(
        form["username"],
        form["display_name"],
        form["role"],
        password,
        form["counselor_id"] or None,
        known,
        form["department"] or None,
        desk.cases.departments or None,
    )
    if password != again:
        problems.append("두 비밀번호가 서로 다릅니다. · The two passwords differ.")
    if problems:
        return await _page(request, 400, form=form, problems=problems)
    hashed = await asyncio.to_thread(hash_password, password)
    actor, ip, now = acting_username(request), client_ip(request), desk.clock()

    added = await desk.db.run(
        lambda db: user_rows.add(
            db,
            now,
            actor,
            form["username"],
            form["display_name"],
            form["role"],
            hashed,
            form["counselor_id"] or None,
            ip=ip,
            department=form["department"] or None,
        )
    )
    if added is None:
        taken = UserExists(form["username"])
        return await _page(request, taken.status, form=form, problems=[taken.message])
    return back("added", form["username"])


@allow("admin")
async def disable_user(request: web.Request) -> web.StreamResponse:
    username = target(request)
    if username == acting_username(request):
        raise InvalidInput(
            [
                "자기 계정은 사용 중지할 수 없습니다. 다른 관리자에게 요청해 주십시오. · "
                "You cannot disable your own account; please ask another administrator."
            ]
        )
    await _set_disabled(request, username, True)
    return back("disabled", username)


@allow("admin")
async def enable_user(request: web.Request) -> web.StreamResponse:
    username = target(request)
    await _set_disabled(request, username, False)
    return back("enabled", username)


async def _set_disabled(request: web.Request, username: str, disabled: bool) -> None:
    desk = request.app[DESK]
    actor, ip, now = acting_username(request), client_ip(request), desk.clock()
    if not await desk.db.run(lambda db: user_rows.set_disabled(db, now, actor, username, disabled, ip=ip)):
        raise NoSuchUser(username)


def target(request: web.Request) -> str:
    """The username in the path, checked (NoSuchUser for anything that cannot be one)."""
    username = users.normalize_username(request.match_info["username"])
    if not users.is_valid_username(username):
        raise NoSuchUser(username[:40])
    return username


def acting_username(request: web.Request) -> str:
    """Who is doing this (an action's actor in the audit log)."""
    user = user_of(request)
    if user is None:  # the middleware lets no anonymous request reach here
        raise Forbidden()
    return user.username


def back(done: str, username: str) -> web.Response:
    """Back to the list, saying what was done to whom."""
    return see_other("/admin/users?" + urlencode({"done": done, "user": username}))
