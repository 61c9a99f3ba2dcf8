"""민원 at the counselor's desk: "민원 접수" during or after the call, prefilled from it, and
"접수번호 읽어 주기" while the citizen is on the line; a caller's open cases beside the call.

Only the counselor who talked on a call registers a case from it (someone
else's call answers 404, as notes do). The caller's number, the IVR path and
the articles tried are taken from the call's record, never from the page.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from aiohttp import web

from ivr.acd.counselor_model import CounselorState
from ivr.admin.problems import InvalidInput, NoSuchCall
from ivr.cases.case import ANSWER_CHANNELS, Case, NewCase
from ivr.cases.deadlines import overdue
from ivr.cases.states import STATUS_NAMES, CaseStatus
from ivr.flows.nodes import case_readout
from ivr.store import audit, case_rows
from ivr.store.reads import read
from ivr.web.access import allow
from ivr.web.case_refusals import case_refusals
from ivr.web.context import DESK, Desk, client_ip
from ivr.web.kb_desk import acting_user
from ivr.web.pages import json_body


def case_json(desk: Desk, case: Case, now: datetime) -> dict[str, Any]:
    """A case as the desks' scripts show it (the caller's number is for the caller of this)."""
    return {
        "number": case.number,
        "status": case.status,
        "status_ko": STATUS_NAMES[CaseStatus(case.status)],
        "department": case.department,
        "department_ko": desk.cases.departments.get(case.department, case.department),
        "type": case.type,
        "topic": case.topic,
        "deadline": case.deadline.astimezone(desk.timezone).strftime("%Y-%m-%d %H:%M"),
        "overdue": case.status not in ("answered", "closed") and overdue(case.deadline, now),
        "answer": case.answer,
    }


async def open_cases_of(desk: Desk, caller: str) -> list[dict[str, Any]]:
    """The caller's cases not yet closed, newest first: the desk shows them first on a call."""
    if not caller:
        return []
    found = await read(desk.db, lambda db: case_rows.open_for_caller(db, caller))
    now = desk.clock()
    return [case_json(desk, c, now) for c in found]


@allow("counselor")
async def case_form(request: web.Request) -> web.StreamResponse:
    """What "민원 접수" is prefilled with: the call's caller, topic, IVR path and articles tried,
    the choices of type, department and answer channel, and the caller's open cases."""
    desk, user = request.app[DESK], acting_user(request)
    call_id = request.match_info["call_id"]
    call = await read(desk.db, lambda db: case_rows.counselors_call(db, call_id, user.counselor_id))
    if call is None:
        raise NoSuchCall()
    return web.json_response(
        {
            "call_id": call_id,
            "caller": call["caller"],
            "topic": call["topic"] or "",
            "ivr_path": call["ivr_path"] or "",
            "articles": call["articles"],
            "types": [{"id": t.id, "name": t.name, "days": t.days} for t in desk.cases.types.values()],
            "departments": [{"id": k, "name": v} for k, v in desk.cases.departments.items()],
            "channels": [{"id": k, "name": v} for k, v in ANSWER_CHANNELS.items()],
            "open_cases": await open_cases_of(desk, call["caller"]),
        }
    )


@allow("counselor")
async def register(request: web.Request) -> web.StreamResponse:
    """{call_id, description, type, department, answer_channel, name, topic} -> 201 the new case."""
    desk, user = request.app[DESK], acting_user(request)
    body = await json_body(request)
    call_id = str(body.get("call_id") or "")
    now, ip = desk.clock(), client_ip(request)

    def write(db: Any) -> Case | None:
        call = case_rows.counselors_call(db, call_id, user.counselor_id)
        if call is None:
            return None
        new = NewCase(
            caller=call["caller"] or "",
            description=str(body.get("description") or ""),
            type=str(body.get("type") or ""),
            department=str(body.get("department") or ""),
            by=user.username,
            answer_channel=str(body.get("answer_channel") or "phone"),
            name=str(body.get("name") or ""),
            topic=str(body.get("topic") or call["topic"] or ""),
            call_id=call_id,
            ivr_path=call["ivr_path"] or "",
            articles=tuple(call["articles"]),
        )
        return case_rows.register(db, new, desk.cases, now, desk.timezone, ip)

    with case_refusals():
        case = await desk.db.run(write)
    if case is None:
        raise NoSuchCall()
    return web.json_response(case_json(desk, case, now), status=201)


@allow("counselor")
async def read_out(request: web.Request) -> web.StreamResponse:
    """Read the case's number to the citizen on the counselor's line (audited)."""
    desk, user = request.app[DESK], acting_user(request)
    number = request.match_info["number"]
    acd = desk.acd
    counselor = acd.counselors.get(user.counselor_id or "") if acd is not None else None
    on_call = counselor is not None and counselor.state is CounselorState.ON_CALL
    call_id = counselor.call_id if on_call and counselor is not None else None
    now, ip = desk.clock(), client_ip(request)

    # Only a case of the citizen on this line: its call, or the same caller.
    ok = bool(call_id) and await read(desk.db, lambda db: case_rows.of_caller_on(db, number, call_id or ""))
    sent = (
        ok
        and desk.call_command is not None
        and desk.call_command(call_id or "", case_readout.command(number))
    )
    detail = "sent" if sent else "refused: not this caller's case or not on a call"
    await desk.db.run(
        lambda db: audit.record(db, now, user.username, "case_read_out", number[:20], detail, ip)
    )
    if not sent:
        raise InvalidInput(
            ["통화 중인 민원인의 민원만 읽어 드릴 수 있습니다. · Only the caller's own case is read out."]
        )
    return web.json_response(
        {"ok": True, "message_ko": "접수번호를 읽어 드리고 있습니다.", "message_en": "Reading it out."},
        status=202,
    )


def add_routes(app: web.Application) -> None:
    app.router.add_get("/api/calls/{call_id}/case-form", case_form)
    app.router.add_post("/api/cases", register)
    app.router.add_post("/api/cases/{number}/read-out", read_out)
