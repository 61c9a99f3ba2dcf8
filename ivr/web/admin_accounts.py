"""/admin/users/<name>/...: an administrator resets a password, unlocks an account, changes a role.

Each is audited in the same transaction as its change (store/users.py,
store/login_attempts.py); a new password or a new role ends the user's
sessions, so the old rights do not linger in an open tab.
"""

from __future__ import annotations

import asyncio

from aiohttp import web

from ivr.admin.passwords import hash_password, policy_problems
from ivr.admin.problems import InvalidInput, NoSuchUser
from ivr.store import login_attempts
from ivr.store import users as user_rows
from ivr.store.users import ROLES
from ivr.web.access import allow
from ivr.web.admin_users import acting_username, back, target
from ivr.web.context import DESK, client_ip


@allow("admin")
async def reset_password(request: web.Request) -> web.StreamResponse:
    """A new password chosen by the administrator (the user is told it in person)."""
    desk, username = request.app[DESK], target(request)
    data = await request.post()
    password, again = str(data.get("password", "")), str(data.get("password_again", ""))
    problems = policy_problems(password)
    if password != again:
        problems.append("두 비밀번호가 서로 다릅니다. · The two passwords differ.")
    if problems:
        raise InvalidInput(problems)
    hashed = await asyncio.to_thread(hash_password, password)
    actor, ip, now = acting_username(request), client_ip(request), desk.clock()

    if not await desk.db.run(lambda db: login_attempts.password_reset(db, now, actor, username, hashed, ip)):
        raise NoSuchUser(username)
    return back("password", username)


@allow("admin")
async def unlock_user(request: web.Request) -> web.StreamResponse:
    desk, username = request.app[DESK], target(request)
    actor, ip, now = acting_username(request), client_ip(request), desk.clock()
    if await desk.db.run(lambda db: user_rows.find(db, username)) is None:
        raise NoSuchUser(username)
    await desk.db.run(lambda db: login_attempts.unlock(db, now, actor, username, ip))
    return back("unlocked", username)


@allow("admin")
async def change_role(request: web.Request) -> web.StreamResponse:
    desk, username = request.app[DESK], target(request)
    role = str((await request.post()).get("role", ""))
    if role not in ROLES:
        raise InvalidInput(
            [f"역할은 {', '.join(ROLES)} 중 하나여야 합니다. · The role must be one of {', '.join(ROLES)}."]
        )
    actor, ip, now = acting_username(request), client_ip(request), desk.clock()
    if username == actor and role != "admin":
        raise InvalidInput(
            [
                "자기 계정의 관리자 역할은 내려놓을 수 없습니다. 다른 관리자에게 요청해 주십시오. · "
                "You cannot remove your own administrator role; please ask another administrator."
            ]
        )
    if await desk.db.run(lambda db: user_rows.set_role(db, now, actor, username, role, ip=ip)) is None:
        raise NoSuchUser(username)
    return back("role", username)


def add_routes(app: web.Application) -> None:
    app.router.add_post("/admin/users/{username}/password", reset_password)
    app.router.add_post("/admin/users/{username}/unlock", unlock_user)
    app.router.add_post("/admin/users/{username}/role", change_role)
