"""민원 on the desk: a counselor registers a case from their call and has its number read out;
a department works only its own cases (another's is 404), every opening audited; two answers
at once, one wins and the other is told in Korean; bad input refused plainly."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from ivr.acd.counselor_model import Event
from ivr.admin import users
from tests.web.conftest import PASSWORD, Desk, csrf_of, login

CENTER = frozenset({"counselor", "supervisor", "admin"})
COUNSELOR = frozenset({"counselor", "admin"})
# (method, path, route template, roles of the seeded users allowed; `department` users are tested below)
CASE_ROUTES = [
    ("GET", "/cases", "/cases", CENTER),
    ("GET", "/cases/2026-000001", "/cases/{number}", CENTER),
    ("POST", "/cases/2026-000001", "/cases/{number}", CENTER),
    ("GET", "/api/calls/call-7/case-form", "/api/calls/{call_id}/case-form", COUNSELOR),
    ("POST", "/api/cases", "/api/cases", COUNSELOR),
    ("POST", "/api/cases/2026-000001/read-out", "/api/cases/{number}/read-out", COUNSELOR),
    ("GET", "/reports/cases", "/reports/cases", frozenset({"supervisor", "admin"})),
    ("GET", "/case-followups", "/case-followups", frozenset({"supervisor", "admin"})),
    ("POST", "/case-followups/1", "/case-followups/{follow_id}", frozenset({"supervisor", "admin"})),
]

CALL = {
    "id": "call-7",
    "caller": "01055556666",
    "dialed": "2221000",
    "started_at": "2026-03-02T09:00:00.000+09:00",
    "open": 1,
    "counselor_id": "c1",
    "topic": "transport",
    "ivr_path": "main>3>0",
}


@pytest.fixture
def departments(desk: Desk) -> Desk:
    """Two department users (road, tax) and counselor c1's call-7 on record."""
    for name, dept in (("road1", "road"), ("road2", "road"), ("tax1", "tax")):
        users.add_user(desk.db_path, name, f"{dept} 담당", "department", PASSWORD, department=dept, actor="t")
    desk.insert("calls", CALL)
    desk.insert(
        "kb_call_uses",
        {
            "call_id": "call-7",
            "counselor_id": "c1",
            "author": "couns1",
            "at": "2026-03-02T00:01:00+00:00",
            "kind": "used",
            "slug": "illegal-parking",
            "version": 1,
        },
    )
    return desk


async def _as(desk: Desk, username: str) -> TestClient[Any, Any]:
    client = await desk.client()
    assert (await login(client, username)).status == 303
    return client


async def _register(client: TestClient[Any, Any], **over: Any) -> Any:
    body = {
        "call_id": "call-7",
        "description": "아파트 앞 불법 주정차를 단속해 주십시오.",
        "type": "query",
        "department": "road",
        "answer_channel": "phone",
        "name": "홍길동",
    } | over
    token = await csrf_of(client)
    return await client.post("/api/cases", json=body, headers={"X-CSRF-Token": token})


async def _act(desk: Desk, client: TestClient[Any, Any], number: str, event: str, **form: str) -> Any:
    """Send a change with the version the page shows (a page with no form: the case's current one)."""
    page = await client.get(f"/cases/{number}")
    shown = re.search(r'name="version" value="(\d+)"', await page.text())
    fields = {
        "csrf_token": await csrf_of(client),
        "event": event,
        "version": shown.group(1) if shown else str(desk.rows("cases", "number = ?", [number])[0]["version"]),
    }
    return await client.post(f"/cases/{number}", data=fields | form, allow_redirects=False)


async def test_given_a_call_when_the_counselor_registers_a_case_then_it_is_prefilled_from_the_call(
    departments: Desk,
) -> None:
    desk = departments
    counselor = await desk.logged_in("counselor")
    form = await (await counselor.get("/api/calls/call-7/case-form")).json()
    assert (form["caller"], form["topic"], form["ivr_path"], form["articles"]) == (
        "01055556666",
        "transport",
        "main>3>0",
        ["illegal-parking"],
    )
    assert {"id": "road", "name": "도로과"} in form["departments"]
    response = await _register(counselor)
    assert response.status == 201, await response.text()
    case = await response.json()
    # 2 March 2026 is 삼일절's substitute day: the 7 working days start on the 3rd.
    assert (case["number"], case["status"], case["deadline"]) == (
        "2026-000001",
        "assigned",
        "2026-03-11 18:00",
    )
    rows = desk.rows("cases")
    assert (rows[0]["caller"], rows[0]["ivr_path"], rows[0]["articles"]) == (
        "01055556666",
        "main>3>0",
        '["illegal-parking"]',
    )
    again = await (await counselor.get("/api/calls/call-7/case-form")).json()
    assert [c["number"] for c in again["open_cases"]] == ["2026-000001"]  # shown first on the next call


@pytest.mark.parametrize(
    ("over", "words"),
    [
        ({"department": "parks"}, "부서 'parks'은(는) 없습니다"),
        ({"description": "  "}, "민원 내용을 적어 주십시오"),
    ],
)
async def test_given_bad_input_when_registering_then_400_in_korean_and_nothing_kept(
    departments: Desk, over: dict[str, str], words: str
) -> None:
    counselor = await departments.logged_in("counselor")
    response = await _register(counselor, **over)
    assert response.status == 400 and words in (await response.json())["message"]
    assert departments.rows("cases") == [] and departments.rows("case_numbers") == []


async def test_someone_elses_call_registers_nothing(departments: Desk) -> None:
    departments.insert("calls", CALL | {"id": "call-8", "counselor_id": "c2"})
    counselor = await departments.logged_in("counselor")
    assert (await _register(counselor, call_id="call-8")).status == 404
    assert (await counselor.get("/api/calls/call-8/case-form")).status == 404


async def test_while_on_the_line_the_number_is_read_out_through_the_call(departments: Desk) -> None:
    desk = departments
    desk.acd.apply("c1", Event.login())
    desk.acd.apply("c1", Event.offer("call-7"))
    desk.acd.apply("c1", Event.answer("call-7"))
    counselor = await desk.logged_in("counselor")
    number = (await (await _register(counselor)).json())["number"]
    token = await csrf_of(counselor)
    response = await counselor.post(f"/api/cases/{number}/read-out", headers={"X-CSRF-Token": token})
    assert response.status == 202 and "읽어 드리고" in (await response.json())["message_ko"]
    assert desk.sent == [("call-7", f"case_number:{number}")]
    desk.acd.apply("c1", Event.hangup())
    refused = await counselor.post(f"/api/cases/{number}/read-out", headers={"X-CSRF-Token": token})
    assert refused.status == 400 and len(desk.sent) == 1
    assert [a["detail"][:4] for a in desk.audit("case_read_out")] == ["sent", "refu"]


async def test_a_department_sees_only_its_own_cases_and_every_opening_is_audited(departments: Desk) -> None:
    desk = departments
    number = (await (await _register(await desk.logged_in("counselor"))).json())["number"]
    road, tax = await _as(desk, "road1"), await _as(desk, "tax1")
    listed = await (await road.get("/cases")).text()
    assert number in listed and "도로과" in listed
    assert number not in await (await tax.get("/cases")).text()
    page = await road.get(f"/cases/{number}")
    shown = await page.text()
    assert page.status == 200 and "불법 주정차" in shown
    assert "010-****-6666" in shown and "01055556666" not in shown
    assert (await tax.get(f"/cases/{number}")).status == 404
    assert (await _act(desk, tax, number, "answer", text="세정과 답변")).status == 404
    opened = [(a["actor"], a["action"]) for a in desk.rows("audit", "action LIKE 'case_open%'")]
    assert opened == [("road1", "case_open"), ("tax1", "case_open_refused"), ("tax1", "case_open_refused")]
    assert desk.rows("cases")[0]["status"] == "assigned"


async def test_given_two_answers_at_once_then_one_wins_and_the_other_is_told_in_korean(
    departments: Desk,
) -> None:
    desk = departments
    number = (await (await _register(await desk.logged_in("counselor"))).json())["number"]
    first, second = await _as(desk, "road1"), await _as(desk, "road2")
    # Both open the page (version 2), then both send an answer.
    pages = [await (await c.get(f"/cases/{number}")).text() for c in (first, second)]
    tokens = [await csrf_of(c) for c in (first, second)]
    assert all('name="version" value="2"' in p for p in pages)
    won = await first.post(
        f"/cases/{number}",
        data={"csrf_token": tokens[0], "event": "answer", "version": "2", "text": "3월 4일 단속하였습니다."},
        allow_redirects=False,
    )
    lost = await second.post(
        f"/cases/{number}",
        data={"csrf_token": tokens[1], "event": "answer", "version": "2", "text": "단속 예정입니다."},
        allow_redirects=False,
    )
    assert won.status == 303
    assert lost.status == 409 and "road1 님이 먼저" in await lost.text()
    assert desk.rows("cases")[0]["answer"] == "3월 4일 단속하였습니다."


async def test_a_returned_case_is_reassigned_and_an_answer_to_a_closed_case_is_refused(
    departments: Desk,
) -> None:
    desk = departments
    counselor = await desk.logged_in("counselor")
    number = (await (await _register(counselor)).json())["number"]
    road = await _as(desk, "road1")
    assert (await _act(desk, road, number, "ask_citizen", text="정확한 위치를 여쭤 주십시오")).status == 303
    listed = await (await counselor.get("/cases")).text()
    assert "민원인 확인 요청" in listed  # the call center sees the department's question
    empty = await _act(desk, road, number, "return", text=" ")
    assert empty.status == 400 and "반송 사유를 적어" in await empty.text()
    assert (await _act(desk, road, number, "return", text="시설과 소관입니다")).status == 303
    assert (await _act(desk, road, number, "close")).status == 403  # the call center's, not a department's
    assert (await _act(desk, counselor, number, "reassign", department="tax")).status == 303
    tax = await _as(desk, "tax1")
    assert (await _act(desk, tax, number, "answer", text="세정과에서 답변드립니다")).status == 303
    assert (await _act(desk, counselor, number, "close", text="민원인 안내 완료")).status == 303
    late = await _act(desk, tax, number, "answer", text="추가 답변")
    assert late.status == 409 and "'종결' 상태여서 '답변'할 수 없습니다" in html.unescape(await late.text())
    assert [e["to_status"] for e in desk.rows("case_events")] == [
        "received",
        "assigned",
        "in_progress",
        "returned",
        "reassigned",
        "answered",
        "closed",
    ]


@pytest.mark.parametrize(
    ("method", "path", "role"),
    [(m, p, r) for m, p, _, roles in CASE_ROUTES for r in sorted({"qa", "editor"} | {"counselor"} - roles)],
)
async def test_given_a_role_without_cases_then_403(desk: Desk, method: str, path: str, role: str) -> None:
    client = await desk.logged_in(role)
    token = await csrf_of(client)
    response = await client.request(method, path, headers={"X-CSRF-Token": token}, json={})
    assert response.status == 403


async def test_supervisors_see_open_overdue_and_average_days_and_an_overdue_case_is_an_alert(
    departments: Desk,
) -> None:
    desk = departments
    counselor = await desk.logged_in("counselor")
    fast = (await (await _register(counselor, type="other")).json())["number"]  # 즉시: due in 3 working hours
    slow = (await (await _register(counselor, department="tax")).json())["number"]
    desk.clock.advance(days=2)  # 4 March, 09:00 in Seoul
    road = await _as(desk, "road1")
    assert (await _act(desk, road, fast, "answer", text="조치 완료")).status == 303
    supervisor = await desk.logged_in("supervisor")
    page = await (await supervisor.get("/reports/cases?from=2026-03-01&to=2026-03-31")).text()
    rows = dict(re.findall(r'data-department="([a-z-]+)".*?<td class="days">([^<]*)</td>', page, re.S))
    assert rows == {"road": "2.0", "tax": "-", "total": "2.0"}
    assert re.search(r'data-department="tax".*?class="open">1<', page, re.S)
    board = await (await supervisor.get("/api/wallboard")).json()
    assert board["cases"] == {"open": 1, "overdue": 0, "answered_today": 1}
    desk.clock.advance(days=10)  # past the tax case's 7 working days
    supervisor = await desk.logged_in("supervisor")  # the earlier session has expired
    board = await (await supervisor.get("/api/wallboard")).json()
    assert board["cases"]["overdue"] == 1
    assert [a["case"] for a in board["alerts"] if a["kind"] == "case_overdue"] == [slow]
