"""The wallboard's honest states, merged alerts, queue names, and the supervisor's buttons."""

from __future__ import annotations

from typing import Any

from ivr.acd.counselor_model import Event, PauseReason
from ivr.admin.board_actions import SupervisorPhone
from ivr.web.context import DESK
from tests.web.conftest import Desk, csrf_of


def _counts(snapshot: dict[str, Any]) -> dict[str, int]:
    return {s["state"]: s["count"] for s in snapshot["states"]}


async def test_given_an_unreachable_phone_then_shown_and_counted_apart_never_available(desk: Desk) -> None:
    for cid in ("c1", "c2"):
        desk.acd.apply(cid, Event.login())
    desk.acd.set_reachable("c2", False)
    client = await desk.logged_in("supervisor")
    snap = await (await client.get("/api/wallboard")).json()
    shown = {c["id"]: (c["state"], c["shown"], c["shown_ko"]) for c in snap["counselors"]}
    assert shown == {
        "c1": ("available", "available", "대기"),
        "c2": ("available", "unreachable", "전화 연결 끊김"),
    }
    assert _counts(snap)["available"] == 1
    assert _counts(snap)["unreachable"] == 1
    assert [s["state"] for s in snap["states"]][:2] == ["available", "unreachable"]


async def test_given_many_counselors_with_one_trouble_then_one_merged_alert_names_them(desk: Desk) -> None:
    for cid in ("c1", "c2"):
        desk.acd.apply(cid, Event.login())
        desk.acd.set_reachable(cid, False)
    client = await desk.logged_in("supervisor")
    snap = await (await client.get("/api/wallboard")).json()
    [alert] = snap["alerts"]
    assert (alert["kind"], alert["counselors"], alert["ko"]) == (
        "unreachable",
        ["c1", "c2"],
        "전화 끊김 2명: 김상담, 이상담",
    )


async def test_given_queues_in_config_then_the_board_names_them_in_korean(desk: Desk) -> None:
    client = await desk.logged_in("supervisor")
    snap = await (await client.get("/api/wallboard")).json()
    assert [(q["name"], q["label"]) for q in snap["queues"]] == [("general", "일반 상담")]


async def test_given_a_supervisor_when_log_out_is_pressed_then_the_counselor_is_out_and_it_is_audited(
    desk: Desk,
) -> None:
    desk.acd.apply("c1", Event.login())
    desk.acd.apply("c1", Event.pause(PauseReason.BREAK))
    client = await desk.logged_in("supervisor")
    token = await csrf_of(client, "/wallboard")
    response = await client.post("/api/wallboard/counselor/c1/logout", headers={"X-CSRF-Token": token})
    assert response.status == 200, await response.text()
    assert desk.acd.state("c1").value == "logged_out"
    [row] = desk.audit("board_action")
    assert (row["actor"], row["target"], row["detail"]) == ("super1", "c1", "logout ok")


async def test_given_no_supervisor_phone_when_listen_is_pressed_then_refused_and_audited(desk: Desk) -> None:
    client = await desk.logged_in("supervisor")
    token = await csrf_of(client, "/wallboard")
    page = await (await client.get("/wallboard")).text()
    assert "감독자 전화기가 필요합니다" in page
    response = await client.post("/api/wallboard/counselor/c1/listen", headers={"X-CSRF-Token": token})
    assert response.status == 409
    assert "감독자 전화기가 없습니다" in (await response.json())["message_ko"]
    [row] = desk.audit("board_action")
    assert row["detail"].startswith("listen refused")


async def test_given_a_supervisor_phone_when_whisper_is_pressed_then_it_rings_into_the_same_code(
    desk: Desk,
) -> None:
    rung: list[tuple[str, str]] = []

    async def ring(supervisor_id: str, code: str) -> None:
        rung.append((supervisor_id, code))

    board = desk.server.app[DESK].board
    assert board is not None
    board.phones["super1"] = SupervisorPhone("s1", "박감독", "desk-s1")
    board.ring = ring
    desk.acd.apply("c2", Event.login())
    client = await desk.logged_in("supervisor")
    token = await csrf_of(client, "/wallboard")
    headers = {"X-CSRF-Token": token}
    # Not on a call: nothing rings.
    assert (await client.post("/api/wallboard/counselor/c2/whisper", headers=headers)).status == 409
    desk.acd.apply("c2", Event.offer("call-5"))
    desk.acd.apply("c2", Event.answer("call-5"))
    response = await client.post("/api/wallboard/counselor/c2/whisper", headers=headers)
    assert response.status == 200, await response.text()
    assert rung == [("s1", "*3202")]  # the second counselor's whisper code, as keyed on a phone
    assert [r["detail"].split(" ")[:2] for r in desk.audit("board_action")] == [
        ["whisper", "refused:"],
        ["whisper", "ok"],
    ]


async def test_given_a_counselor_or_qa_when_pressing_a_board_button_then_403(desk: Desk) -> None:
    for role in ("counselor", "qa"):
        client = await desk.logged_in(role)
        token = await csrf_of(client)
        response = await client.post("/api/wallboard/counselor/c1/logout", headers={"X-CSRF-Token": token})
        assert response.status == 403
    assert desk.audit("board_action") == []
