"""Hangup races on the real Asterisk: nothing raised, nothing left behind, nobody left reserved.

- the citizen's BYE 0–50 ms after their ACK (the service is still answering);
- the citizen hangs up while a counselor's phone rings (Asterisk CANCELs it);
- the counselor answers just as the citizen hangs up.
"""

from __future__ import annotations

import time
from datetime import datetime

from ivr.config import LoadedConfig
from tests.integration.conftest import COUNSELOR_PORTS, Service, wait_pbx_idle
from tests.integration.sipp import SippLab


def _settled(hotline: Service, pbx: LoadedConfig, counselor: str = "c1") -> None:
    """No channel or bridge left, the counselor free again, no traceback."""
    wait_pbx_idle(pbx, timeout=15)
    deadline = time.monotonic() + 15
    state = None
    while time.monotonic() < deadline:
        rows = hotline.query(
            "SELECT to_state FROM counselor_events WHERE counselor_id = ? ORDER BY id DESC LIMIT 1",
            (counselor,),
        )
        state = rows[0]["to_state"] if rows else None
        if state == "available":
            break
        time.sleep(0.05)
    assert state == "available", f"{counselor} left {state}"
    assert "Traceback" not in hotline.log()


def test_bye_right_after_ack_closes_every_record_once(
    hotline: Service, lab: SippLab, pbx: LoadedConfig
) -> None:
    delays = [1, 5, 10, 20, 30, 40, 50]
    citizens = [lab.citizen(hangup_after_ms=ms, caller=f"0103333{ms:04d}") for ms in delays]
    for citizen in citizens:
        assert citizen.wait(30) == 0, citizen.errors()
    calls = hotline.closed_calls(len(delays), timeout=30)
    assert len(hotline.query("SELECT id FROM calls")) == len(delays)
    assert {(c["disposition"], c["hangup_by"]) for c in calls} == {("abandoned_ivr", "caller")}
    _settled(hotline, pbx)


def test_the_citizen_hangs_up_while_the_counselor_rings(
    hotline: Service, lab: SippLab, pbx: LoadedConfig
) -> None:
    phone = lab.counselor(COUNSELOR_PORTS[0], "no_answer")  # c1, the `tax` line's only counselor
    citizen = lab.citizen(digits=[(800, "2")], hangup_after_ms=3500)
    hotline.wait_for_event("offer", timeout=15)
    assert citizen.wait(30) == 0, citizen.errors()
    assert phone.wait(30) == 0, phone.errors()  # its ringing was CANCELled
    [call] = hotline.closed_calls(1)
    # Gave up while c1's phone rang for them: the record and the queue log say so alike.
    assert (call["disposition"], call["hangup_by"]) == ("abandoned_ringing", "caller")
    events = [r["event"] for r in hotline.query("SELECT event FROM queue_log ORDER BY id")]
    assert events == ["entered", "offered", "abandoned"], events
    _settled(hotline, pbx)
    # Not a missed call of the counselor's: nobody let it ring out.
    assert not hotline.query("SELECT id FROM counselor_events WHERE reason = 'missed_calls'")


def _ms_between(earlier: str, later: str) -> int:
    return round((datetime.fromisoformat(later) - datetime.fromisoformat(earlier)).total_seconds() * 1000)


def test_the_counselor_answers_as_the_citizen_hangs_up(
    hotline: Service, lab: SippLab, pbx: LoadedConfig
) -> None:
    # First, how long after a citizen's call starts does c1's phone ring?
    phone = lab.counselor(COUNSELOR_PORTS[0], "answer")
    probe = lab.citizen(digits=[(800, "2")], hangup_after_ms=4000, caller="01044440000")
    assert probe.wait(30) == 0, probe.errors()
    [first] = hotline.closed_calls(1)
    events = {
        kind: row
        for kind, row in (
            (r["kind"], r)
            for r in hotline.query(
                "SELECT kind, at FROM call_events WHERE call_id = ? ORDER BY id DESC", (first["id"],)
            )
        )
    }
    ring_at = _ms_between(events["call_started"]["at"], events["offer"]["at"])
    phone.wait(30)
    _settled(hotline, pbx)

    # Then the answer lands around the citizen's BYE: 60 ms before it to 60 ms after.
    for n, skew in enumerate((-60, -30, -10, 0, 10, 30, 60), start=1):
        phone = lab.counselor(COUNSELOR_PORTS[0], "answer", ring_ms=1000 + skew)
        citizen = lab.citizen(digits=[(800, "2")], hangup_after_ms=ring_at + 1000, caller=f"010444400{n:02d}")
        assert citizen.wait(30) == 0, citizen.errors()
        hotline.closed_calls(n + 1, timeout=30)
        phone.wait(30)  # its scenario may end either way; the hotline's side is what counts
        phone.kill()
        _settled(hotline, pbx)
    assert len(hotline.query("SELECT id FROM calls")) == 8
    # A ring cancelled as its phone was killed is resent to this port; the
    # next test's phone here failed on it ("unexpected CANCEL").
    lab.absorb_cancel(COUNSELOR_PORTS[0], within_ms=6000).wait(20)
