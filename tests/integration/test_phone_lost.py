"""A counselor's phone vanishing mid-call (power or network gone), on the real
Asterisk: the phone goes silent, Asterisk ends its call after the line
timeout, and the citizen is told and put through to the next counselor, in
the same call, with both conversations recorded and nothing left behind."""

from __future__ import annotations

import json

from ivr.config import LoadedConfig
from tests.integration.conftest import COUNSELOR_PORTS, LINE_TIMEOUT, Service, wait_pbx_idle
from tests.integration.sipp import SippLab


def test_a_counselor_phone_that_vanishes_hands_the_citizen_to_the_next_counselor(
    hotline: Service, lab: SippLab, pbx: LoadedConfig
) -> None:
    phones = {f"c{i + 1}": lab.counselor(COUNSELOR_PORTS[i], "answer", timeout_ms=60000) for i in range(2)}
    citizen = lab.citizen(digits=[(800, "0")], speaks_at_ms=2000, hangup_after_ms=30000)
    first = hotline.wait_for_event("connected", timeout=30)
    call_id = first["call_id"]
    lost_one = dict(hotline.timeline(call_id))["connected"]["counselor"]
    phones[lost_one].kill()  # SIGKILL: no BYE, no more audio, as a phone losing power
    lost = hotline.wait_for_event("counselor_line_lost", timeout=LINE_TIMEOUT + 15)
    # Asterisk hung up the silent phone: back on line, it gets that BYE.
    back = lab.back_on_line(COUNSELOR_PORTS[int(lost_one[1:]) - 1])
    hotline.wait_for_event_count("connected", 2, timeout=30)
    assert citizen.wait(60) == 0, citizen.errors()

    [call] = hotline.closed_calls(1)
    kinds = [k for k, _ in hotline.timeline(call_id)]
    assert kinds.index("counselor_line_lost") < kinds.index("queue_reentered")
    assert kinds.count("connected") == 2 and "counselor_hung_up" not in kinds, kinds
    assert lost["call_id"] == call_id
    seconds = [d for k, d in hotline.timeline(call_id) if k == "connected"]
    taken_over_by = seconds[1]["counselor"]
    assert taken_over_by != lost_one
    # The citizen talked with the second counselor to the end, and hung up.
    assert (call["disposition"], call["hangup_by"]) == ("answered", "caller")
    assert call["counselor_id"] == taken_over_by
    # Both conversations are recorded, each in a file of its own.
    first_recording = hotline.stored_recording(f"call-{call_id}")
    second_recording = hotline.stored_recording(f"call-{call_id}-2")
    assert first_recording != second_recording and second_recording.name == f"{call_id}-2.wav"
    # One stay in line, answered; two conversations, one per counselor.
    log = [(r["event"], r["counselor_id"]) for r in hotline.query("SELECT * FROM queue_log ORDER BY id")]
    assert [e for e, _ in log if e == "entered"] == ["entered"]
    assert [c for e, c in log if e == "connected"] == [lost_one, taken_over_by]
    assert back.wait(30) == 0, back.errors()
    wait_pbx_idle(pbx, timeout=15)
    assert "Traceback" not in hotline.log()


def test_a_counselor_phone_back_after_missing_a_ring_answers_the_next_one(
    hotline: Service, lab: SippLab, pbx: LoadedConfig
) -> None:
    # c1's phone is off: the ring to it goes unanswered, and Asterisk resends
    # that INVITE to the port for 32 s after the hotline gave it up.
    citizen = lab.citizen(digits=[(800, "0")], hangup_after_ms=45000)
    missed = json.loads(hotline.wait_for_event("offer_result", timeout=30)["detail"])
    assert (missed["counselor"], missed["result"]) == ("c1", "no_answer")
    # Switched back on while the citizen still waits, the phone must ring for
    # the citizen when the hotline comes back round to c1, not for the ring
    # it missed.
    phone = lab.counselor(COUNSELOR_PORTS[0], "answer", timeout_ms=60000)
    connected = json.loads(hotline.wait_for_event("connected", timeout=40)["detail"])
    assert connected["counselor"] == "c1"
    assert citizen.wait(60) == 0, citizen.errors()
    assert phone.wait(30) == 0, phone.errors()
    [call] = hotline.closed_calls(1)
    assert (call["disposition"], call["counselor_id"]) == ("answered", "c1")
    wait_pbx_idle(pbx, timeout=15)
