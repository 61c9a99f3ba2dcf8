"""/protection: counselor protection for supervisors and admins (docs/protection.md).

Callers' strikes (each read audited; clearing needs a reason and is audited),
and links to the counselor report and the evidence key.
"""

from __future__ import annotations

from urllib.parse import urlencode

from aiohttp import web

from ivr.admin import evidence, protection_report, strikes
from ivr.admin.problems import InvalidInput
from ivr.protection.situations import Situation
from ivr.reports.output import Table
from ivr.web.access import allow
from ivr.web.context import DESK, client_ip, user_of
from ivr.web.pages import render, see_other
from ivr.web.reports_page import csv_response


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


def _month(request: web.Request) -> str:
    desk = request.app[DESK]
    return request.query.get("month") or desk.clock().astimezone(desk.timezone).strftime("%Y-%m")


async def _report(request: web.Request) -> tuple[str, Table]:
    desk, user = request.app[DESK], user_of(request)
    assert user is not None
    month = _month(request)
    table = await protection_report.report(
        desk.db, month, desk.timezone, desk.counselors, desk.clock(), user.username, client_ip(request)
    )
    return month, table


@allow("supervisor")
async def report_page(request: web.Request) -> web.StreamResponse:
    """Per counselor, this month: abusive calls by situation, their length, the rest given, support."""
    month, table = await _report(request)
    done = request.query.get("confirmed", "")
    notice = (
        "지원 제공을 확인했습니다. · Support confirmed." if done in request.app[DESK].counselors else None
    )
    return render(
        request, "protection_report.html", month=month, table=table, situations=list(Situation), notice=notice
    )


@allow("supervisor")
async def report_csv(request: web.Request) -> web.StreamResponse:
    month, table = await _report(request)
    return csv_response(table, f"counselor-protection-{month}.csv")


@allow("supervisor")
async def confirm_support(request: web.Request) -> web.StreamResponse:
    desk, user = request.app[DESK], user_of(request)
    assert user is not None
    form = await request.post()
    counselor_id, month = str(form.get("counselor", "")), str(form.get("month", ""))
    await protection_report.confirm_support(
        desk.db,
        counselor_id,
        month,
        str(form.get("note", "")),
        desk.timezone,
        desk.counselors,
        desk.clock(),
        user.username,
        client_ip(request),
    )
    return see_other("/protection/report?" + urlencode({"month": month, "confirmed": counselor_id}))


def add_routes(app: web.Application) -> None:
    app.router.add_get("/protection", protection_page)
    app.router.add_post("/protection/strikes/clear", clear_strikes)
    app.router.add_get("/protection/report", report_page)
    app.router.add_get("/protection/report.csv", report_csv)
    app.router.add_post("/protection/report/support", confirm_support)
