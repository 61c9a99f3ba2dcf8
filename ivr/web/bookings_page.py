"""/bookings: 예약 상담 by slot, for the people who call citizens back.

Supervisors see the numbers (their viewing is audited); counselors see them
masked, as on the wallboard: who calls is the callback runner's business,
and the counselor hears the number when the call comes.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from aiohttp import web

from ivr.prompts import slots
from ivr.store import audit, bookings
from ivr.store.reads import read
from ivr.web.access import allow
from ivr.web.context import DESK, client_ip, user_of
from ivr.web.masking import mask_number
from ivr.web.pages import render
from ivr.web.wallboard import local_midnight

STATUS_KO = {
    "new": "대기 · waiting",
    "queued": "다시 걸 예정 · retry due",
    "assigned": "담당자 배정 · assigned",
    "done": "통화 완료 · done",
    "failed": "연결 실패 · failed",
}


def add_routes(app: web.Application) -> None:
    app.router.add_get("/bookings", bookings_page)


@allow("supervisor", "counselor")
async def bookings_page(request: web.Request) -> web.StreamResponse:
    desk = request.app[DESK]
    user = user_of(request)
    assert user is not None
    now = desk.clock().astimezone(desk.timezone)
    rows = await read(desk.db, lambda db: bookings.bookings_by_slot(db, local_midnight(now, desk.timezone)))
    full = user.role == "supervisor"
    if full and rows:
        who, ip, detail = user.username, client_ip(request), f"{len(rows)} booking(s) from {now:%Y-%m-%d}"
        await desk.db.run(
            lambda db: audit.record(db, desk.clock(), who, "bookings_viewed", "bookings", detail, ip)
        )
    by_slot: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        slot = datetime.fromisoformat(row["booked_for"]).astimezone(desk.timezone)
        said = slots.read_back("ko", slot, now.date())
        by_slot.setdefault(f"{slot:%Y-%m-%d %H:00} · {said}", []).append(
            {
                **row,
                "number": row["number"] if full else mask_number(row["number"]),
                "status_ko": STATUS_KO.get(row["status"], row["status"]),
            }
        )
    return render(request, "bookings.html", by_slot=by_slot, full=full)
