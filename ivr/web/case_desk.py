"""/cases: the 민원 desk. A `department` user sees and works only their department's cases,
overdue and due today first; the call center (counselors, supervisors) sees all of them,
hands returned ones on and closes answered ones.

A case's page shows personal data (the description, the citizen's name; the
number whole to the call center, masked to a department, which reaches the
citizen through the call center): every opening is audited, and a department
user asking for another department's case by its number gets 404, that
refusal audited too. A change carries the version the person saw: of two
answering at once, the second is told in Korean who came first.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from ivr.admin import cases as case_use
from ivr.admin.problems import CaseRefused, Forbidden, InvalidInput, NoSuchCase
from ivr.cases.case import ANSWER_CHANNELS, Case
from ivr.cases.deadlines import urgency
from ivr.cases.states import LEGAL, OPEN, STATUS_NAMES, CaseEvent, CaseStatus, event_name, may
from ivr.store import case_rows
from ivr.store.case_changes import CaseChange, change
from ivr.store.reads import read
from ivr.store.stamps import parse_stamp
from ivr.store.users import User
from ivr.web.access import allow
from ivr.web.case_refusals import case_refusals
from ivr.web.context import DESK, Desk, client_ip
from ivr.web.kb_desk import acting_user
from ivr.web.masking import mask_number
from ivr.web.pages import render, see_other

ROLES = ("department", "counselor", "supervisor")
TEXT_MAX = 4000


def _side(user: User) -> str:
    return "department" if user.role == "department" else "center"


def _scope(user: User) -> str | None:
    """A department user's own department; None for the call center (every case)."""
    if user.role != "department":
        return None
    if not user.department:
        raise Forbidden()  # a department user bound to none sees nothing
    return user.department


def _row(desk: Desk, case: Case, now: Any) -> dict[str, Any]:
    rank = urgency(case.deadline, now) if case.status in OPEN else 3
    return {
        "case": case,
        "status_ko": STATUS_NAMES[CaseStatus(case.status)],
        "department_ko": desk.cases.departments.get(case.department, case.department),
        "type_ko": desk.cases.types[case.type].name if case.type in desk.cases.types else case.type,
        "deadline": case.deadline.astimezone(desk.timezone).strftime("%Y-%m-%d %H:%M"),
        "urgency": rank,
    }


@allow(*ROLES)
async def case_list(request: web.Request) -> web.StreamResponse:
    desk, user = request.app[DESK], acting_user(request)
    scope = _scope(user)
    q = request.query
    with case_refusals():
        f = case_use.parse_filter(
            desk.cases,
            desk.timezone,
            q.get("status") or ("open" if scope else None),
            scope or q.get("department") or None,
            q.get("overdue") == "1",
            q.get("from"),
            q.get("to"),
        )
    now = desk.clock()
    found, asked = await read(desk.db, lambda db: (case_rows.find(db, f, now), case_rows.asked_back(db)))
    rows = sorted(
        ({**_row(desk, c, now), "asked": c.number in asked} for c in found),
        key=lambda r: (r["urgency"], r["case"].deadline),
    )
    return render(
        request,
        "cases.html",
        rows=rows,
        scope=scope,
        scope_ko=desk.cases.departments.get(scope or "", scope),
        filters={k: q.get(k, "") for k in ("status", "department", "overdue", "from", "to")},
        statuses=[(s.value, STATUS_NAMES[s]) for s in CaseStatus],
        departments=desk.cases.departments,
    )


async def _page(
    request: web.Request, desk: Desk, user: User, number: str, status: int = 200, problem: str = ""
) -> web.StreamResponse:
    now, ip, scope = desk.clock(), client_ip(request), _scope(user)
    case = await desk.db.run(lambda db: case_rows.open_case(db, number, user.username, now, ip, scope))
    if case is None:
        raise NoSuchCase()
    history = await read(desk.db, lambda db: case_rows.history(db, number))
    side = _side(user)
    return render(
        request,
        "case.html",
        status=status,
        problem=problem,
        row=_row(desk, case, now),
        caller=mask_number(case.caller) if side == "department" else case.caller,
        channel_ko=ANSWER_CHANNELS.get(case.answer_channel, case.answer_channel),
        history=[{**e, "event_ko": event_name(e["event"])} for e in history],
        can={e.value: may(side, e) and (CaseStatus(case.status), e) in LEGAL for e in CaseEvent},
        departments=desk.cases.departments,
        local=lambda stamp: local_time(desk, stamp),
    )


@allow(*ROLES)
async def case_page(request: web.Request) -> web.StreamResponse:
    desk, user = request.app[DESK], acting_user(request)
    return await _page(request, desk, user, request.match_info["number"])


@allow(*ROLES)
async def case_act(request: web.Request) -> web.StreamResponse:
    """A form's change: start, answer, ask the citizen, return (a department); assign, reassign,
    close (the call center). Refused ones come back on the case's page with the reason."""
    desk, user = request.app[DESK], acting_user(request)
    number = request.match_info["number"]
    form = await request.post()
    try:
        event = CaseEvent(str(form.get("event") or ""))
        version = int(str(form.get("version") or ""))
    except ValueError:
        raise InvalidInput(["알 수 없는 요청입니다. · Unknown change."]) from None
    if not may(_side(user), event):
        raise Forbidden()
    text = str(form.get("text") or "")[: TEXT_MAX + 1]
    to = str(form.get("department") or "") or None
    c = CaseChange(number, event, user.username, text, version, _scope(user), to)
    now, ip = desk.clock(), client_ip(request)
    try:
        with case_refusals():
            await desk.db.run(lambda db: change(db, c, now, desk.cases, ip))
    except (InvalidInput, CaseRefused) as refused:  # told on the case's page, as it is now
        return await _page(request, desk, user, number, refused.status, refused.message)
    return see_other(f"/cases/{number}?done={event.value}")


def local_time(desk: Desk, stamp: str | None) -> str:
    return parse_stamp(stamp).astimezone(desk.timezone).strftime("%Y-%m-%d %H:%M") if stamp else ""


def add_routes(app: web.Application) -> None:
    app.router.add_get("/cases", case_list)
    app.router.add_get("/cases/{number}", case_page)
    app.router.add_post("/cases/{number}", case_act)
