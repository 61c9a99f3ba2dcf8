"""Citizens waiting in line on the real Asterisk: fair order, priority, abandons, missed rings."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta

from tests.integration.conftest import COUNSELOR_PORTS, Service
from tests.integration.sipp import SippLab

CALLERS = 30
PRIORITY = 25  # this caller is on the flow's priority list
PRIORITY_NUMBER = "01099990000"


def _served_at(i: int) -> int:
    """Where caller i is served: the priority caller first of the second wave."""
    if i == PRIORITY:
        return len(COUNSELOR_PORTS)
    return i + 1 if len(COUNSELOR_PORTS) <= i < PRIORITY else i


def test_thirty_callers_are_answered_in_order_of_arrival_priority_first_and_no_counselor_has_two(
    hotline: Service, lab: SippLab
) -> None:
    phones = [lab.counselor(port, "answer", calls=3) for port in COUNSELOR_PORTS]
    citizens = []
    for i in range(CALLERS):
        # Each wave of eleven talks about twenty seconds; the next wave waits in line.
        hangup = 20000 + 25000 * (_served_at(i) // len(COUNSELOR_PORTS))
        number = PRIORITY_NUMBER if i == PRIORITY else f"0101000{i:04d}"
        citizens.append(lab.citizen(digits=[(800, "0")], hangup_after_ms=hangup, caller=number))
        hotline.wait_for_event_count("call_started", i + 1, timeout=10)

    for citizen in citizens:
        assert citizen.wait(120) == 0, citizen.errors()
    # Desk phones took two or three calls each (longest idle first); none failed one.
    for phone in phones:
        assert phone.proc.poll() in (None, 0), phone.errors()
    calls = hotline.closed_calls(CALLERS, timeout=30)
    assert [c["disposition"] for c in calls] == ["answered"] * CALLERS
    taken = sorted(sum(1 for c in calls if c["counselor_id"] == f"c{i}") for i in range(1, 12))
    assert taken == [2, 2, 2, 3, 3, 3, 3, 3, 3, 3, 3]  # the work is shared out
    # Served in order of arrival: nobody is connected later than someone who
    # called after them. Two counselors freed in the same instant may answer
    # a few milliseconds apart (their phones' timing), hence the margin.
    by_arrival = sorted(calls, key=lambda c: c["started_at"])
    [priority] = [c for c in by_arrival if c["caller"] == PRIORITY_NUMBER]
    others = [c for c in by_arrival if c is not priority]
    connected = [datetime.fromisoformat(c["connected_at"]) for c in others]
    margin = timedelta(milliseconds=500)
    for later, when in enumerate(connected[1:], start=1):
        assert max(connected[:later]) <= when + margin, (later, connected)
    # The priority caller arrived last but one, and went ahead of everyone still waiting.
    first_wave_end = sorted(connected)[len(COUNSELOR_PORTS) - 1]
    still_waiting = [when for when in connected if when > first_wave_end + margin]
    assert datetime.fromisoformat(priority["connected_at"]) <= min(still_waiting) + margin
    # No counselor ever had two conversations at once.
    for counselor in {c["counselor_id"] for c in calls}:
        spans = sorted(
            (datetime.fromisoformat(c["connected_at"]), datetime.fromisoformat(c["ended_at"]))
            for c in calls
            if c["counselor_id"] == counselor
        )
        for (_, end), (start, _) in itertools.pairwise(spans):
            # ... and each had their full wrap-up (one second here) before the next.
            assert start - end >= timedelta(seconds=1), (counselor, end, start)
    waited = [c for c in by_arrival[len(COUNSELOR_PORTS) :]]
    assert all("queue_announced" in [k for k, _ in hotline.timeline(c["id"])] for c in waited)


def test_a_caller_who_hangs_up_while_waiting_is_a_queue_abandon_with_position_and_wait(
    hotline: Service, lab: SippLab
) -> None:
    # The "solo" line has one counselor, busy with the first caller.
    counselor = lab.counselor(COUNSELOR_PORTS[0], "answer")
    first = lab.citizen(digits=[(800, "2")], hangup_after_ms=20000, caller="01011110001")
    hotline.wait_for_event("connected", timeout=30)
    second = lab.citizen(digits=[(800, "2")], hangup_after_ms=9000, caller="01011110002")

    assert second.wait(60) == 0, second.errors()
    assert first.wait(60) == 0, first.errors()
    assert counselor.wait(30) == 0, counselor.errors()
    calls = {c["caller"]: c for c in hotline.closed_calls(2)}
    gave_up = calls["01011110002"]
    # Waiting, not in the menu: and no phone rang for them (c1 was talking).
    assert gave_up["disposition"] == "abandoned_queue" and gave_up["hangup_by"] == "caller"
    [abandoned] = hotline.query("SELECT * FROM queue_log WHERE event = 'abandoned'")
    assert abandoned["call_id"] == gave_up["id"]
    lines = hotline.query("SELECT event FROM queue_log WHERE call_id = ? ORDER BY id", (gave_up["id"],))
    assert [r["event"] for r in lines] == ["entered", "abandoned"]
    assert (abandoned["queue"], abandoned["position"], abandoned["entry_position"]) == ("solo", 1, 1)
    # Pressed 2 about a second in, hung up nine seconds in: some six to eight seconds in line.
    assert 4.0 <= abandoned["waited"] <= 8.5, abandoned
    talked = calls["01011110001"]
    events = [
        r["event"]
        for r in hotline.query("SELECT event FROM queue_log WHERE call_id = ? ORDER BY id", (talked["id"],))
    ]
    assert events == ["entered", "offered", "connected", "completed_caller"]


def test_a_counselor_who_never_answers_is_skipped_and_then_paused_for_the_supervisor(
    hotline: Service, lab: SippLab
) -> None:
    # The "pair" line: c1 never answers, c2 does. Three callers one after another.
    silent = lab.counselor(COUNSELOR_PORTS[0], "no_answer", calls=3)
    answering = lab.counselor(COUNSELOR_PORTS[1], "answer", calls=3)
    citizens = []
    for n in range(3):
        citizens.append(lab.citizen(digits=[(800, "3")], hangup_after_ms=9000, caller=f"0102222000{n}"))
        hotline.wait_for_event_count("connected", n + 1, timeout=40)

    for citizen in citizens:
        assert citizen.wait(60) == 0, citizen.errors()
    assert answering.wait(30) == 0, answering.errors()
    calls = hotline.closed_calls(3)
    assert [(c["disposition"], c["counselor_id"]) for c in calls] == [("answered", "c2")] * 3
    missed = hotline.query("SELECT * FROM queue_log WHERE event = 'ring_no_answer' ORDER BY id")
    assert [(m["counselor_id"], m["queue"]) for m in missed] == [("c1", "pair")] * 3
    # After the third miss in a row c1 is paused, flagged for the supervisor.
    [paused] = hotline.query(
        "SELECT * FROM counselor_events WHERE counselor_id = 'c1' AND to_state = 'paused'"
    )
    assert (paused["reason"], paused["alert"]) == ("missed_calls", 1)
    assert silent.wait(30) == 0, silent.errors()
