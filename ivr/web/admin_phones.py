"""/admin/phones: the desk phones and whether they are registered; a phone's SIP account shown
once, and a new password for it (admin only, CSRF, audited).

A password appears only in the answer to the POST that asks for it, never
in a URL, a redirect or a log (the server keeps no access log; pages are
`no-store`). Both actions go through admin/phones.py, as `ivr pbx phones` does.
"""

from __future__ import annotations

import asyncio
from urllib.parse import urlencode

from aiohttp import web

from ivr.admin import phones
from ivr.pbx.phones import Phone, desk_phones
from ivr.web.access import allow
from ivr.web.admin_users import acting_username
from ivr.web.context import DESK, PhonesSetup, client_ip
from ivr.web.pages import render, see_other

KINDS = {kind: f"{ko} · {en}" for kind, (ko, en) in phones.KIND_WORDS.items()}
ROTATED = (
    "{phone} 전화기의 비밀번호를 바꾸었습니다. 전화기는 등록을 갱신할 때까지 연결되어 있고, 그 뒤에는 새 "
    "비밀번호가 필요합니다. '비밀번호 보기'로 새 비밀번호를 확인해 주십시오. · The phone {phone} has a new "
    "password. It stays registered until it renews its registration, then it needs the new one: "
    "'Show password' shows it."
)
NOT_APPLIED = (
    "새 비밀번호를 저장했지만 Asterisk에 적용하지 못했습니다. Asterisk는 아직 이전 비밀번호를 씁니다. · "
    "The new password is saved, but Asterisk could not take it and still has the old one: {failure}"
)


def add_routes(app: web.Application) -> None:
    app.router.add_get("/admin/phones", phones_page)
    app.router.add_post("/admin/phones/{endpoint}/account", show_account)
    app.router.add_get("/admin/phones/{endpoint}/rotate", confirm_rotate)
    app.router.add_post("/admin/phones/{endpoint}/rotate", rotate)


def _setup(request: web.Request) -> PhonesSetup:
    setup = request.app[DESK].phones
    assert setup is not None  # the routes exist only on a desk with phones
    return setup


def _phone(request: web.Request) -> Phone:
    return phones.find(_setup(request).cfg.settings, request.match_info["endpoint"])


async def _list(request: web.Request, status: int = 200, **context: object) -> web.Response:
    setup = _setup(request)
    listed = await phones.listing(setup.cfg.settings, setup.states)
    context.setdefault("notice", None)
    context.setdefault("problems", [listed.problem] if listed.problem else [])
    return render(request, "phones.html", status=status, listed=listed, kinds=KINDS, **context)


@allow("admin")
async def phones_page(request: web.Request) -> web.StreamResponse:
    notice = None
    done = request.query.get("rotated", "")
    # Only a real phone is echoed: the link cannot be made to say something else.
    if done in {p.endpoint for p in desk_phones(_setup(request).cfg.settings)}:
        notice = ROTATED.format(phone=done)
    return await _list(request, notice=notice)


@allow("admin")
async def show_account(request: web.Request) -> web.StreamResponse:
    """The account, on this answer only, once the showing is in the audit log."""
    setup, phone = _setup(request), _phone(request)
    account = await asyncio.to_thread(phones.account_of, setup.cfg, phone)
    desk = request.app[DESK]
    who, ip, now = acting_username(request), client_ip(request), desk.clock()
    await desk.db.run(lambda db: phones.record(db, now, who, phones.SHOWN, phone, "web", ip=ip))
    return render(request, "phone_account.html", account=account, kinds=KINDS)


@allow("admin")
async def confirm_rotate(request: web.Request) -> web.StreamResponse:
    phone = phones.registering(_phone(request))
    return render(request, "phone_rotate.html", phone=phone, kinds=KINDS)


@allow("admin")
async def rotate(request: web.Request) -> web.StreamResponse:
    setup, phone = _setup(request), _phone(request)
    async with setup.lock:
        done = await asyncio.to_thread(phones.rotate, setup.cfg, phone, setup.apply)
    desk = request.app[DESK]
    who, ip, now = acting_username(request), client_ip(request), desk.clock()
    await desk.db.run(lambda db: phones.record(db, now, who, phones.ROTATED, phone, "web", done.detail, ip))
    if done.failure:
        return await _list(request, 500, problems=[NOT_APPLIED.format(failure=done.failure)])
    return see_other("/admin/phones?" + urlencode({"rotated": phone.endpoint}))
