"""/protection: counselor protection for supervisors and admins (docs/protection.md).

Callers' strikes (each read audited; clearing needs a reason and is audited),
and links to the counselor report and the evidence key.
"""

from __future__ import annotations

from urllib.parse import urlencode

from aiohttp import web

from ivr.admin import evidence, strikes
from ivr.admin.problems import InvalidInput
from ivr.protection.situations import Situation
from ivr.web.access import allow
from ivr.web.context import DESK, client_ip, user_of
from ivr.web.pages import render, see_other


async def _page(request: web.Request, status: int = 200, problems: list[str] | None = None) -> web.Response:
    desk, user = request.app[DESK], user_of(request)
    assert user is not None
    standing = await strikes.standing(
        desk.db, desk.clock(), desk.strike_expiry_days, user.username, client_ip(request)
    )
    cleared = request.query.get("cleared", "")
    key = evidence.public_key(desk.evidence_dir) if desk.evidence_dir is not None else None
    return render(
        request,
        "protection.html",
        status=status,
        strikes=standing,
        situations=list(Situation),
        expiry_days=desk.strike_expiry_days,
        problems=problems or [],
        public_key=key[0] if key else None,
        key_fingerprint=key[1] if key else None,
        notice=f"{cleared}의 경고 기록을 해제했습니다. · Strikes cleared." if cleared.isdigit() else None,
    )


@allow("supervisor")
async def protection_page(request: web.Request) -> web.StreamResponse:
    return await _page(request)


@allow("supervisor")
async def clear_strikes(request: web.Request) -> web.StreamResponse:
    desk, user = request.app[DESK], user_of(request)
    assert user is not None
    form = await request.post()
    number = str(form.get("number", ""))
    try:
        await strikes.clear(
            desk.db, number, str(form.get("reason", "")), desk.clock(), user.username, client_ip(request)
        )
    except InvalidInput as exc:
        return await _page(request, status=400, problems=exc.problems)
    return see_other("/protection?" + urlencode({"cleared": number.strip()}))


def add_routes(app: web.Application) -> None:
    app.router.add_get("/protection", protection_page)
    app.router.add_post("/protection/strikes/clear", clear_strikes)
