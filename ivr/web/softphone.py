"""The desk's softphone: a counselor's own browser SIP account, and the local CA to trust.

The account (with its password) goes to the counselor's own logged-in page
only: not to supervisors, not to admins (who may look at any desk but act for
nobody), and every handing-out is audited. The CA certificate is public: the
log-in page offers it so a browser can trust the embedded Asterisk's
WebSocket (docs/softphone.md).
"""

from __future__ import annotations

import asyncio
from dataclasses import asdict

from aiohttp import web

from ivr.acd.board import free_colleagues
from ivr.admin.problems import Forbidden
from ivr.admin.softphone import Softphones
from ivr.store import audit
from ivr.web.access import allow, public
from ivr.web.context import DESK, client_ip, user_of


def _softphones(request: web.Request) -> Softphones:
    found = request.app[DESK].softphone
    if found is None:  # the routes exist only on a desk with softphones
        raise web.HTTPNotFound()
    return found


def page_host(request: web.Request) -> str:
    """The host name the page was reached at (no port)."""
    return request.url.host or "127.0.0.1"


@allow("counselor", "supervisor")
async def account(request: web.Request) -> web.StreamResponse:
    """The logged-in counselor's (or supervisor's, config.yaml `supervisors[].user`) own browser
    phone account, as JSON (404: they have none)."""
    desk, user = request.app[DESK], user_of(request)
    phones = _softphones(request)
    if user is not None and user.role == "supervisor":
        found = await asyncio.to_thread(phones.account_for_supervisor, user.username, page_host(request))
    elif user is not None and user.role == "counselor" and user.counselor_id:
        found = await asyncio.to_thread(phones.account_for, user.counselor_id, page_host(request))
    else:
        raise Forbidden()
    if found is None:
        raise web.HTTPNotFound(text="브라우저 전화가 설정되지 않았습니다. · No browser phone is set up.")
    now, ip, who = desk.clock(), client_ip(request), user.username
    await desk.db.run(
        lambda db: audit.record(db, now, who, "softphone_account", found.user, "issued to own page", ip)
    )
    return web.json_response(asdict(found), headers={"Cache-Control": "no-store"})


@public
async def ca_certificate(request: web.Request) -> web.StreamResponse:
    """The local certificate authority that signed the embedded Asterisk's certificate."""
    pem = await asyncio.to_thread(_softphones(request).ca_certificate)
    if pem is None:
        raise web.HTTPNotFound(text="인증서가 아직 없습니다. · No certificate has been made yet.")
    return web.Response(
        body=pem,
        content_type="application/x-pem-file",
        headers={"Content-Disposition": 'attachment; filename="jeonju-hotline-ca.pem"'},
    )


@allow("counselor")
async def colleagues(request: web.Request) -> web.StreamResponse:
    """The colleagues this counselor may hand their caller to now (available, phone reachable),
    by name: the softphone's transfer list."""
    desk, user = request.app[DESK], user_of(request)
    counselor_id = request.match_info["counselor_id"]
    if user is None or user.counselor_id != counselor_id or desk.acd is None or counselor_id not in desk.acd:
        raise Forbidden()
    acd = desk.acd
    free = free_colleagues(acd.now(), acd.counselors.values(), counselor_id)
    return web.json_response([{"id": cid, "name": desk.counselors.get(cid, cid)} for cid in free])


def add_routes(app: web.Application) -> None:
    app.router.add_get("/api/softphone/account", account)
    app.router.add_get("/api/counselor/{counselor_id}/colleagues", colleagues)
    app.router.add_get("/softphone/ca.pem", ca_certificate)
