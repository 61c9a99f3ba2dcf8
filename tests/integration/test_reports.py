"""`ivr report` and `ivr cdr export` on what the real service recorded of real calls.

The unit tests check the arithmetic on a hand-made day; this checks that the
service's own records (queue log stamps from the calls, counselor state
changes from the dispatcher, on two clocks) give the figures a supervisor
expects: one conversation with its wrap-up, one abandon.
"""

from __future__ import annotations

import csv
import io
import json
import time
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from tests.integration.conftest import COUNSELOR_PORTS, Service
from tests.integration.sipp import SippLab


def test_a_talked_call_and_an_abandon_are_reported_with_handle_time_and_wrap_up(
    hotline: Service, lab: SippLab
) -> None:
    # The "solo" line (option 2) has one counselor, c1, busy with the first caller.
    counselor = lab.counselor(COUNSELOR_PORTS[0], "answer")
    first = lab.citizen(digits=[(800, "2")], hangup_after_ms=12000, caller="01011110001")
    hotline.wait_for_event("connected", timeout=30)
    second = lab.citizen(digits=[(800, "2")], hangup_after_ms=8000, caller="01011110002")
    assert second.wait(60) == 0, second.errors()
    assert first.wait(60) == 0, first.errors()
    assert counselor.wait(30) == 0, counselor.errors()
    closed = {c["caller"]: c["disposition"] for c in hotline.closed_calls(2)}
    assert closed == {"01011110001": "answered", "01011110002": "abandoned_queue"}
    # c1's wrap-up (1 s) ends after the call: a report run before that counts
    # the wrap-up so far, as it should for a day still going.
    deadline = time.monotonic() + 10
    while (
        hotline.query(
            "SELECT to_state FROM counselor_events WHERE counselor_id = 'c1' ORDER BY id DESC LIMIT 1"
        )[0]["to_state"]
        != "available"
    ):
        assert time.monotonic() < deadline, "c1's wrap-up never ended"
        time.sleep(0.05)
    today = str(datetime.now(ZoneInfo("Asia/Seoul")).date())

    result = hotline.ivr("report", "--from", today, "--to", today, "--format", "json")
    assert result.returncode == 0, result.stderr
    s = {r["metric"]: r["value"] for r in json.loads(result.stdout)["rows"]}
    assert (s["calls"], s["offered"], s["answered"], s["abandoned"], s["short_abandoned"]) == (2, 2, 1, 1, 0)
    assert s["service_level"] == 1.0  # the first caller was answered at once
    assert s["handled"] == 1
    # The counselor's one-second wrap-up (acd.wrap_up_seconds: 1) belongs to the conversation.
    assert 0.9 <= s["average_wrap_up_seconds"] <= 3.0, s
    assert s["average_handle_seconds"] == pytest.approx(
        s["average_talk_seconds"] + s["average_wrap_up_seconds"]
    )
    assert 5.0 <= s["average_talk_seconds"] <= 12.0, s

    by = hotline.ivr("report", "--from", today, "--to", today, "--by", "counselor", "--format", "csv")
    assert by.returncode == 0, by.stderr
    rows = {r["counselor"]: r for r in csv.DictReader(io.StringIO(by.stdout))}
    assert rows["c1"]["calls"] == "1" and float(rows["c1"]["logged_in"]) > 0

    cdr = hotline.ivr("cdr", "export", "--from", today, "--to", today, "--asterisk-columns")
    assert cdr.returncode == 0, cdr.stderr
    records = list(csv.reader(io.StringIO(cdr.stdout)))
    # src -> disposition: the menu answered both, but nobody took the call the second waited for.
    assert {r[1]: r[14] for r in records} == {"01011110001": "ANSWERED", "01011110002": "NO ANSWER"}
