"""민원 end to end on the real Asterisk: a SIPp citizen calls, the counselor (a SIPp desk
phone, and the desk's JSON API as their browser would call it) registers a case from the
call and has its number read out; the citizen hears the reading for as long as its
rendered prompts last, the case is stored with the call, and the call goes on."""

from __future__ import annotations

import time

import numpy as np

from ivr import config as config_mod
from ivr.admin import users
from ivr.prompts.case_number import case_number_prompts
from tests.browser.test_prompt_studio import alaw
from tests.browser.test_softphone import Citizen
from tests.integration.conftest import COUNSELOR_PORTS, Service
from tests.integration.desk_client import DeskClient
from tests.integration.sipp import SippLab
from tests.integration.test_service_lifecycle import prompt_seconds

PASSWORD = "jeonju-2221000!"
FRAME = 160  # 20 ms of 8 kHz audio


def sounding_seconds(x: np.ndarray, floor_db: float = -45.0) -> float:
    """From the first to the last 20 ms frame louder than `floor_db` (dBFS): how long it spoke."""
    frames = x[: len(x) // FRAME * FRAME].reshape(-1, FRAME)
    level = 20 * np.log10(np.maximum(np.sqrt(np.mean(frames**2, axis=1)), 1e-10))
    loud = np.flatnonzero(level > floor_db)
    return 0.0 if not len(loud) else (loud[-1] - loud[0] + 1) * FRAME / 8000


def test_a_counselor_registers_a_case_and_the_citizen_hears_its_number(
    pbx: config_mod.LoadedConfig, hotline: Service, lab: SippLab
) -> None:
    started = time.monotonic()
    users.add_user(
        hotline.database, "kim", "김상담", "counselor", PASSWORD, counselor_id="c1", actor="pytest"
    )
    expected = sum(prompt_seconds(pbx, p) for p in case_number_prompts("2026-000001"))
    counselor = lab.counselor(COUNSELOR_PORTS[0], "answer", hangup_after_ms=int(expected * 1000) + 9000)
    citizen = Citizen()
    phone = lab.citizen_heard_on(citizen.port, hangup_after_ms=None, expect_bye_within_ms=90000)
    citizen.key("0")  # the menu's counselor
    connected = hotline.wait_for_event("connected", timeout=30)

    desk = DeskClient("kim", PASSWORD)
    status, case = desk.post(
        "/api/cases",
        {
            "call_id": connected["call_id"],
            "description": "덕진공원 앞 가로등이 사흘째 꺼져 있습니다.",
            "type": "inconvenience",
            "department": "road",
            "answer_channel": "phone",
        },
    )
    assert status == 201, case
    number = case["number"]
    asked = time.monotonic()
    status, body = desk.post(f"/api/cases/{number}/read-out", {})
    assert status == 202, body
    hotline.wait_for_event("case_number_read", timeout=10)

    assert counselor.wait(90) == 0, counselor.errors()
    assert phone.wait(30) == 0, phone.errors()
    # What came in the reading's time and a little more; after the counselor hangs up
    # (9 s later) the flow's own goodbye follows, which is not the reading.
    window = sorted(q for q, at in citizen.arrivals.items() if asked <= at <= asked + expected + 4)
    heard = alaw(b"".join(citizen.packets[q] for q in window))
    citizen.heard()
    spoke = sounding_seconds(heard)
    # The rendered prompts carry a little silence at their ends: the reading sounds a bit
    # shorter than their sum, never longer, and it was not cut off.
    assert expected - 2.5 <= spoke <= expected + 0.5, (spoke, expected)

    [call] = hotline.closed_calls(1)
    [row] = hotline.query("SELECT * FROM cases WHERE number = ?", (number,))
    assert (row["caller"], row["status"], row["department"]) == (call["caller"], "assigned", "road")
    linked = hotline.query("SELECT call_id FROM case_calls WHERE number = ?", (number,))
    assert [r["call_id"] for r in linked] == [call["id"]]
    assert call["disposition"] == "answered"  # the conversation went on after the reading
    took = time.monotonic() - started
    print(f"\ntest_cases: reading {expected:.1f} s, heard {spoke:.1f} s, test {took:.1f} s")
