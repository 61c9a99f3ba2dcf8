"""/wallboard (and /wallboard/kiosk for the TV): the live queue for supervisors.

The snapshot is the dispatcher's board with names and Korean labels, today's
figures from the call records (ivr/store/call_stats.py), and the alerts a
supervisor should act on. Pages render an empty board; the socket fills it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict
from datetime import datetime, tzinfo
from typing import Any

from aiohttp import web

from ivr.acd.actions import REASON_KO, STATE_KO
from ivr.acd.board import UNREACHABLE, Board, CounselorView
from ivr.acd.counselor_model import CounselorRules, CounselorState, PauseReason
from ivr.acd.dispatcher import Dispatcher
from ivr.reports.metrics import Rules
from ivr.store.call_stats import SERVICE_SECONDS, SERVICE_TARGET, TodayStats, today_stats
from ivr.store.reads import read
from ivr.web import case_figures, live
from ivr.web.access import allow
from ivr.web.context import DESK, Desk, user_of
from ivr.web.pages import render, softphone_policy
from ivr.web.softphone import page_host

# Shown in this order, the way a supervisor scans the room. A logged-in
# counselor whose phone is unreachable is counted apart, never as available.
STATE_ORDER = (
    CounselorState.AVAILABLE.value,
    UNREACHABLE,
    CounselorState.RESERVED.value,
    CounselorState.ON_CALL.value,
    CounselorState.WRAP_UP.value,
    CounselorState.PAUSED.value,
    CounselorState.LOGGED_OUT.value,
)
SHOWN_KO = {**{s.value: ko for s, ko in STATE_KO.items()}, UNREACHABLE: "전화 연결 끊김"}
SHOWN_EN = {
    CounselorState.AVAILABLE.value: "available",
    UNREACHABLE: "phone unreachable",
    CounselorState.RESERVED.value: "ringing",
    CounselorState.ON_CALL.value: "on a call",
    CounselorState.WRAP_UP.value: "wrap-up",
    CounselorState.PAUSED.value: "paused",
    CounselorState.LOGGED_OUT.value: "logged out",
}


def counselor_json(view: CounselorView, name: str) -> dict[str, Any]:
    """One counselor as the pages show them: state and pause reason in Korean and English."""
    state = CounselorState(view.state)
    reason = PauseReason(view.pause_reason) if view.pause_reason else None
    return {
        **asdict(view),
        "name": name,
        "state_ko": STATE_KO[state],
        "state_en": SHOWN_EN[state.value],
        "shown_ko": SHOWN_KO[view.shown],
        "shown_en": SHOWN_EN[view.shown],
        "reason_ko": REASON_KO[reason] if reason else None,
    }


def wrap_up_alert_after(rules: CounselorRules) -> float:
    """'Much longer than the rule': the rule plus one press of 'more time' is over."""
    return rules.wrap_up_seconds + rules.wrap_up_extension_seconds


def alerts(
    board: Board,
    names: Mapping[str, str],
    rules: CounselorRules,
    today: TodayStats,
    target: float = SERVICE_TARGET,
) -> list[dict[str, Any]]:
    """What a supervisor should look at now, most urgent first."""
    found: list[dict[str, Any]] = []
    for c in board.counselors:
        name = names.get(c.id, c.id)
        if c.alert == "unreachable":
            found.append(
                _alert("unreachable", c.id, f"{name}: 전화기 연결 끊김", f"{name}: phone unreachable")
            )
        elif c.alert == "missed_calls":
            found.append(
                _alert(
                    "missed_calls",
                    c.id,
                    f"{name}: 전화를 연달아 받지 않아 자동 휴식 중",
                    f"{name}: paused after missed calls",
                )
            )
        if c.state == CounselorState.WRAP_UP.value and c.seconds_in_state > wrap_up_alert_after(rules):
            minutes = int(c.seconds_in_state // 60)
            found.append(
                _alert(
                    "long_wrap_up",
                    c.id,
                    f"{name}: 후처리 {minutes}분 넘게 계속",
                    f"{name}: in wrap-up for over {minutes} min",
                )
            )
    found = merged(found, names)
    if today.service_level is not None and today.service_level < target:
        percent, goal = round(today.service_level * 100), round(target * 100)
        found.append(
            _alert(
                "service_level",
                None,
                f"서비스 레벨 {percent}% (목표 {goal}%)",
                f"service level {percent}% is under the {goal}% target",
            )
        )
    return found


def _alert(kind: str, counselor: str | None, ko: str, en: str) -> dict[str, Any]:
    return {
        "kind": kind,
        "counselor": counselor,
        "counselors": [counselor] if counselor else [],
        "ko": ko,
        "en": en,
    }


# One line for many counselors with the same trouble, so the TV fits any number.
MERGED_KO = {
    "unreachable": "전화 끊김",
    "missed_calls": "미응답 자동 휴식",
    "long_wrap_up": "후처리 오래 계속",
}
MERGED_EN = {
    "unreachable": "phone unreachable",
    "missed_calls": "paused after missed calls",
    "long_wrap_up": "long wrap-up",
}
NAMES_SHOWN = 3  # names on a merged line; the rest are counted


def merged(found: list[dict[str, Any]], names: Mapping[str, str]) -> list[dict[str, Any]]:
    """Counselors' alerts of one kind as one line ("전화 끊김 10명: ...") when there are several."""
    kinds: dict[str, list[dict[str, Any]]] = {}
    for a in found:
        kinds.setdefault(a["kind"], []).append(a)
    out: list[dict[str, Any]] = []
    for kind, same in kinds.items():
        if len(same) < 2 or kind not in MERGED_KO:
            out.extend(same)
            continue
        ids = [a["counselor"] for a in same]
        shown = ", ".join(names.get(c, c) for c in ids[:NAMES_SHOWN])
        more = len(ids) - NAMES_SHOWN
        ko = f"{MERGED_KO[kind]} {len(ids)}명: {shown}" + (f" 외 {more}명" if more > 0 else "")
        en = f"{MERGED_EN[kind]}: {len(ids)} counselors"
        out.append({"kind": kind, "counselor": None, "counselors": ids, "ko": ko, "en": en})
    return out


def snapshot_of(
    board: Board,
    names: Mapping[str, str],
    rules: CounselorRules,
    today: TodayStats,
    service: Rules | None = None,
    queue_names: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """The wallboard as JSON; `service` gives T and the target (config.yaml `reports`),
    `queue_names` the queues' names people read (config.yaml `queues.<id>.name`)."""
    queue_names = queue_names or {}
    service = service or Rules(service_level_seconds=SERVICE_SECONDS, service_level_target=SERVICE_TARGET)
    counselors = [counselor_json(c, names.get(c.id, c.id)) for c in board.counselors]
    by_state = dict.fromkeys(STATE_ORDER, 0)
    for c in board.counselors:
        by_state[c.shown] += 1
    return {
        "kind": "wallboard",
        "waiting": board.waiting,
        "longest_wait_seconds": board.longest_wait_seconds,
        "queues": [asdict(q) | {"label": queue_names.get(q.name, q.name)} for q in board.queues],
        "counselors": counselors,
        "states": [
            {"state": s, "ko": SHOWN_KO[s], "en": SHOWN_EN[s], "count": by_state[s]} for s in STATE_ORDER
        ],
        "today": {
            **asdict(today),
            "service_seconds": service.service_level_seconds,
            "service_target": service.service_level_target,
        },
        "alerts": alerts(board, names, rules, today, service.service_level_target),
    }


async def snapshot(desk: Desk, acd: Dispatcher) -> dict[str, Any]:
    board = acd.board()  # first: the live part is what must be current
    midnight = local_midnight(desk.clock(), desk.timezone)
    service = desk.report_rules
    today = await read(desk.db, lambda db: today_stats(db, midnight, service.service_level_seconds))
    snap = snapshot_of(board, desk.counselors, acd.rules, today, service, desk.queues)
    snap["cases"], late = await case_figures.board_figure(desk, midnight)
    snap["alerts"].extend(late)
    return with_rehearsal(snap, desk.rehearsal_last())


def with_rehearsal(snap: dict[str, Any], last: Mapping[str, Any] | None) -> dict[str, Any]:
    """The last `ivr rehearse` run (none: null), and an alert when a path of it failed.
    Rehearsal calls are in no figure of the board: only this says they happened."""
    snap["rehearsal"] = dict(last) if last is not None else None
    if last is not None and int(last.get("failed", 0)):
        n, total = int(last["failed"]), int(last.get("paths", 0))
        snap["alerts"].append(
            _alert(
                "rehearsal",
                None,
                f"리허설: 경로 {total}개 중 {n}개 실패",
                f"rehearsal: {n} of {total} paths failed",
            )
        )
    return snap


def _acd(request: web.Request) -> tuple[Desk, Dispatcher]:
    desk = request.app[DESK]
    assert desk.acd is not None  # the routes exist only on a desk with a dispatcher
    return desk, desk.acd


@allow("supervisor")
async def wallboard_page(request: web.Request) -> web.StreamResponse:
    """The board with the supervisor's buttons; listening rings their own phone, named here."""
    desk, user = request.app[DESK], user_of(request)
    phone = desk.board.phone_of(user.username) if desk.board and user else None
    phones = desk.softphone
    # A supervisor with `phones: [browser]` registers it from this page; the buttons ring it.
    browser = phones is not None and user is not None and phones.supervisor_has_browser(user.username)
    page = render(
        request,
        "wallboard.html",
        kiosk=False,
        supervisor_phone=phone.endpoint if phone else None,
        softphone=browser,
    )
    if browser and phones is not None:
        page.headers["Content-Security-Policy"] = softphone_policy(phones.ws_origin(page_host(request)))
    return page


@allow("supervisor")
async def kiosk_page(request: web.Request) -> web.StreamResponse:
    """The same board, full screen and large, for the TV in the room."""
    return render(request, "wallboard.html", kiosk=True, supervisor_phone=None, softphone=False)


@allow("supervisor")
async def wallboard_json(request: web.Request) -> web.StreamResponse:
    desk, acd = _acd(request)
    return web.json_response(await snapshot(desk, acd))


@allow("supervisor")
async def wallboard_live(request: web.Request) -> web.StreamResponse:
    desk, acd = _acd(request)
    return await live.serve(request, acd, lambda: snapshot(desk, acd))


def add_routes(app: web.Application) -> None:
    app.router.add_get("/wallboard", wallboard_page)
    app.router.add_get("/wallboard/kiosk", kiosk_page)
    app.router.add_get("/api/wallboard", wallboard_json)
    app.router.add_get("/api/wallboard/live", wallboard_live)


def local_midnight(now: datetime, timezone: tzinfo) -> datetime:
    """The start of today where the call center is."""
    return now.astimezone(timezone).replace(hour=0, minute=0, second=0, microsecond=0)
