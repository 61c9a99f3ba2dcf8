"""Thirty citizens into eleven counselors on the real Asterisk: fair, and nobody doubled up."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta

from tests.integration.conftest import COUNSELOR_PORTS, Service
from tests.integration.sipp import SippLab

CALLERS = 30


def test_thirty_callers_are_answered_in_order_of_arrival_and_no_counselor_has_two(
    hotline: Service, lab: SippLab
) -> None:
    phones = [lab.counselor(port, "answer", calls=3) for port in COUNSELOR_PORTS]
    citizens = []
    for i in range(CALLERS):
        # Each wave of eleven talks about twenty seconds; the next wave waits in line.
        hangup = 20000 + 25000 * (i // len(COUNSELOR_PORTS))
        citizens.append(lab.citizen(digits=[(800, "0")], hangup_after_ms=hangup, caller=f"0101000{i:04d}"))
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
    connected = [datetime.fromisoformat(c["connected_at"]) for c in by_arrival]
    margin = timedelta(milliseconds=500)
    for later, when in enumerate(connected[1:], start=1):
        assert max(connected[:later]) <= when + margin, (later, connected)
    # No counselor ever had two conversations at once.
    for counselor in {c["counselor_id"] for c in calls}:
        spans = sorted(
            (datetime.fromisoformat(c["connected_at"]), datetime.fromisoformat(c["ended_at"]))
            for c in calls
            if c["counselor_id"] == counselor
        )
        for (_, end), (start, _) in itertools.pairwise(spans):
            assert start >= end, counselor
    waited = [c for c in by_arrival[len(COUNSELOR_PORTS) :]]
    assert all("queue_announced" in [k for k, _ in hotline.timeline(c["id"])] for c in waited)
