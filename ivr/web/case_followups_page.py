"""/case-followups: the supervisors' list of 민원 left for a person, and the 문자 outbox.

A follow-up opens when every answer call reached nobody or a 해피콜 came back
"not solved" or with a low score; a supervisor assigns it to someone and marks
it done, through the same store functions as `ivr case-followups`, each change
a line of the case's history. The outbox shows the 문자 waiting for a gateway
(none is configured: nothing here was sent). The messages are personal data
(the citizen's number and the department's answer): numbers are masked and
every viewing of a list with messages is audited.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from ivr.admin.problems import InvalidInput
from ivr.calls.followup_states import FollowupEvent, IllegalFollowupTransition
from ivr.errors import HotlineError
from ivr.store import audit, case_out, case_outbox, users
from ivr.store.reads import read
from ivr.web.access import allow
from ivr.web.case_desk import local_time
from ivr.web.context import DESK, client_ip, user_of
from ivr.web.masking import mask_number
from ivr.web.pages import render, see_other

STATUSES = {
    "new": "새 건 · new",
    "assigned": "담당자 배정 · assigned",
    "done": "처리 완료 · done",
}
OUTBOX_KO = {"queued": "발송 대기 · queued", "sent": "발송됨 · sent", "failed": "발송 실패 · failed"}
WHO_MAX = 40


@allow("supervisor")
async def followups_page(request: web.Request) -> web.StreamResponse:
    return await _page(request)


async def _page(request: web.Request, status: int = 200, problem: str = "") -> web.StreamResponse:
    desk = request.app[DESK]
    user = user_of(request)
    assert user is not None
    shown = request.query.get("status", "open")
    if shown not in (*STATUSES, "open", "all"):
        shown = "open"
    follow, outbox = await read(desk.db, lambda db: (_follow_ups(db, shown), case_outbox.take(db, 200)))
    if outbox:
        who, ip, detail = user.username, client_ip(request), f"{len(outbox)} queued message(s)"
        await desk.db.run(
            lambda db: audit.record(db, desk.clock(), who, "case_outbox_viewed", "case_outbox", detail, ip)
        )
    return render(
        request,
        "case_followups.html",
        status=status,
        problem=problem,
        shown=shown,
        statuses=STATUSES,
        follow_ups=[
            {**r, "status_ko": STATUSES.get(r["status"], r["status"]), "at": local_time(desk, r["at"])}
            for r in follow
        ],
        outbox=[
            {
                **m,
                "to_number": mask_number(m["to_number"] or ""),
                "status_ko": OUTBOX_KO.get(m["status"], m["status"]),
                "queued_at": local_time(desk, m["queued_at"]),
            }
            for m in outbox
        ],
    )


def _follow_ups(db: Any, shown: str) -> list[dict[str, Any]]:
    if shown == "open":
        return case_out.follow_ups(db, "new") + case_out.follow_ups(db, "assigned")
    return case_out.follow_ups(db, None if shown == "all" else shown)


@allow("supervisor")
async def followup_act(request: web.Request) -> web.StreamResponse:
    """assign (to `who`, default oneself) or done; refusals come back on the page in Korean."""
    desk = request.app[DESK]
    user = user_of(request)
    assert user is not None
    form = await request.post()
    action = str(form.get("action") or "")
    try:
        follow_id = int(request.match_info["follow_id"])
    except ValueError:
        raise InvalidInput(
            ["후속 조치 번호가 숫자가 아닙니다. · The follow-up id is not a number."]
        ) from None
    if action not in ("assign", "done"):
        raise InvalidInput(["알 수 없는 요청입니다. · Unknown change."])
    who = str(form.get("who") or "").strip()[: WHO_MAX + 1] or user.username
    if action == "assign" and await read(desk.db, lambda db: users.find(db, who)) is None:
        problem = f"'{who}' 사용자가 없습니다. 사용자 이름을 적어 주십시오. · There is no user '{who}'."
        return await _page(request, 400, problem)
    event = FollowupEvent.ASSIGN if action == "assign" else FollowupEvent.DONE_BY_HAND
    taker = who if action == "assign" else user.username
    now = desk.clock()
    try:
        await desk.db.run(lambda db: case_out.take_follow_up(db, follow_id, event, taker, now))
    except IllegalFollowupTransition:
        return await _page(request, 409, f"후속 조치 {follow_id}은(는) 이미 처리되었습니다. · Already done.")
    except HotlineError as refused:  # no such follow-up
        return await _page(request, 404, str(refused))
    return see_other(f"/case-followups?done={follow_id}")


def add_routes(app: web.Application) -> None:
    app.router.add_get("/case-followups", followups_page)
    app.router.add_post("/case-followups/{follow_id}", followup_act)
