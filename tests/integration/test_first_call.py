"""The five calls of the foundation, on the real Asterisk with real SIP phones."""

from __future__ import annotations

from tests.integration.conftest import COUNSELOR_PORTS, Service
from tests.integration.sipp import SippLab


def test_citizen_presses_0_and_talks_to_a_counselor(hotline: Service, lab: SippLab) -> None:
    counselor = lab.counselor(COUNSELOR_PORTS[0], "answer")
    citizen = lab.citizen(digits=[(1500, "0")], hangup_after_ms=9000)

    assert citizen.wait(60) == 0, citizen.errors()
    assert counselor.wait(30) == 0, counselor.errors()
    [call] = hotline.closed_calls(1)
    assert call["disposition"] == "answered"
    assert call["counselor_id"] == "c1"
    assert call["caller"] == "01012345678"
    assert call["dialed"] == "2221000"
    assert call["hangup_by"] == "caller"
    assert call["billable_seconds"] > 0
    assert call["talk_seconds"] > 0
    kinds = [k for k, _ in hotline.timeline(call["id"])]
    assert kinds[:2] == ["call_started", "answered"]
    assert "connected" in kinds and kinds[-1] == "call_ended"
