"""A supervisor listens to, whispers to, or barges into a counselor's call from their phone."""

from __future__ import annotations

import time

import pytest

from ivr import config as config_mod
from ivr.admin import users
from tests.integration.conftest import COUNSELOR_PORTS, SUPERVISOR_PORT, Service, ari_get, wait_pbx_idle
from tests.integration.desk_client import DeskClient
from tests.integration.sipp import SippLab

PASSWORD = "jeonju-2221000!"


def wait_bridge_with(cfg: config_mod.LoadedConfig, suffix: str, members: int, timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    bridges: list[dict[str, object]] = []
    while time.monotonic() < deadline:
        bridges = ari_get(cfg, "bridges")
        if any(str(b["id"]).endswith(suffix) and len(b["channels"]) >= members for b in bridges):  # type: ignore[arg-type]
            return
        time.sleep(0.1)
    raise AssertionError(f"no bridge *{suffix} with {members}+ channels after {timeout} s: {bridges}")


@pytest.mark.parametrize(
    ("code", "mode", "suffix", "members"),
    [
        ("*3101", "listen", "-watch1", 2),  # the supervisor and a snoop on the counselor's line
        ("*3201", "whisper", "-watch1", 2),
        ("*3301", "barge", "-talk", 3),  # caller, counselor and the supervisor (and the recorder)
    ],
)
def test_supervisor_joins_a_call_and_is_let_go_when_it_ends(
    pbx: config_mod.LoadedConfig,
    hotline: Service,
    lab: SippLab,
    code: str,
    mode: str,
    suffix: str,
    members: int,
) -> None:
    counselor = lab.counselor(COUNSELOR_PORTS[0], "answer")
    citizen = lab.citizen(digits=[(800, "0")], hangup_after_ms=16000)
    hotline.wait_for_event("connected", timeout=30)
    supervisor = lab.desk_call(SUPERVISOR_PORT, code, within_ms=60000)
    wait_bridge_with(pbx, suffix, members)

    # The citizen ends the call; the hotline then hangs up the supervisor too.
    for phone in (citizen, counselor, supervisor):
        assert phone.wait(60) == 0, phone.errors()
    [call] = hotline.closed_calls(1)
    joined = [d for k, d in hotline.timeline(call["id"]) if k == "supervisor_joined"]
    assert joined == [{"supervisor": "s1", "mode": mode}]
    assert "supervisor_left" in [k for k, _ in hotline.timeline(call["id"])]
    wait_pbx_idle(pbx)


def test_a_supervisor_asking_for_a_counselor_not_on_a_call_is_told_so(hotline: Service, lab: SippLab) -> None:
    supervisor = lab.desk_call(SUPERVISOR_PORT, "*3103")
    assert supervisor.wait(60) == 0, supervisor.errors()
    assert "supervisor s1 keyed *3103: no such call to join" in hotline.log()


def test_a_supervisor_listens_from_the_wallboard_through_the_same_code_as_the_phone(
    pbx: config_mod.LoadedConfig, hotline: Service, lab: SippLab
) -> None:
    """The board's 듣기 rings the supervisor's desk phone (config supervisors: user) into *3101:
    answered, it hears the call as the keyed code does, and the press is audited."""
    users.add_user(hotline.database, "super1", "박감독", "supervisor", PASSWORD, actor="pytest")
    counselor = lab.counselor(COUNSELOR_PORTS[0], "answer")
    citizen = lab.citizen(digits=[(800, "0")], hangup_after_ms=16000)
    hotline.wait_for_event("connected", timeout=30)
    supervisor = lab.counselor(SUPERVISOR_PORT, "answer")  # 박감독's desk phone rings and is answered
    status, answer = DeskClient("super1", PASSWORD).post("/api/wallboard/counselor/c1/listen", {})
    assert status == 200, answer
    wait_bridge_with(pbx, "-watch1", 2)
    for phone in (citizen, counselor, supervisor):
        assert phone.wait(60) == 0, phone.errors()
    [call] = hotline.closed_calls(1)
    joined = [d for k, d in hotline.timeline(call["id"]) if k == "supervisor_joined"]
    assert joined == [{"supervisor": "s1", "mode": "listen"}]
    [row] = hotline.query("SELECT actor, target, detail FROM audit WHERE action = 'board_action'")
    assert (row["actor"], row["target"], row["detail"]) == ("super1", "c1", "listen ok")
    wait_pbx_idle(pbx)
