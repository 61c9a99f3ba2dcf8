"""The web desk behind real log-ins: `build_desk` wires sessions, access rules,
CSRF, the log-in pages, the home page, user administration, and, given the
dispatcher, the live wallboard and the counselor desks.

The composition root mounts it as the root application (see build_desk).
Pages for the wallboard, counselor desk, QA, reports and flows are added
here as they are built: each is a route whose handler declares its roles
(access.py), and the home page links it as soon as the route exists.
"""

from __future__ import annotations

from dataclasses import dataclass

from aiohttp import web

from ivr.admin.problems import NotLoggedIn, PageNotFound
from ivr.store import desk_schema
from ivr.web import (
    account,
    admin_accounts,
    admin_phones,
    admin_users,
    board_actions,
    bookings_page,
    case_calls,
    case_desk,
    case_figures,
    case_followups_page,
    counselor_desk,
    evidence_pages,
    flows_pages,
    kb_desk,
    kb_edit,
    live,
    login,
    prompt_studio,
    protection_page,
    qa,
    qa_changes,
    recording_files,
    reports_page,
    softphone,
    wallboard,
)
from ivr.web.access import check_routes, logged_in, public
from ivr.web.auth import desk_middleware
from ivr.web.context import DESK, Desk, DeskDeps, user_of
from ivr.web.pages import STATIC, environment, render, secure_headers


@dataclass(frozen=True)
class Section:
    """A part of the desk on the home page; linked once its path is a route."""

    path: str
    korean: str
    english: str
    roles: tuple[str, ...]


SECTIONS = (
    Section("/wallboard", "상황판", "Wallboard", ("supervisor",)),
    Section("/counselor", "상담 화면", "Counselor desk", ("counselor", "supervisor")),
    Section("/qa", "녹취 품질 평가", "QA: recordings and scores", ("qa", "supervisor", "counselor")),
    Section("/reports", "통계", "Reports", ("supervisor",)),
    Section("/protection", "상담사 보호", "Counselor protection", ("supervisor",)),
    Section("/bookings", "예약 상담", "Booked callbacks", ("supervisor", "counselor")),
    Section("/kb", "상담 DB 관리", "Knowledge base", ("editor",)),
    Section("/cases", "민원 처리", "Cases (민원)", ("department", "counselor", "supervisor")),
    Section("/case-followups", "민원 후속 조치·문자함", "Case follow-ups, outbox", ("supervisor",)),
    Section("/flows", "콜 흐름 관리", "Call flows", ("admin",)),
    Section("/prompts", "안내 음성 스튜디오", "Prompt studio", ("voice",)),
    Section("/admin/users", "사용자 관리", "Users", ("admin",)),
    Section("/admin/phones", "전화기 계정", "Phone accounts", ("admin",)),
)


def build_desk(deps: DeskDeps) -> web.Application:
    """The desk as an aiohttp application over a started Database (see DeskDeps).

    With `deps.acd` the desk serves the wallboard and the counselor desks; with
    `deps.flows`, /flows; with `deps.phones`, /admin/phones. Every route added to the returned app, before it
    starts, must declare its roles with access.public / logged_in / allow, or
    start-up fails.
    """
    app = web.Application(middlewares=[desk_middleware])
    app[DESK] = Desk.of(deps, environment(deps.timezone))
    app.router.add_get("/", home)
    app.router.add_get("/login", login.login_page)
    app.router.add_post("/login", login.login_submit)
    app.router.add_post("/logout", login.logout)
    app.router.add_get("/api/me", me)
    app.router.add_get("/admin/users", admin_users.users_page)
    app.router.add_post("/admin/users", admin_users.add_user)
    app.router.add_post("/admin/users/{username}/disable", admin_users.disable_user)
    app.router.add_post("/admin/users/{username}/enable", admin_users.enable_user)
    admin_accounts.add_routes(app)
    account.add_routes(app)
    app.router.add_get("/favicon.ico", favicon)
    app.router.add_get("/static/{name}", static)
    reports_page.add_routes(app)
    case_figures.add_routes(app)
    protection_page.add_routes(app)
    bookings_page.add_routes(app)
    if deps.acd is not None:
        live.track_sockets(app)
        wallboard.add_routes(app)
        board_actions.add_routes(app)
        counselor_desk.add_routes(app)
    qa.add_routes(app)
    qa_changes.add_routes(app)
    kb_desk.add_routes(app)
    kb_edit.add_routes(app)
    case_desk.add_routes(app)
    case_calls.add_routes(app)
    case_followups_page.add_routes(app)
    recording_files.add_routes(app)
    evidence_pages.add_routes(app)
    if deps.flows is not None:
        flows_pages.add_routes(app)
    if deps.phones is not None:
        admin_phones.add_routes(app)
    if deps.prompts is not None:
        prompt_studio.add_routes(app)
    if deps.softphone is not None:
        softphone.add_routes(app)
    app.on_startup.append(_start)
    app.on_response_prepare.append(secure_headers)
    return app


async def _start(app: web.Application) -> None:
    check_routes(app)
    desk = app[DESK]
    now = desk.clock()

    await desk.db.run(lambda db: desk_schema.prepare(db, now))
    kb_desk.start_warming(app)
    await desk.sessions.purge()


@logged_in
async def home(request: web.Request) -> web.StreamResponse:
    user = user_of(request)
    if user is None:
        raise NotLoggedIn()
    routes = {resource.canonical for resource in request.app.router.resources()}
    sections = [
        (section, section.path in routes)
        for section in SECTIONS
        if user.role == "admin" or user.role in section.roles
    ]
    return render(request, "home.html", sections=sections)


@logged_in
async def me(request: web.Request) -> web.StreamResponse:
    """Who is logged in, for the pages' own scripts."""
    user = user_of(request)
    if user is None:
        raise NotLoggedIn()
    return web.json_response(
        {
            "username": user.username,
            "display_name": user.display_name,
            "role": user.role,
            "counselor_id": user.counselor_id,
        }
    )


@public
async def favicon(request: web.Request) -> web.StreamResponse:
    """Browsers ask for /favicon.ico whatever the page says: the same picture as the pages' icon."""
    return web.FileResponse(STATIC / "favicon.svg", headers={"Content-Type": "image/svg+xml"})


_STATIC_FILES = {path.name: path for path in STATIC.iterdir() if path.is_file()}


@public
async def static(request: web.Request) -> web.StreamResponse:
    """Files of ivr/web/static by exact name only: no path reaches outside it."""
    path = _STATIC_FILES.get(request.match_info["name"])
    if path is None:
        raise PageNotFound()
    return web.FileResponse(path, headers={"Cache-Control": "max-age=300"})
