"""A callback keeps the caller's place: counselor first, then the citizen, on the real Asterisk."""

from __future__ import annotations

from datetime import datetime

from tests.integration.conftest import CALLBACK_PORT, COUNSELOR_PORTS, Service
from tests.integration.sipp import SippLab

ASKS = "01033334444"


def test_a_callback_keeps_its_place_and_connects_counselor_and_citizen(
    hotline: Service, lab: SippLab
) -> None:
    # The "solo" line has one counselor, who talks with the first caller for ~20 s.
    counselor = lab.counselor(COUNSELOR_PORTS[0], "answer", calls=3)
    citizens_phone = lab.callee(CALLBACK_PORT, hangup_after_ms=5000)  # the callback rings here
    first = lab.citizen(digits=[(800, "2")], hangup_after_ms=20000, caller="01011112222")
    hotline.wait_for_event("connected", timeout=30)
    # The second caller waits, presses 1 to be called back, confirms their own
    # number with 1, and is told goodbye.
    asks = lab.citizen(digits=[(800, "2"), (4000, "1"), (9000, "1")], caller=ASKS, expect_bye_within_ms=60000)
    hotline.wait_for_event("callback_requested", timeout=40)
    # A third caller arrives after the request: they must come after the callback.
    later = lab.citizen(digits=[(800, "2")], hangup_after_ms=50000, caller="01055556666")

    for phone in (asks, first, citizens_phone, later):
        assert phone.wait(120) == 0, phone.errors()
    assert counselor.wait(30) == 0, counselor.errors()

    [request] = hotline.query("SELECT * FROM callbacks")
    assert (request["number"], request["status"], request["attempts"], request["handled_by"]) == (
        ASKS,
        "done",
        1,
        "c1",
    )
    calls = hotline.closed_calls(4)
    by_caller = {c["caller"]: c for c in calls if c["dialed"] != "callback"}
    [callback] = [c for c in calls if c["dialed"] == "callback"]
    assert (callback["caller"], callback["disposition"], callback["counselor_id"]) == (ASKS, "answered", "c1")
    assert callback["recording"] and callback["talk_seconds"] >= 3
    # The place was where the caller stood in line, ahead of the later caller...
    entered = {
        r["call_id"]: r["at"]
        for r in hotline.query("SELECT call_id, at FROM queue_log WHERE event = 'entered'")
    }
    assert request["place_at"] == entered[by_caller[ASKS]["id"]]
    # ...and the callback was served before them.
    later_call = by_caller["01055556666"]
    assert later_call["disposition"] == "answered"
    assert datetime.fromisoformat(callback["connected_at"]) < datetime.fromisoformat(
        later_call["connected_at"]
    )
    events = [r["event"] for r in hotline.query("SELECT event FROM queue_log WHERE event LIKE 'callback%'")]
    assert events == ["callback_requested", "callback_attempted", "callback_connected"]
    [attempt] = hotline.query("SELECT * FROM callback_attempts")
    assert (attempt["result"], attempt["counselor_id"], attempt["call_id"]) == (
        "connected",
        "c1",
        callback["id"],
    )
