"""The wallboard and the counselor desks: who may see and do what, and what they show."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from aiohttp import WSCloseCode, WSMsgType, WSServerHandshakeError
from aiohttp.test_utils import TestClient

from ivr.acd.counselor_model import CounselorState, Event, PauseReason
from ivr.ports import Disposition
from ivr.web.counselor_desk import DISPOSITIONS
from tests.web.conftest import COUNSELORS, USERS, Desk, csrf_of

ANY_ROLE = frozenset(USERS)
SUPERVISORS = frozenset({"supervisor", "admin"})
DESK_VIEWERS = frozenset({"counselor", "supervisor", "admin"})
# (method, path as requested, route template, roles the route lets through, kind)
LIVE_ROUTES = [
    ("GET", "/wallboard", "/wallboard", SUPERVISORS, "page"),
    ("GET", "/wallboard/kiosk", "/wallboard/kiosk", SUPERVISORS, "page"),
    ("GET", "/api/wallboard", "/api/wallboard", SUPERVISORS, "json"),
    ("GET", "/api/wallboard/live", "/api/wallboard/live", SUPERVISORS, "socket"),
    (
        "POST",
        "/api/wallboard/counselor/c1/logout",
        "/api/wallboard/counselor/{counselor_id}/{what}",
        SUPERVISORS,
        "json",
    ),
    ("GET", "/counselor", "/counselor", DESK_VIEWERS, "page"),
    ("GET", "/counselor/c1", "/counselor/{counselor_id}", DESK_VIEWERS, "page"),
    ("GET", "/api/counselor/c1/live", "/api/counselor/{counselor_id}/live", DESK_VIEWERS, "socket"),
    (
        "POST",
        "/api/counselor/c1/action",
        "/api/counselor/{counselor_id}/action",
        frozenset({"counselor", "admin"}),
        "json",
    ),
    (
        "POST",
        "/api/counselor/c1/call",
        "/api/counselor/{counselor_id}/call",
        frozenset({"counselor", "admin"}),
        "json",
    ),
    (
        "POST",
        "/api/counselor/c1/extend",
        "/api/counselor/{counselor_id}/extend",
        frozenset({"counselor", "admin"}),
        "json",
    ),
    (
        "POST",
        "/api/calls/call-1/notes",
        "/api/calls/{call_id}/notes",
        frozenset({"counselor", "admin"}),
        "json",
    ),
]
WRONG_ROLE = [(m, p, role) for m, p, _, roles, _ in LIVE_ROUTES for role in sorted(ANY_ROLE - roles)]
TODAY = "2026-03-02"  # the tests' clock: 2026-03-02 09:00 in Seoul


def _ids(case: tuple[Any, ...]) -> str:
    return " ".join(str(c) for c in case)


async def _post(client: TestClient[Any, Any], path: str, body: dict[str, Any], token: str | None) -> Any:
    headers = {"X-CSRF-Token": token} if token is not None else {}
    return await client.post(path, json=body, headers=headers, allow_redirects=False)


async def _next_snapshot(ws: Any, timeout: float = 2.0) -> dict[str, Any]:
    message: dict[str, Any] = await ws.receive_json(timeout=timeout)
    return message


def _counselor(snapshot: dict[str, Any], cid: str) -> dict[str, Any]:
    return next(c for c in snapshot["counselors"] if c["id"] == cid)


def _call(desk: Desk, call_id: str, started: str, **extra: Any) -> None:
    row = {"id": call_id, "caller": "01055556666", "dialed": "2221000", "started_at": started, "open": 0}
    desk.insert("calls", row | extra)


def _event(desk: Desk, call_id: str, at: str, kind: str) -> None:
    desk.insert("call_events", {"call_id": call_id, "at": at, "kind": kind, "detail": "{}"})


# -- who may reach what --------------------------------------------------------------------------


@pytest.mark.parametrize(("method", "path"), [(m, p) for m, p, _, _, _ in LIVE_ROUTES], ids=_ids)
async def test_given_no_login_when_live_route_then_login_page_or_401(
    desk: Desk, method: str, path: str
) -> None:
    client = await desk.client()
    response = await client.request(method, path, allow_redirects=False)
    if path.startswith("/api/"):
        assert response.status == 401
    else:
        assert response.status == 303 and response.headers["Location"].startswith("/login?next=")


@pytest.mark.parametrize(("method", "path", "role"), WRONG_ROLE, ids=_ids)
async def test_given_wrong_role_when_live_route_then_403_and_nothing_changes(
    desk: Desk, method: str, path: str, role: str
) -> None:
    client = await desk.logged_in(role)
    token = await csrf_of(client)
    body = {"action": "login", "note": "x"}
    response = await client.request(
        method, path, json=body, headers={"X-CSRF-Token": token}, allow_redirects=False
    )
    assert response.status == 403
    assert desk.acd.state("c1") is CounselorState.LOGGED_OUT
    assert desk.rows("call_notes") == []


@pytest.mark.parametrize("role", ["supervisor", "admin"])
async def test_given_supervisor_or_admin_when_wallboard_then_served_with_the_live_board(
    desk: Desk, role: str
) -> None:
    client = await desk.logged_in(role)
    for path in ("/wallboard", "/wallboard/kiosk"):
        page = await client.get(path)
        assert page.status == 200 and "상황판" in await page.text()
    snapshot = await (await client.get("/api/wallboard")).json()
    assert [c["id"] for c in snapshot["counselors"]] == ["c1", "c2"]
    assert snapshot["rehearsal"] is None  # no `ivr rehearse` run yet
    async with client.ws_connect("/api/wallboard/live") as ws:
        assert (await _next_snapshot(ws))["kind"] == "wallboard"


async def test_given_kiosk_when_opened_then_it_is_the_board_without_the_desk_header(desk: Desk) -> None:
    client = await desk.logged_in("supervisor")
    kiosk = await (await client.get("/wallboard/kiosk")).text()
    assert 'class="wallboard kiosk"' in kiosk and "로그아웃" not in kiosk
    assert "로그아웃" in await (await client.get("/wallboard")).text()


async def test_given_counselor_when_desk_index_then_their_own_desk(desk: Desk) -> None:
    counselor = await desk.logged_in("counselor")
    response = await counselor.get("/counselor", allow_redirects=False)
    assert response.status == 303 and response.headers["Location"] == "/counselor/c1"
    supervisor = await desk.logged_in("supervisor")
    listing = await (await supervisor.get("/counselor")).text()
    assert 'href="/counselor/c1"' in listing and 'href="/counselor/c2"' in listing


async def test_given_counselor_a_when_desk_of_counselor_b_then_403_everywhere_and_b_unchanged(
    desk: Desk,
) -> None:
    desk.acd.apply("c2", Event.login())
    client = await desk.logged_in("counselor")  # linked to c1
    token = await csrf_of(client)
    assert (await client.get("/counselor/c2")).status == 403
    with pytest.raises(WSServerHandshakeError) as refused:
        await client.ws_connect("/api/counselor/c2/live")
    assert refused.value.status == 403
    response = await _post(client, "/api/counselor/c2/action", {"action": "pause", "reason": "meal"}, token)
    assert response.status == 403
    assert desk.acd.state("c2") is CounselorState.AVAILABLE
    assert desk.audit("counselor_action") == []


@pytest.mark.parametrize("role", ["supervisor", "admin"])
async def test_given_supervisor_when_counselors_desk_then_they_see_it_but_cannot_act(
    desk: Desk, role: str
) -> None:
    desk.acd.apply("c1", Event.login())
    client = await desk.logged_in(role)
    token = await csrf_of(client)
    page = await (await client.get("/counselor/c1")).text()
    assert 'data-can-act="no"' in page and 'data-action="pause"' not in page
    async with client.ws_connect("/api/counselor/c1/live") as ws:
        assert (await _next_snapshot(ws))["counselor"]["state"] == "available"
    response = await _post(client, "/api/counselor/c1/action", {"action": "logout"}, token)
    assert response.status == 403
    assert desk.acd.state("c1") is CounselorState.AVAILABLE


async def test_given_unknown_counselor_when_supervisor_opens_the_desk_then_404(desk: Desk) -> None:
    client = await desk.logged_in("supervisor")
    assert (await client.get("/counselor/c99")).status == 404


@pytest.mark.parametrize("token", [None, "", "wrong-token"])
async def test_given_no_valid_csrf_token_when_counselor_posts_then_403_and_nothing_changes(
    desk: Desk, token: str | None
) -> None:
    _call(desk, "call-1", f"{TODAY}T08:00:00.000+09:00", counselor_id="c1")
    client = await desk.logged_in("counselor")
    response = await _post(client, "/api/counselor/c1/action", {"action": "login"}, token)
    assert response.status == 403 and (await response.json())["error"] == "csrf-token-invalid"
    response = await _post(client, "/api/calls/call-1/notes", {"note": "민원 안내"}, token)
    assert response.status == 403
    assert desk.acd.state("c1") is CounselorState.LOGGED_OUT
    assert desk.rows("call_notes") == []


async def test_given_page_of_another_site_when_it_opens_the_socket_then_403(desk: Desk) -> None:
    client = await desk.logged_in("supervisor")
    with pytest.raises(WSServerHandshakeError) as refused:
        await client.ws_connect("/api/wallboard/live", headers={"Origin": "http://evil.example"})
    assert refused.value.status == 403


async def test_given_sections_when_home_then_wallboard_and_desk_are_linked(desk: Desk) -> None:
    supervisor = await (await (await desk.logged_in("supervisor")).get("/")).text()
    assert 'href="/wallboard"' in supervisor and 'href="/counselor"' in supervisor
    counselor = await (await (await desk.logged_in("counselor")).get("/")).text()
    assert 'href="/counselor"' in counselor and 'href="/wallboard"' not in counselor


# -- the counselor's state buttons -----------------------------------------------------------------


async def test_given_counselor_when_log_in_pause_unpause_then_state_changes_and_each_is_audited(
    desk: Desk,
) -> None:
    client = await desk.logged_in("counselor")
    token = await csrf_of(client)
    path = "/api/counselor/c1/action"
    assert (await (await _post(client, path, {"action": "login"}, token)).json())["state"] == "available"
    response = await _post(client, path, {"action": "pause", "reason": "meal"}, token)
    body = await response.json()
    assert response.status == 200 and body["ok"] and body["state"] == "paused"
    assert desk.acd.counselors["c1"].pause_reason is PauseReason.MEAL
    assert (await (await _post(client, path, {"action": "unpause"}, token)).json())["state"] == "available"
    details = [row["detail"] for row in desk.audit("counselor_action")]
    assert details == ["login ok", "pause(meal) ok", "unpause ok"]
    assert {row["actor"] for row in desk.audit("counselor_action")} == {"couns1"}


async def _on_call_7(desk: Desk) -> tuple[TestClient[Any, Any], str]:
    """Counselor c1 on call-7, logged in at their desk: the client and its CSRF token."""
    desk.acd.apply("c1", Event.login())
    desk.acd.apply("c1", Event.offer("call-7"))
    desk.acd.apply("c1", Event.answer("call-7"))
    client = await desk.logged_in("counselor")
    return client, await csrf_of(client)


async def test_given_a_counselor_on_a_call_when_they_press_abuse_or_transfer_then_the_call_gets_it(
    desk: Desk,
) -> None:
    client, token = await _on_call_7(desk)
    for command in ("abuse", "blind:2", "consult:1", "complete", "return"):
        response = await _post(client, "/api/counselor/c1/call", {"command": command}, token)
        assert response.status == 202, await response.text()
    assert desk.sent == [("call-7", c) for c in ("abuse", "blind:2", "consult:1", "complete", "return")]
    assert [row["target"] for row in desk.audit("call_command")] == ["call-7"] * 5
    page = await (await client.get("/counselor/c1")).text()
    assert '<option value="2">복지과</option>' in page and 'data-command="abuse"' in page


async def test_given_no_call_or_a_made_up_command_when_posted_then_refused_and_nothing_sent(
    desk: Desk,
) -> None:
    desk.acd.apply("c1", Event.login())
    client = await desk.logged_in("counselor")
    token = await csrf_of(client)
    response = await _post(client, "/api/counselor/c1/call", {"command": "abuse"}, token)
    assert response.status == 409 and (await response.json())["message_ko"] == "통화 중이 아닙니다."
    response = await _post(client, "/api/counselor/c1/call", {"command": "hangup:everyone"}, token)
    assert response.status == 400
    assert desk.sent == []
    without_token = await _post(client, "/api/counselor/c1/call", {"command": "abuse"}, None)
    assert without_token.status == 403


async def test_given_a_request_the_state_refuses_when_posted_then_409_with_the_korean_message(
    desk: Desk,
) -> None:
    client = await desk.logged_in("counselor")
    token = await csrf_of(client)
    response = await _post(client, "/api/counselor/c1/action", {"action": "unpause"}, token)
    assert response.status == 409
    body = await response.json()
    assert body["ok"] is False and body["message_ko"] == "지금 상태(로그아웃)에서는 할 수 없는 요청입니다."
    assert desk.audit("counselor_action")[0]["detail"].startswith("unpause refused")


async def test_given_pause_without_a_chosen_reason_when_posted_then_refused(desk: Desk) -> None:
    desk.acd.apply("c1", Event.login())
    client = await desk.logged_in("counselor")
    token = await csrf_of(client)
    path = "/api/counselor/c1/action"
    response = await _post(client, path, {"action": "pause", "reason": "missed_calls"}, token)
    assert response.status == 409 and "휴식 사유를 골라" in (await response.json())["message_ko"]
    response = await _post(client, path, {"action": "dance"}, token)
    assert response.status == 400
    assert desk.acd.state("c1") is CounselorState.AVAILABLE


# -- live updates ----------------------------------------------------------------------------------


async def test_given_wallboard_socket_when_counselor_pauses_then_a_snapshot_shows_it(desk: Desk) -> None:
    client = await desk.logged_in("supervisor")
    async with client.ws_connect("/api/wallboard/live") as ws:
        first = await _next_snapshot(ws)
        assert _counselor(first, "c1")["state"] == "logged_out"
        desk.acd.apply("c1", Event.login())
        desk.acd.apply("c1", Event.pause(PauseReason.TRAINING))
        shown = _counselor(await _next_snapshot(ws), "c1")
        assert (shown["state"], shown["state_ko"], shown["reason_ko"]) == ("paused", "휴식", "교육")


async def test_given_a_burst_of_changes_when_pushed_then_one_snapshot_with_the_last_state(desk: Desk) -> None:
    client = await desk.logged_in("supervisor")
    async with client.ws_connect("/api/wallboard/live") as ws:
        await _next_snapshot(ws)
        desk.acd.apply("c1", Event.login())
        for _ in range(25):
            desk.acd.apply("c1", Event.pause(PauseReason.BREAK))
            desk.acd.apply("c1", Event.unpause())
        desk.acd.apply("c1", Event.pause(PauseReason.MEAL))
        assert _counselor(await _next_snapshot(ws), "c1")["pause_reason"] == "meal"
        # Fifty-two changes, one push: nothing more until the next change or refresh.
        with pytest.raises(asyncio.TimeoutError):
            await ws.receive_json(timeout=1.0)


async def test_given_counselor_desk_socket_when_state_changes_then_the_desk_is_told(desk: Desk) -> None:
    client = await desk.logged_in("counselor")
    token = await csrf_of(client)
    async with client.ws_connect("/api/counselor/c1/live") as ws:
        assert (await _next_snapshot(ws))["counselor"]["state_ko"] == "로그아웃"
        await _post(client, "/api/counselor/c1/action", {"action": "login"}, token)
        assert (await _next_snapshot(ws))["counselor"]["state_ko"] == "대기"


# -- today's figures and alerts --------------------------------------------------------------------


async def test_given_todays_calls_when_wallboard_then_offered_answered_abandoned_and_rates(
    desk: Desk,
) -> None:
    day = f"{TODAY}T08"
    # answered after 10 s and after 40 s in line; one hung up waiting, one while a phone rang for
    # them; one left for a callback (then hung up); one never reached the queue; one from yesterday.
    for n, wait in ((1, 10), (2, 40)):
        _call(
            desk,
            f"a{n}",
            f"{day}:0{n}:00.000+09:00",
            disposition="answered",
            counselor_id="c1",
            connected_at=f"{day}:0{n}:{wait:02d}.000+09:00",
        )
        _event(desk, f"a{n}", f"{day}:0{n}:00.000+09:00", "queue_entered")
    _call(desk, "gone", f"{day}:05:00.000+09:00", disposition="abandoned_queue", hangup_by="caller")
    _event(desk, "gone", f"{day}:05:01.000+09:00", "queue_entered")
    _call(desk, "rang", f"{day}:05:30.000+09:00", disposition="abandoned_ringing", hangup_by="caller")
    _event(desk, "rang", f"{day}:05:31.000+09:00", "queue_entered")
    _call(desk, "cb", f"{day}:06:00.000+09:00", disposition="abandoned_ivr", hangup_by="caller")
    _event(desk, "cb", f"{day}:06:01.000+09:00", "queue_entered")
    _event(desk, "cb", f"{day}:06:30.000+09:00", "queue_left")
    _call(desk, "menu", f"{day}:07:00.000+09:00", disposition="ivr_ended")
    _call(desk, "old", "2026-03-01T23:59:00.000+09:00", disposition="abandoned_queue")
    _event(desk, "old", "2026-03-01T23:59:01.000+09:00", "queue_entered")

    client = await desk.logged_in("supervisor")
    today = (await (await client.get("/api/wallboard")).json())["today"]
    assert (today["calls"], today["offered"], today["answered"], today["abandoned"]) == (6, 5, 2, 2)
    assert today["service_level"] == 0.5  # one of two answered within 20 s
    assert today["average_answer_seconds"] == 25.0
    assert today["abandon_rate"] == 0.4


async def test_given_trouble_when_wallboard_then_alerts_name_the_counselor_and_the_service_level(
    desk: Desk,
) -> None:
    _call(
        desk,
        "slow",
        f"{TODAY}T08:00:00.000+09:00",
        disposition="answered",
        connected_at=f"{TODAY}T08:01:00.000+09:00",
    )
    _event(desk, "slow", f"{TODAY}T08:00:00.000+09:00", "queue_entered")
    acd, clock = desk.acd, desk.acd.now
    for cid in ("c1", "c2"):
        acd.apply(cid, Event.login())
    acd.set_reachable("c2", False)
    acd.apply("c1", Event.offer("call-9"))
    acd.apply("c1", Event.answer("call-9"))
    acd.call_ended("c1")
    acd.apply("c1", Event.extend_wrap_up())
    clock.t += 95  # type: ignore[attr-defined]

    client = await desk.logged_in("supervisor")
    alerts = (await (await client.get("/api/wallboard")).json())["alerts"]
    assert [(a["kind"], a["counselor"]) for a in alerts] == [
        ("long_wrap_up", "c1"),
        ("unreachable", "c2"),
        ("service_level", None),
    ]
    assert alerts[0]["ko"] == "김상담: 후처리 1분 넘게 계속"
    assert alerts[1]["ko"] == "이상담: 전화기 연결 끊김"
    assert alerts[2]["ko"] == "서비스 레벨 0% (목표 80%)"


async def test_given_missed_calls_pause_when_wallboard_then_alerted(desk: Desk) -> None:
    desk.acd.apply("c1", Event.login())
    desk.acd.apply("c1", Event.pause(PauseReason.MISSED_CALLS))
    client = await desk.logged_in("supervisor")
    snapshot = await (await client.get("/api/wallboard")).json()
    assert _counselor(snapshot, "c1")["reason_ko"] == "미응답 자동 휴식"
    assert [a["kind"] for a in snapshot["alerts"]] == ["missed_calls"]


# -- the caller on the line, and after-call notes ------------------------------------------------


async def test_given_a_call_on_the_line_when_desk_then_caller_history_callback_and_voicemail(
    desk: Desk,
) -> None:
    _call(
        desk,
        "now",
        f"{TODAY}T08:30:00.000+09:00",
        counselor_id="c1",
        open=1,
        ivr_path="greeting > menu > counselor",
    )
    _call(desk, "two-days", "2026-02-28T10:00:00.000+09:00", disposition="answered", counselor_id="c2")
    _call(desk, "ten-days", "2026-02-20T10:00:00.000+09:00", disposition="answered")
    desk.insert(
        "calls",
        {
            "id": "other",
            "caller": "01099990000",
            "dialed": "2221000",
            "started_at": f"{TODAY}T07:00:00.000+09:00",
            "open": 0,
        },
    )
    desk.insert(
        "callbacks",
        {
            "call_id": "two-days",
            "number": "01055556666",
            "queue": "general",
            "requested_at": "2026-02-28T10:01:00.000+09:00",
            "status": "new",
        },
    )
    desk.insert(
        "voicemails",
        {
            "call_id": "two-days",
            "caller": "01055556666",
            "recording": "vm-1",
            "seconds": 12.5,
            "at": "2026-02-28T10:02:00.000+09:00",
            "status": "new",
        },
    )
    queued = {
        "call_id": "two-days",
        "number": "01055556666",
        "queue": "general",
        "requested_at": "2026-02-28T10:03:00.000+09:00",
        "status": "queued",
    }
    desk.insert("callbacks", queued)
    desk.insert("callbacks", queued | {"status": "done"})
    desk.acd.apply("c1", Event.login())
    desk.acd.apply("c1", Event.offer("now"))
    desk.acd.apply("c1", Event.answer("now"))

    client = await desk.logged_in("counselor")
    async with client.ws_connect("/api/counselor/c1/live") as ws:
        call = (await _next_snapshot(ws))["call"]
    assert (call["call_id"], call["caller"], call["current"]) == ("now", "01055556666", True)
    assert call["ivr_path"] == ["greeting", "menu", "counselor"]
    assert [p["id"] for p in call["previous"]] == ["two-days"]
    # As people read them: the number grouped, the earlier call's counselor by name.
    assert call["caller_shown"] == "010-5555-6666"
    assert call["previous"][0]["counselor_name"] == COUNSELORS["c2"]
    assert [c["status"] for c in call["callbacks"]] == ["queued", "new"]  # not the one placed
    assert call["voicemails"][0]["seconds"] == 12.5
    [viewed] = desk.audit("call_viewed")
    assert (viewed["actor"], viewed["target"]) == ("couns1", "now")


async def test_given_each_state_then_the_desk_offers_only_what_it_allows_and_says_a_pending_pause_in_words(
    desk: Desk,
) -> None:
    client = await desk.logged_in("counselor")
    token = await csrf_of(client)

    async def shown() -> dict[str, Any]:
        async with client.ws_connect("/api/counselor/c1/live") as ws:
            counselor: dict[str, Any] = (await _next_snapshot(ws))["counselor"]
        return counselor

    assert (await shown())["allowed"] == ["login"]
    desk.acd.apply("c1", Event.login())
    assert sorted((await shown())["allowed"]) == ["logout", "pause"]
    desk.acd.apply("c1", Event.offer("call-1"))
    desk.acd.apply("c1", Event.answer("call-1"))
    assert await _post(client, "/api/counselor/c1/action", {"action": "pause", "reason": "meal"}, token)
    on_call = await shown()
    assert on_call["pending_ko"] == "식사 예정" and sorted(on_call["allowed"]) == [
        "logout",
        "pause",
        "unpause",
    ]
    desk.acd.apply("c1", Event.hangup())
    wrap_up = await shown()
    assert sorted(wrap_up["allowed"]) == ["extend_wrap_up", "logout", "pause", "ready", "unpause"]
    # "지금 상담 가능" ends wrap-up now; the meal pause asked for on the call still comes first.
    response = await _post(client, "/api/counselor/c1/action", {"action": "unpause"}, token)
    assert response.status == 200  # cancels the pending meal
    response = await _post(client, "/api/counselor/c1/action", {"action": "ready"}, token)
    assert response.status == 200 and desk.acd.state("c1") is CounselorState.AVAILABLE
    details = [a["detail"] for a in desk.audit("counselor_action")]
    assert details == ["pause(meal) ok", "unpause ok", "ready ok"]


def test_every_disposition_has_its_korean_words_on_the_desk() -> None:
    every = {value for name, value in vars(Disposition).items() if name.isupper()}
    assert set(DISPOSITIONS) == every
    assert all(DISPOSITIONS.values())


async def test_given_callers_who_gave_up_in_line_when_desk_then_said_as_waiting_or_ringing_abandons(
    desk: Desk,
) -> None:
    _call(desk, "now", f"{TODAY}T08:30:00.000+09:00", counselor_id="c1", open=1)
    _call(desk, "waited", "2026-02-28T10:00:00.000+09:00", disposition="abandoned_queue")
    _call(desk, "rang", "2026-02-28T11:00:00.000+09:00", disposition="abandoned_ringing")
    desk.acd.apply("c1", Event.login())
    desk.acd.apply("c1", Event.offer("now"))
    desk.acd.apply("c1", Event.answer("now"))
    client = await desk.logged_in("counselor")
    html = await (await client.get("/counselor/c1")).text()
    # The words counselor.js puts in the previous calls' Result column, by disposition.
    assert '<span data-disposition="abandoned_queue">대기 중 포기</span>' in html
    assert '<span data-disposition="abandoned_ringing">연결 중 포기</span>' in html
    assert '<span data-disposition="abandoned_ivr">ARS 중 종료</span>' in html
    async with client.ws_connect("/api/counselor/c1/live") as ws:
        call = (await _next_snapshot(ws))["call"]
    assert [(p["id"], p["disposition"]) for p in call["previous"]] == [
        ("rang", "abandoned_ringing"),
        ("waited", "abandoned_queue"),
    ]


async def test_given_counselors_call_when_note_saved_then_stored_with_topic_and_audited(desk: Desk) -> None:
    _call(desk, "call-1", f"{TODAY}T08:00:00.000+09:00", counselor_id="c1", disposition="answered")
    client = await desk.logged_in("counselor")
    token = await csrf_of(client)
    body = {"note": "여권 발급 서류 안내", "topic": "documents"}
    response = await _post(client, "/api/calls/call-1/notes", body, token)
    assert response.status == 201
    assert (await response.json())["at"] == "2026-03-02T09:00:00+09:00"
    [note] = desk.rows("call_notes")
    assert (note["call_id"], note["counselor_id"], note["author"]) == ("call-1", "c1", "couns1")
    assert (note["topic"], note["note"]) == ("documents", "여권 발급 서류 안내")
    [audited] = desk.audit("call_note_added")
    assert audited["target"] == "call-1" and audited["detail"] == "topic=documents chars=11"


async def test_given_a_colleagues_or_unknown_call_when_note_posted_then_404_and_nothing_stored(
    desk: Desk,
) -> None:
    _call(desk, "theirs", f"{TODAY}T08:00:00.000+09:00", counselor_id="c2", disposition="answered")
    client = await desk.logged_in("counselor")
    token = await csrf_of(client)
    for call_id in ("theirs", "no-such-call"):
        response = await _post(client, f"/api/calls/{call_id}/notes", {"note": "엿보기"}, token)
        assert response.status == 404
    assert desk.rows("call_notes") == []


async def test_given_bad_note_when_posted_then_400_with_reasons(desk: Desk) -> None:
    _call(desk, "call-1", f"{TODAY}T08:00:00.000+09:00", counselor_id="c1")
    client = await desk.logged_in("counselor")
    token = await csrf_of(client)
    for body in ({"note": "", "topic": ""}, {"topic": "gossip"}, {"note": "가" * 2001}):
        response = await _post(client, "/api/calls/call-1/notes", body, token)
        assert response.status == 400
    assert desk.rows("call_notes") == []


async def test_given_open_live_pages_when_the_service_stops_then_their_sockets_are_closed(desk: Desk) -> None:
    # aiohttp's shutdown waits for running handlers: a page left open must not hold up SIGTERM.
    client = await desk.logged_in("supervisor")
    async with client.ws_connect("/api/wallboard/live") as ws:
        await _next_snapshot(ws)
        app = desk.server.app
        assert app is not None
        await asyncio.wait_for(app.shutdown(), timeout=5)
        message = await ws.receive(timeout=5)
        assert message.type is WSMsgType.CLOSE and message.data == WSCloseCode.GOING_AWAY


async def test_given_a_call_with_a_length_limit_then_the_desk_counts_down_and_extends_once_with_a_reason(
    desk: Desk,
) -> None:
    client, token = await _on_call_7(desk)
    page = await (await client.get("/counselor/c1")).text()
    for code, command in (("*9", "abuse"), ("*81", "harassment"), ("*82", "superior"), ("*83", "repeated")):
        assert f'data-command="{command}"' in page and f"({code})" in page
    for command in ("harassment", "superior", "repeated"):
        response = await _post(client, "/api/counselor/c1/call", {"command": command}, token)
        assert response.status == 202
    async with client.ws_connect(
        "/api/counselor/c1/live", headers={"Origin": str(client.make_url(""))}
    ) as ws:
        snap = await _next_snapshot(ws)
    assert snap["limit"] == {"remaining": 1140.0, "phase": "counting", "extended": False, "exempt_why": ""}
    no_reason = await _post(client, "/api/counselor/c1/extend", {"reason": "  "}, token)
    assert (
        no_reason.status == 409 and (await no_reason.json())["message_ko"] == "연장 사유를 입력해 주십시오."
    )
    extended = await _post(client, "/api/counselor/c1/extend", {"reason": "주소 확인 중"}, token)
    body = await extended.json()
    assert extended.status == 200 and body["limit"]["remaining"] == 1740.0 and body["limit"]["extended"]
    again = await _post(client, "/api/counselor/c1/extend", {"reason": "한 번 더"}, token)
    assert again.status == 409
    assert [row["detail"] for row in desk.audit("call_extended")] == [
        "refused: An extension needs a reason.",
        "+600s reason=주소 확인 중",
        "refused: A call can be extended only once.",
    ]
