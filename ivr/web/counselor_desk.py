"""/counselor: a counselor's own desk: state buttons, the caller on the line, after-call notes.

A counselor user is linked to one counselor id (users.counselor_id) and acts
only for that counselor; supervisors and admins may look at any desk but act
for nobody. State requests go through ivr/acd/actions.py, as the phone's
feature codes do; every request, refused or not, is audited, and so is each
call whose caller's details a desk shows.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from aiohttp import web

from ivr.acd.actions import CHOSEN_REASONS, REASON_KO, Action, allowed, pending_ko
from ivr.acd.board import free_colleagues
from ivr.acd.counselor_model import CounselorState, PauseReason
from ivr.acd.dispatcher import Dispatcher
from ivr.acd.keycodes import IN_CALL_CODES
from ivr.admin.problems import Forbidden, InvalidInput, NoSuchCall, NoSuchCounselor, NotLoggedIn
from ivr.flows.path_words import spoken_path
from ivr.ports import Disposition
from ivr.protection.call_length import LimitRefused
from ivr.protection.situations import Situation
from ivr.store import audit, call_notes
from ivr.store.caller_history import CallerContext
from ivr.store.reads import read
from ivr.store.stamps import parse_stamp, stamp
from ivr.store.users import User
from ivr.web import case_calls, kb_desk, live
from ivr.web.access import allow
from ivr.web.context import DESK, Desk, client_ip, user_of
from ivr.web.masking import format_number
from ivr.web.pages import json_body, render, see_other, softphone_policy
from ivr.web.softphone import page_host
from ivr.web.wallboard import counselor_json, local_midnight

TOPICS = {
    "general": "일반 민원",
    "tax": "세금·과태료",
    "traffic": "교통·주차",
    "welfare": "복지",
    "environment": "환경·청소",
    "housing": "주택·건축",
    "documents": "민원 서류",
    "report": "불편 신고",
    "other": "기타",
}
# How each call ended, as the desk says it (a caller's earlier calls): one per
# ivr.ports.Disposition, polite and short.
DISPOSITIONS = {
    Disposition.ANSWERED: "상담 완료",
    Disposition.ABANDONED_IVR: "ARS 중 종료",
    Disposition.ABANDONED_QUEUE: "대기 중 포기",
    Disposition.ABANDONED_RINGING: "연결 중 포기",
    Disposition.IVR_ENDED: "ARS 안내 종료",
    Disposition.NO_COUNSELOR: "상담사 연결 안 됨",
    Disposition.FALLBACK: "안내 멘트",
    Disposition.FAILED: "오류",
    Disposition.LOST: "중단",
    Disposition.CALLBACK_UNANSWERED: "콜백 연결 안 됨",
    Disposition.FALLBACK_ANSWERED: "상담 완료(예비 대기열)",
    Disposition.FALLBACK_ABANDONED: "대기 중 포기(예비 대기열)",
    Disposition.FALLBACK_NO_COUNSELOR: "상담사 연결 안 됨(예비 대기열)",
}
NOTE_MAX = 2000
# The same commands as the phone's in-call codes (*9, *4N, *5N, *6, *7).
CALL_COMMANDS = frozenset(IN_CALL_CODES.values())


def _user(request: web.Request) -> User:
    user = user_of(request)
    if user is None:  # the middleware lets no anonymous request reach a handler marked allow()
        raise NotLoggedIn()
    return user


def _viewing(request: web.Request) -> tuple[Desk, Dispatcher, User, str]:
    """The desk asked for, if this user may see it: their own, or any for supervisors and admins."""
    desk, user = request.app[DESK], _user(request)
    counselor_id = request.match_info["counselor_id"]
    if user.role == "counselor" and user.counselor_id != counselor_id:
        raise Forbidden()
    assert desk.acd is not None  # the routes exist only on a desk with a dispatcher
    if counselor_id not in desk.acd:
        raise NoSuchCounselor(counselor_id[:40])
    return desk, desk.acd, user, counselor_id


def _acting(request: web.Request) -> tuple[Desk, Dispatcher, User, str]:
    """Only the counselor themself changes their state: not a colleague, not a supervisor."""
    desk, acd, user, counselor_id = _viewing(request)
    if user.counselor_id != counselor_id:
        raise Forbidden()
    return desk, acd, user, counselor_id


@allow("counselor", "supervisor")
async def desk_index(request: web.Request) -> web.StreamResponse:
    """A counselor goes to their own desk; supervisors choose whose desk to look at."""
    desk, user = request.app[DESK], _user(request)
    if user.role == "counselor" and user.counselor_id:
        return see_other(f"/counselor/{user.counselor_id}")
    return render(request, "counselors.html", counselors=desk.counselors)


@allow("counselor", "supervisor")
async def desk_page(request: web.Request) -> web.StreamResponse:
    desk, _, user, counselor_id = _viewing(request)
    phones = desk.softphone
    # The softphone is the counselor's own: only on their desk, never on one looked at.
    has_phone = phones is not None and user.counselor_id == counselor_id and phones.has_browser(counselor_id)
    page = render(
        request,
        "counselor.html",
        counselor_id=counselor_id,
        counselor_name=desk.counselors.get(counselor_id, counselor_id),
        can_act=user.counselor_id == counselor_id,
        reasons=[(r.value, REASON_KO[r]) for r in CHOSEN_REASONS],
        topics=TOPICS,
        dispositions=DISPOSITIONS,
        departments=list(enumerate(desk.departments, start=1)),
        queues=list(desk.queues.items()),
        softphone=has_phone,
        situations=list(Situation),
    )
    if has_phone and phones is not None:
        # The page's script may open SIP's WebSocket to Asterisk (another origin).
        page.headers["Content-Security-Policy"] = softphone_policy(phones.ws_origin(page_host(request)))
    return page


@allow("counselor", "supervisor")
async def desk_live(request: web.Request) -> web.StreamResponse:
    desk, acd, user, counselor_id = _viewing(request)
    shown: set[str] = set()
    ip = client_ip(request)

    async def snapshot() -> dict[str, Any]:
        return await desk_snapshot(desk, acd, counselor_id, user, ip, shown)

    return await live.serve(request, acd, snapshot)


async def desk_snapshot(
    desk: Desk, acd: Dispatcher, counselor_id: str, user: User, ip: str | None, shown: set[str]
) -> dict[str, Any]:
    """The counselor now, and the call on their line (or their last one today, for its notes)."""
    view = next(c for c in acd.board().counselors if c.id == counselor_id)
    midnight = local_midnight(desk.clock(), desk.timezone)
    found = await read(desk.db, lambda db: call_notes.desk_call(db, counselor_id, view.call_id, midnight))
    call: dict[str, Any] | None = None
    if found is not None:
        context, notes = found
        shown_notes = [{**n, "at": _local(desk, n["at"])} for n in notes]
        call = {**asdict(context), "current": context.call_id == view.call_id, "notes": shown_notes}
        call |= _in_words(desk, context)
        call |= await kb_desk.call_extras(desk, context.call_id, context.topic)
        call["cases"] = await case_calls.open_cases_of(desk, context.caller)
    if call is not None and call["call_id"] not in shown:
        # The caller's number and history are a person's data: whoever is shown them is on record.
        shown.add(call["call_id"])
        now, who, target = desk.clock(), user.username, call["call_id"]
        await desk.db.run(
            lambda db: audit.record(db, now, who, "call_viewed", target, f"desk={counselor_id}", ip)
        )
    length = desk.call_length(view.call_id) if desk.call_length and view.call_id else None
    shown_view = counselor_json(view, desk.counselors.get(counselor_id, counselor_id))
    shown_view["pending_ko"] = pending_ko(view.pending)
    shown_view["allowed"] = [a.value for a in allowed(acd.counselors[counselor_id])]
    return {
        "kind": "counselor",
        "counselor": shown_view,
        "call": call,
        "limit": asdict(length) if length is not None else None,
    }


@allow("counselor")
async def desk_action(request: web.Request) -> web.StreamResponse:
    """Log in, pause with a reason, unpause, more wrap-up time, log out: answered in Korean too."""
    desk, _, user, counselor_id = _acting(request)
    body = await json_body(request)
    try:
        action = Action(body.get("action"))
        reason = PauseReason(body["reason"]) if body.get("reason") else None
    except ValueError:
        raise InvalidInput(["알 수 없는 요청입니다. · Unknown action or pause reason."]) from None
    assert desk.actions is not None
    result = desk.actions.request(counselor_id, action, reason)
    detail = action.value + (f"({reason.value})" if reason else "")
    detail += " ok" if result.ok else f" refused: {result.message_en}"
    now, ip = desk.clock(), client_ip(request)
    await desk.db.run(
        lambda db: audit.record(db, now, user.username, "counselor_action", counselor_id, detail, ip)
    )
    return web.json_response(asdict(result), status=200 if result.ok else 409)


@allow("counselor")
async def call_command(request: web.Request) -> web.StreamResponse:
    """What the phone's codes do, from the desk: the abuse key, transfers."""
    desk, acd, user, counselor_id = _acting(request)
    body = await json_body(request)
    command = str(body.get("command") or "")
    # A colleague transfer names one who is free now (acd/board.py), like the softphone's list.
    mate = command.removeprefix("colleague:") if command.startswith("colleague:") else None
    if mate is not None and mate not in free_colleagues(acd.now(), acd.counselors.values(), counselor_id):
        raise InvalidInput(["그 상담사는 지금 받을 수 없습니다. · That colleague is not available now."])
    # Back into a queue (e.g. 외국어 상담): one config.yaml names (flows/nodes/transfers.py: to_queue).
    line = command.removeprefix("queue:") if command.startswith("queue:") else None
    if line is not None and line not in desk.queues:
        raise InvalidInput(["그런 상담 줄이 없습니다. · No such queue."])
    if command not in CALL_COMMANDS and mate is None and line is None:
        raise InvalidInput(["알 수 없는 요청입니다. · Unknown call command."])
    counselor = acd.counselors[counselor_id]
    on_call = counselor.state is CounselorState.ON_CALL and counselor.call_id
    sent = (
        bool(on_call)
        and desk.call_command is not None
        and desk.call_command(counselor.call_id or "", command)
    )
    now, ip = desk.clock(), client_ip(request)
    detail = f"{command} {'sent' if sent else 'refused: not on a call'}"
    target = counselor.call_id or counselor_id
    await desk.db.run(lambda db: audit.record(db, now, user.username, "call_command", target, detail, ip))
    if not sent:
        return web.json_response(
            {"ok": False, "message_ko": "통화 중이 아닙니다.", "message_en": "You are not on a call."},
            status=409,
        )
    return web.json_response(
        {"ok": True, "message_ko": "요청했습니다.", "message_en": "Requested."}, status=202
    )


@allow("counselor")
async def extend_call(request: web.Request) -> web.StreamResponse:
    """Keep the call going past its length limit, once, for a reason (audited)."""
    desk, acd, user, counselor_id = _acting(request)
    reason = str((await json_body(request)).get("reason") or "").strip()
    call_id = acd.counselors[counselor_id].call_id
    now, ip = desk.clock(), client_ip(request)
    try:
        if not reason:
            raise LimitRefused("연장 사유를 입력해 주십시오.", "An extension needs a reason.")
        if call_id is None or desk.extend_call is None:
            raise LimitRefused("통화 중이 아닙니다.", "You are not on a call.")
        added = desk.extend_call(call_id, reason, user.username)
    except LimitRefused as exc:
        detail = f"refused: {exc.message_en}"
        target = call_id or counselor_id
        await desk.db.run(
            lambda db: audit.record(db, now, user.username, "call_extended", target, detail, ip)
        )
        return web.json_response(
            {"ok": False, "message_ko": exc.message_ko, "message_en": exc.message_en}, status=409
        )
    detail = f"+{added:g}s reason={reason}"
    await desk.db.run(lambda db: audit.record(db, now, user.username, "call_extended", call_id, detail, ip))
    length = desk.call_length(call_id) if desk.call_length else None
    return web.json_response(
        {
            "ok": True,
            "message_ko": "통화 시간을 연장했습니다.",
            "message_en": "The call is extended.",
            "limit": asdict(length) if length is not None else None,
        }
    )


@allow("counselor")
async def add_note(request: web.Request) -> web.StreamResponse:
    """After-call notes and a topic tag, by the counselor who talked to the caller."""
    desk, user = request.app[DESK], _user(request)
    call_id = request.match_info["call_id"]
    body = await json_body(request)
    note, topic = str(body.get("note") or "").strip(), str(body.get("topic") or "")
    problems = []
    if topic and topic not in TOPICS:
        problems.append("알 수 없는 상담 분류입니다. · Unknown topic.")
    if len(note) > NOTE_MAX:
        problems.append(f"메모는 {NOTE_MAX}자까지입니다. · A note is at most {NOTE_MAX} characters.")
    if not note and not topic:
        problems.append("메모나 상담 분류를 입력해 주십시오. · Write a note or choose a topic.")
    if problems:
        raise InvalidInput(problems)
    now, ip = desk.clock(), client_ip(request)
    row = {
        "call_id": call_id,
        "counselor_id": user.counselor_id,
        "author": user.username,
        "at": stamp(now),
        "topic": topic or None,
        "note": note,
    }

    # Someone else's call answers like a missing one: a desk cannot probe which call ids exist.
    if not await desk.db.run(lambda db: call_notes.add(db, row, ip, now)):
        raise NoSuchCall()
    saved = {k: row[k] for k in ("author", "topic", "note")} | {"at": _local(desk, stamp(now))}
    return web.json_response(saved, status=201)


def _in_words(desk: Desk, context: CallerContext) -> dict[str, Any]:
    """The call as people read it: the number grouped, the IVR path in the menu's words,
    earlier calls' counselors by name (the ids stay for scripts)."""
    steps = desk.flow_words().steps
    previous = [
        {
            **p,
            "counselor_name": desk.counselors.get(p.get("counselor_id") or "", p.get("counselor_id") or "-"),
            "path_said": " → ".join(spoken_path(str(p.get("ivr_path") or "").split(" > "), steps)) or "-",
        }
        for p in context.previous
    ]
    return {
        "caller_shown": format_number(context.caller),
        "path_said": " → ".join(spoken_path(context.ivr_path, steps)) or "-",
        "previous": previous,
    }


def _local(desk: Desk, stored: str) -> str:
    """A stored UTC stamp in the call center's time, as the call records are."""
    return parse_stamp(stored).astimezone(desk.timezone).isoformat(timespec="seconds")


def add_routes(app: web.Application) -> None:
    app.router.add_get("/counselor", desk_index)
    app.router.add_get("/counselor/{counselor_id}", desk_page)
    app.router.add_get("/api/counselor/{counselor_id}/live", desk_live)
    app.router.add_post("/api/counselor/{counselor_id}/action", desk_action)
    app.router.add_post("/api/counselor/{counselor_id}/call", call_command)
    app.router.add_post("/api/counselor/{counselor_id}/extend", extend_call)
    app.router.add_post("/api/calls/{call_id}/notes", add_note)
