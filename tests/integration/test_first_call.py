"""The five calls of the foundation, on the real Asterisk with real SIP phones."""

from __future__ import annotations

from typing import Any

from ivr import config as config_mod
from tests.integration.conftest import COUNSELOR_PORTS, Service
from tests.integration.sipp import SippLab


def test_citizen_presses_0_and_talks_to_a_counselor(
    pbx: config_mod.LoadedConfig, hotline: Service, lab: SippLab
) -> None:
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
    # The conversation was recorded from the moment it connected.
    assert call["recording"] == f"call-{call['id']}"
    wav = hotline.stored_recording(call["recording"])
    assert wav.is_file() and wav.stat().st_size >= 44


def test_citizen_hangs_up_during_the_greeting(hotline: Service, lab: SippLab) -> None:
    citizen = lab.citizen(hangup_after_ms=600)  # the greeting lasts about 2 s

    assert citizen.wait(30) == 0, citizen.errors()
    [call] = hotline.closed_calls(1)
    assert call["disposition"] == "abandoned_ivr"
    assert call["hangup_by"] == "caller"
    assert call["counselor_id"] is None
    assert call["ivr_path"] == "greeting"
    assert "Traceback" not in hotline.log()


def test_invalid_digit_then_silence_is_reprompted_then_goodbye(hotline: Service, lab: SippLab) -> None:
    # "9" is no option; then the caller says nothing (menu_attempts is 2 here).
    citizen = lab.citizen(digits=[(1000, "9")], expect_bye_within_ms=90000)

    assert citizen.wait(120) == 0, citizen.errors()
    [call] = hotline.closed_calls(1)
    assert call["disposition"] == "ivr_ended"
    assert call["hangup_by"] == "system"
    assert call["ivr_path"] == "greeting > menu > goodbye"
    events = hotline.timeline(call["id"])
    kinds = [k for k, _ in events]
    assert kinds.index("menu_invalid") < kinds.index("menu_timeout")
    assert dict(events)["menu_invalid"]["digit"] == "9"


def test_counselors_who_do_not_answer_are_busy_or_decline_are_skipped(hotline: Service, lab: SippLab) -> None:
    silent = lab.counselor(COUNSELOR_PORTS[0], "no_answer")
    busy = lab.counselor(COUNSELOR_PORTS[1], "busy")  # 486
    declining = lab.counselor(COUNSELOR_PORTS[2], "decline")  # 603
    free = lab.counselor(COUNSELOR_PORTS[3], "answer")
    citizen = lab.citizen(digits=[(1000, "0")], hangup_after_ms=25000)

    assert citizen.wait(60) == 0, citizen.errors()
    for phone in (silent, busy, declining, free):
        assert phone.wait(30) == 0, phone.errors()
    [call] = hotline.closed_calls(1)
    assert call["disposition"] == "answered"
    assert call["counselor_id"] == "c4"
    results = [(d["counselor"], d["result"]) for k, d in hotline.timeline(call["id"]) if k == "offer_result"]
    assert results == [("c1", "no_answer"), ("c2", "busy"), ("c3", "rejected"), ("c4", "answered")]


def test_service_killed_mid_conversation_the_conversation_goes_on(hotline: Service, lab: SippLab) -> None:
    a_conversation_outlives_the_service_killed(hotline, lab)


def a_conversation_outlives_the_service_killed(hotline: Service, lab: SippLab) -> dict[str, Any]:
    """A conversation, the service SIGKILLed and started again: the call goes on, recorded once."""
    counselor = lab.counselor(COUNSELOR_PORTS[0], "answer")
    citizen = lab.citizen(digits=[(1000, "0")], hangup_after_ms=30000)
    hotline.wait_for_event("connected", timeout=40)

    hotline.kill()
    hotline.start()

    # Both phones finish their scenarios: nobody was hung up on while the
    # service was away; the citizen ends the call with their own BYE.
    assert citizen.wait(60) == 0, citizen.errors()
    assert counselor.wait(30) == 0, counselor.errors()
    [call] = hotline.closed_calls(1)
    assert call["disposition"] == "answered"
    assert call["hangup_by"] == "caller"
    assert call["counselor_id"] == "c1"
    assert call["billable_seconds"] > 20
    assert len(hotline.query("SELECT id FROM calls")) == 1
    kinds = [k for k, _ in hotline.timeline(call["id"])]
    assert kinds.count("connected") == 1
    assert "resumed" in kinds and kinds[-1] == "call_ended"
    return call


def test_the_counselor_hangs_up_first_and_the_citizen_hears_goodbye(hotline: Service, lab: SippLab) -> None:
    counselor = lab.counselor(COUNSELOR_PORTS[0], "answer", hangup_after_ms=4000)
    citizen = lab.citizen(digits=[(1000, "0")], expect_bye_within_ms=60000)

    assert counselor.wait(60) == 0, counselor.errors()
    assert citizen.wait(60) == 0, citizen.errors()
    [call] = hotline.closed_calls(1)
    assert (call["disposition"], call["hangup_by"], call["counselor_id"]) == ("answered", "system", "c1")
    assert 3.0 <= call["talk_seconds"], call
    path = call["ivr_path"].split(" > ")
    assert path[-2:] == ["counselor", "goodbye"]
    events = [r["event"] for r in hotline.query("SELECT event FROM queue_log ORDER BY id")]
    assert events == ["entered", "offered", "connected", "completed_counselor"]
