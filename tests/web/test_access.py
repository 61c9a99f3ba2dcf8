"""No route without the right role; no state change without the session's CSRF token."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from ivr.store.call_tables import create_schema as calls_schema
from ivr.store.db import Database
from ivr.web.access import allow
from ivr.web.context import DeskDeps
from ivr.web.desk import build_desk
from tests.web.conftest import PASSWORD, USERS, Desk, FakeClock, csrf_of, login
from tests.web.test_cases_desk import CASE_ROUTES
from tests.web.test_kb_desk import KB_ROUTES
from tests.web.test_kb_edit import KB_EDIT_ROUTES
from tests.web.test_live_pages import LIVE_ROUTES
from tests.web.test_qa import QA_ROUTES

ANY = frozenset(USERS)
ADMIN = frozenset({"admin"})
SUPERVISORS = frozenset({"supervisor", "admin"})
# Every protected route of the desk: (method, path as requested, route template, roles allowed).
PROTECTED = [
    ("GET", "/", "/", ANY),
    ("GET", "/api/me", "/api/me", ANY),
    ("POST", "/logout", "/logout", ANY),
    ("GET", "/admin/users", "/admin/users", ADMIN),
    ("POST", "/admin/users", "/admin/users", ADMIN),
    ("POST", "/admin/users/qa1/disable", "/admin/users/{username}/disable", ADMIN),
    ("POST", "/admin/users/qa1/enable", "/admin/users/{username}/enable", ADMIN),
    ("POST", "/admin/users/qa1/password", "/admin/users/{username}/password", ADMIN),
    ("POST", "/admin/users/qa1/unlock", "/admin/users/{username}/unlock", ADMIN),
    ("POST", "/admin/users/qa1/role", "/admin/users/{username}/role", ADMIN),
    ("POST", "/account/language", "/account/language", ANY),
    ("GET", "/reports", "/reports", SUPERVISORS),
    ("GET", "/reports/pilot", "/reports/pilot", SUPERVISORS),
    ("GET", "/reports/export.csv", "/reports/export.csv", SUPERVISORS),
    ("GET", "/protection", "/protection", SUPERVISORS),
    ("POST", "/protection/strikes/clear", "/protection/strikes/clear", SUPERVISORS),
    ("GET", "/protection/report", "/protection/report", SUPERVISORS),
    ("GET", "/protection/report.csv", "/protection/report.csv", SUPERVISORS),
    ("POST", "/protection/report/support", "/protection/report/support", SUPERVISORS),
    ("GET", "/bookings", "/bookings", SUPERVISORS | {"counselor"}),
]
PUBLIC = [("GET", "/login"), ("POST", "/login"), ("GET", "/static/{name}"), ("GET", "/favicon.ico")]
POSTS = [path for method, path, _, _ in PROTECTED if method == "POST"]
WRONG_ROLE = [(m, p, role) for m, p, _, roles in PROTECTED for role in sorted(set(USERS) - roles)]
RIGHT_ROLE = [(m, p, role) for m, p, _, roles in PROTECTED for role in sorted(roles)]
ADD_FORM = {
    "username": "newbie",
    "display_name": "새 상담사",
    "role": "counselor",
    "counselor_id": "c2",
    "password": "a-long-password",
    "password_again": "a-long-password",
}

# What each route that needs a form is sent when it is served.
FORMS = {
    "/admin/users": ADD_FORM,
    "/admin/users/qa1/password": {"password": "a-long-password", "password_again": "a-long-password"},
    "/admin/users/qa1/role": {"role": "supervisor"},
}


def _ids(case: tuple[Any, ...]) -> str:
    return " ".join(str(c) for c in case)


async def test_given_the_desk_when_its_routes_are_listed_then_the_tables_here_cover_every_one(
    desk: Desk,
) -> None:
    app = desk.server.app
    assert app is not None
    routes = {
        (r.method, r.resource.canonical) for r in app.router.routes() if r.method != "HEAD" and r.resource
    }
    tested = {(m, template) for m, _, template, _ in PROTECTED} | set(PUBLIC)
    tested |= {(m, template) for m, _, template, _, _ in LIVE_ROUTES}  # the live pages' own table
    tested |= {(m, template) for m, _, template, _ in QA_ROUTES}  # and QA's
    tested |= {(m, template) for m, _, template, _ in KB_ROUTES}  # and the knowledge base's
    tested |= {(m, template) for m, _, template, _ in KB_EDIT_ROUTES}
    tested |= {(m, template) for m, _, template, _ in CASE_ROUTES}
    assert routes == tested


@pytest.mark.parametrize(
    ("method", "path"), [(m, p) for m, p, _, _ in PROTECTED if not p.startswith("/api/")]
)
async def test_given_no_login_when_page_route_then_redirect_to_login(
    desk: Desk, method: str, path: str
) -> None:
    client = await desk.client()
    response = await client.request(method, path, allow_redirects=False)
    assert response.status == 303
    location = response.headers["Location"]
    assert location.startswith("/login")
    if method == "GET":
        assert location == "/login?next=" + path.replace("/", "%2F")


async def test_given_no_login_when_api_route_then_401_json(desk: Desk) -> None:
    client = await desk.client()
    response = await client.get("/api/me", allow_redirects=False)
    assert response.status == 401
    body = await response.json()
    assert body["error"] == "not-logged-in"
    assert "로그인이 필요합니다" in body["message"] and "Please log in" in body["message"]


@pytest.mark.parametrize(("method", "path", "role"), WRONG_ROLE, ids=_ids)
async def test_given_wrong_role_when_route_then_403(desk: Desk, method: str, path: str, role: str) -> None:
    client = await desk.logged_in(role)
    token = await csrf_of(client)
    response = await client.request(method, path, data={"csrf_token": token}, allow_redirects=False)
    assert response.status == 403
    text = await response.text()
    assert "권한" in text and "role does not allow" in text
    assert desk.rows("users", "username = ?", ["qa1"])[0]["disabled"] == 0


@pytest.mark.parametrize(("method", "path", "role"), RIGHT_ROLE, ids=_ids)
async def test_given_right_role_when_route_then_served(desk: Desk, method: str, path: str, role: str) -> None:
    client = await desk.logged_in(role)
    token = await csrf_of(client)
    data = {"csrf_token": token, **FORMS.get(path, {})}
    response = await client.request(method, path, data=data, allow_redirects=False)
    if method == "GET":
        assert response.status == 200
    elif path.startswith("/protection/"):  # allowed, and refused for the empty form it was sent
        assert response.status == 400 and "alert" in await response.text()
    else:  # post/redirect/get: the change is made and the browser is sent on
        assert response.status == 303, await response.text()
        assert not response.headers["Location"].startswith("/login?")
        followed = await client.get(response.headers["Location"])
        assert followed.status == 200


@pytest.mark.parametrize("path", POSTS)
@pytest.mark.parametrize("token", [None, "", "wrong-token"])
async def test_given_admin_without_valid_csrf_when_post_then_403_and_nothing_changes(
    desk: Desk, path: str, token: str | None
) -> None:
    client = await desk.logged_in("admin")
    data = {**ADD_FORM} if path == "/admin/users" else {}
    if token is not None:
        data["csrf_token"] = token
    response = await client.post(path, data=data, allow_redirects=False)
    assert response.status == 403
    assert "CSRF" in await response.text()
    assert desk.rows("users", "username = ?", ["newbie"]) == []
    assert desk.rows("users", "username = ?", ["qa1"])[0]["disabled"] == 0
    assert (await client.get("/", allow_redirects=False)).status == 200  # not logged out


async def test_given_token_of_another_session_when_post_then_403(desk: Desk) -> None:
    admin, other = await desk.logged_in("admin"), await desk.logged_in("admin")
    foreign = await csrf_of(other)
    response = await admin.post(
        "/admin/users/qa1/disable", data={"csrf_token": foreign}, allow_redirects=False
    )
    assert response.status == 403


async def test_given_token_in_header_when_post_then_accepted(desk: Desk) -> None:
    client = await desk.logged_in("admin")
    token = await csrf_of(client)
    response = await client.post(
        "/admin/users/qa1/disable", headers={"X-CSRF-Token": token}, allow_redirects=False
    )
    assert response.status == 303
    assert desk.rows("users", "username = ?", ["qa1"])[0]["disabled"] == 1


@pytest.mark.parametrize("token", [None, "wrong-token"])
async def test_given_login_form_without_valid_csrf_when_post_login_then_403(
    desk: Desk, token: str | None
) -> None:
    client = await desk.client()
    await client.get("/login")
    data = {"username": "admin1", "password": PASSWORD}
    if token is not None:
        data["csrf_token"] = token
    response = await client.post("/login", data=data, allow_redirects=False)
    assert response.status == 403
    assert desk.audit("login") == []


async def test_given_no_session_at_all_when_post_login_then_403(desk: Desk) -> None:
    client = await desk.client()
    data = {"username": "admin1", "password": PASSWORD, "csrf_token": "x"}
    response = await client.post("/login", data=data, allow_redirects=False)
    assert response.status == 403


async def test_given_unknown_path_when_anonymous_then_login_and_when_logged_in_then_404(desk: Desk) -> None:
    anonymous = await desk.client()
    response = await anonymous.get("/no/such/page", allow_redirects=False)
    assert response.status == 303 and response.headers["Location"].startswith("/login")
    user = await desk.logged_in("qa")
    missing = await user.get("/no/such/page", allow_redirects=False)
    assert missing.status == 404  # the desk's own page, with the header and a way home
    text = await missing.text()
    assert "화면을 찾을 수 없습니다" in text and 'href="/static/desk.css"' in text and 'href="/"' in text


async def test_given_the_language_toggle_then_the_choice_stays_with_the_user(desk: Desk) -> None:
    user = await desk.logged_in("qa")
    assert 'data-english="no"' in await (await user.get("/")).text()  # Korean by default
    token = await csrf_of(user)
    back = await user.post(
        "/account/language",
        data={"language": "en", "next": "/qa", "csrf_token": token},
        allow_redirects=False,
    )
    assert back.status == 303 and back.headers["Location"] == "/qa"
    again = await desk.logged_in("qa")  # a new session, another PC
    assert 'data-english="yes"' in await (await again.get("/")).text()


async def test_given_the_favicon_then_an_icon_for_anyone(desk: Desk) -> None:
    response = await (await desk.client()).get("/favicon.ico")
    assert response.status == 200 and response.headers["Content-Type"] == "image/svg+xml"


async def test_given_static_traversal_when_requested_then_404(desk: Desk) -> None:
    client = await desk.client()
    assert (await client.get("/static/desk.css")).status == 200
    for path in ("/static/..%2Fdesk.py", "/static/%2E%2E%2Fusers.py", "/static/nothing.css"):
        assert (await client.get(path, allow_redirects=False)).status == 404


async def test_given_role_restricted_api_route_when_called_then_401_403_or_200(
    db_path: Path, clock: FakeClock
) -> None:
    @allow("supervisor")
    async def wallboard(request: web.Request) -> web.Response:
        return web.json_response({"waiting": 0})

    db = Database(db_path, calls_schema)
    db.start()
    app = build_desk(DeskDeps(db, clock=clock))
    app.router.add_get("/api/wallboard", wallboard)
    client: TestClient[Any, Any] = TestClient(TestServer(app))
    try:
        await client.start_server()
        response = await client.get("/api/wallboard")
        assert response.status == 401 and (await response.json())["error"] == "not-logged-in"
        assert (await login(client, "couns1")).status == 303
        response = await client.get("/api/wallboard")
        assert response.status == 403 and (await response.json())["error"] == "forbidden"
        assert (await login(client, "super1")).status == 303
        response = await client.get("/api/wallboard")
        assert response.status == 200 and await response.json() == {"waiting": 0}
    finally:
        await client.close()
        db.close()


async def test_given_route_without_access_rule_when_desk_starts_then_it_refuses(
    db_path: Path, clock: FakeClock
) -> None:
    async def forgotten(request: web.Request) -> web.Response:
        return web.Response(text="open to all?")

    db = Database(db_path, calls_schema)
    db.start()
    app = build_desk(DeskDeps(db, clock=clock))
    app.router.add_get("/forgotten", forgotten)
    client: TestClient[Any, Any] = TestClient(TestServer(app))
    try:
        with pytest.raises(RuntimeError, match="GET /forgotten"):
            await client.start_server()
    finally:
        await client.close()
        db.close()


async def test_given_database_without_desk_tables_when_desk_starts_then_it_adds_them(
    tmp_path: Path, clock: FakeClock
) -> None:
    db = Database(tmp_path / "calls-only.sqlite3", calls_schema)
    db.start()
    client: TestClient[Any, Any] = TestClient(TestServer(build_desk(DeskDeps(db, clock=clock))))
    try:
        await client.start_server()
        assert (await client.get("/login")).status == 200
        tables = set(await db.run(lambda sdb: sdb.table_names()))
        assert {"calls", "users", "audit", "sessions", "login_failures", "login_locks"} <= tables
    finally:
        await client.close()
        db.close()
