"""Counselor transfers to a city hall department, on the real Asterisk."""

from __future__ import annotations

from ivr import config as config_mod
from tests.integration.conftest import COUNSELOR_PORTS, DEPARTMENT_PORT, Service, wait_pbx_idle
from tests.integration.sipp import SippLab


def transfer_events(hotline: Service, call_id: str) -> list[tuple[str, dict[str, object]]]:
    wanted = ("transfer_ringing", "consulting", "transferred", "department_hung_up", "consult_returned")
    return [(k, d) for k, d in hotline.timeline(call_id) if k in wanted]


def test_blind_transfer_the_department_takes_the_caller_and_the_counselor_is_free(
    hotline: Service, lab: SippLab
) -> None:
    # The counselor keys *41 (the first department, 세무과) two seconds into the call.
    counselor = lab.counselor(COUNSELOR_PORTS[0], "answer", keys=[(2000, "*"), (2300, "4"), (2600, "1")])
    department = lab.counselor(DEPARTMENT_PORT, "answer", hangup_after_ms=5000)
    citizen = lab.citizen(digits=[(800, "0")], expect_bye_within_ms=90000)

    for phone in (counselor, department, citizen):
        assert phone.wait(90) == 0, phone.errors()  # the counselor's phone was hung up by the hotline
    [call] = hotline.closed_calls(1)
    assert (call["disposition"], call["counselor_id"]) == ("answered", "c1")
    kinds = [k for k, _ in transfer_events(hotline, call["id"])]
    assert kinds == ["transfer_ringing", "transferred", "department_hung_up"]
    [(_, moved)] = [e for e in transfer_events(hotline, call["id"]) if e[0] == "transferred"]
    assert moved == {"how": "blind", "department": "세무과", "counselor": "c1"}
    log = [r["event"] for r in hotline.query("SELECT event FROM queue_log ORDER BY id")]
    assert log == ["entered", "offered", "connected", "transferred", "completed_counselor"]
    # c1 went to wrap-up when the department took over, not when the caller hung up.
    wrap = hotline.query("SELECT at FROM counselor_events WHERE counselor_id = 'c1' AND to_state = 'wrap_up'")
    [transferred_at] = [
        r["at"] for r in hotline.query("SELECT at FROM call_events WHERE kind = 'transferred'")
    ]
    assert wrap and wrap[0]["at"] <= transferred_at


def test_consulted_transfer_caller_holds_while_counselor_and_department_talk_then_complete(
    hotline: Service, lab: SippLab
) -> None:
    keys = [(2000, "*"), (2300, "5"), (2600, "1"), (7000, "*"), (7300, "6")]
    counselor = lab.counselor(COUNSELOR_PORTS[0], "answer", keys=keys)
    department = lab.counselor(DEPARTMENT_PORT, "answer", hangup_after_ms=9000)
    citizen = lab.citizen(digits=[(800, "0")], expect_bye_within_ms=90000)

    for phone in (counselor, department, citizen):
        assert phone.wait(90) == 0, phone.errors()
    [call] = hotline.closed_calls(1)
    kinds = [k for k, _ in transfer_events(hotline, call["id"])]
    assert kinds == ["transfer_ringing", "consulting", "transferred", "department_hung_up"]
    [(_, moved)] = [e for e in transfer_events(hotline, call["id"]) if e[0] == "transferred"]
    assert moved["how"] == "attended"
    assert "Traceback" not in hotline.log()


def test_nothing_is_left_behind_after_transfers(
    pbx: config_mod.LoadedConfig, hotline: Service, lab: SippLab
) -> None:
    keys = [(2000, "*"), (2300, "5"), (2600, "1"), (7000, "*"), (7300, "7")]  # consult, then return
    counselor = lab.counselor(COUNSELOR_PORTS[0], "answer", keys=keys)
    department = lab.counselor(DEPARTMENT_PORT, "answer")
    citizen = lab.citizen(digits=[(800, "0")], hangup_after_ms=14000)

    for phone in (counselor, department, citizen):
        assert phone.wait(90) == 0, phone.errors()
    [call] = hotline.closed_calls(1)
    kinds = [k for k, _ in transfer_events(hotline, call["id"])]
    assert kinds == ["transfer_ringing", "consulting", "consult_returned"]
    # No consultation bridge, no conversation bridge, no channel stays in Asterisk.
    wait_pbx_idle(pbx)


def test_a_caller_handed_to_a_department_stays_with_it_across_a_restart_of_the_service(
    pbx: config_mod.LoadedConfig, hotline: Service, lab: SippLab
) -> None:
    counselor = lab.counselor(COUNSELOR_PORTS[0], "answer", keys=[(2000, "*"), (2300, "4"), (2600, "1")])
    department = lab.counselor(DEPARTMENT_PORT, "answer", hangup_after_ms=14000)
    citizen = lab.citizen(digits=[(800, "0")], expect_bye_within_ms=90000)
    moved = hotline.wait_for_event("transferred", timeout=30)
    hotline.kill()  # while the citizen talks with 세무과
    hotline.start()

    for phone in (counselor, department, citizen):
        assert phone.wait(90) == 0, phone.errors()  # the department hung up, the hotline said goodbye
    [call] = hotline.closed_calls(1)
    assert (call["disposition"], call["counselor_id"], call["handed_to"]) == ("answered", "c1", "세무과")
    assert call["id"] == moved["call_id"] and call["hangup_by"] != "caller"
    kinds = [k for k, _ in hotline.timeline(call["id"])]
    resumed = next(d for k, d in hotline.timeline(call["id"]) if k == "resumed")
    assert resumed == {"counselor": "dept:세무과"}
    assert kinds.index("resumed") < kinds.index("department_hung_up"), kinds
    # c1 was freed at the transfer and is not taken to be on this call again.
    rows = hotline.query(
        "SELECT to_state FROM counselor_events WHERE counselor_id = 'c1' AND at > ? ORDER BY id",
        (moved["at"],),
    )
    assert "on_call" not in [r["to_state"] for r in rows], rows
    log = [r["event"] for r in hotline.query("SELECT event FROM queue_log ORDER BY id")]
    assert log == ["entered", "offered", "connected", "transferred"], log
    wait_pbx_idle(pbx, timeout=15)
    assert "Traceback" not in hotline.log()
