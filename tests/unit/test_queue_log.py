"""queue_log lines -> fallback calls -> call records, on lines the real Asterisk wrote.

data/queue_log.sample is the queue_log of the embedded Asterisk 22.10.1 after
four calls with the service down: one a counselor answered, one with nobody
logged in, one the caller abandoned, one that waited out the maximum wait.
"""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from ivr.ports import CallFacts
from ivr.store.fallback_calls import merge, to_record
from ivr.store.queue_log import MalformedLine, parse_line, scan, split_lines

SAMPLE = Path(__file__).parent / "data" / "queue_log.sample"
SEOUL = ZoneInfo("Asia/Seoul")

ANSWERED = """\
1795829535|1795829534.0|hotline-fallback|NONE|FALLBACK|01099998888|service_down|fallback-1795829534.0
1795829535|1795829534.0|hotline-fallback|NONE|ENTERQUEUE||01099998888|1
1795829535|1795829534.0|hotline-fallback|c1|CONNECT|0|1795829535.1|0
1795829538|1795829534.0|hotline-fallback|c1|COMPLETECALLER|0|3|1
1795829538|1795829534.0|hotline-fallback|NONE|FALLBACKEND|16
"""


def lines_of(text: str, start_offset: int = 0, start_line: int = 0) -> tuple[list, tuple[int, int]]:
    lines, offset, lineno = split_lines(text.encode(), start_offset, start_line)
    return lines, (offset, lineno)


def scan_text(text: str, source: str = "queue_log") -> object:
    lines, end = lines_of(text)
    return scan(lines, end, source)


def records_of_sample() -> dict[str, CallFacts]:
    lines, end = lines_of(SAMPLE.read_text())
    found = scan(lines, end, str(SAMPLE))
    return {c.call_id: to_record(c, SEOUL, "2221000").facts for c in found.finished}


def test_a_real_line_is_read_field_by_field() -> None:
    line = parse_line("1795829535|1795829534.0|hotline-fallback|c1|CONNECT|0|1795829535.1|0", 120, 9)
    assert (line.at, line.call_id, line.queue, line.agent, line.event) == (
        1795829535.0,
        "1795829534.0",
        "hotline-fallback",
        "c1",
        "CONNECT",
    )
    assert line.data == ("0", "1795829535.1", "0")
    assert (line.field(1), line.field(7)) == ("1795829535.1", "")
    assert (line.offset, line.lineno) == (120, 9)


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("", "at least 5 fields"),
        ("1795829535|1795829534.0|hotline-fallback", "at least 5 fields"),
        ("yesterday|1795829534.0|hotline-fallback|NONE|FALLBACK|010", "is not a number"),
        ("1795829535|1795829534.0|hotline-fallback|NONE||010", "not a queue_log event"),
        ("1795829535|1795829534.0|hotline-fallback|NONE|FALL BACK|010", "not a queue_log event"),
        ("1795829535||hotline-fallback|NONE|FALLBACK|010", "call id is empty"),
    ],
)
def test_a_malformed_line_says_why(text: str, why: str) -> None:
    with pytest.raises(MalformedLine, match=why):
        parse_line(text)


def test_the_sample_gives_four_calls_each_as_it_happened() -> None:
    records = records_of_sample()
    assert sorted(records) == ["1795829534.0", "1795829542.2", "1795829969.0", "1795829975.23"]
    summary = {
        cid: (f.disposition, f.counselor_id, f.hangup_by, f.hangup_cause) for cid, f in records.items()
    }
    assert summary == {
        "1795829534.0": ("fallback_answered", "c1", "caller", "normal_clearing"),
        "1795829542.2": ("fallback_no_counselor", None, "system", "normal_clearing"),
        "1795829969.0": ("fallback_abandoned", None, "caller", "normal_clearing"),
        "1795829975.23": ("fallback_no_counselor", None, "system", "normal_clearing"),
    }


def test_an_answered_fallback_call_has_times_counselor_and_recording() -> None:
    found = scan_text(ANSWERED)
    [call] = found.finished  # type: ignore[attr-defined]
    record = to_record(call, SEOUL, "2221000")
    f = record.facts
    assert (f.caller, f.dialed, f.counselor_leg, f.recording) == (
        "01099998888",
        "2221000",
        "1795829535.1",
        "fallback-1795829534.0",
    )
    assert f.started_at == datetime.fromtimestamp(1795829535, SEOUL)
    assert f.answered_at == f.started_at == f.connected_at
    assert f.ended_at == datetime.fromtimestamp(1795829538, SEOUL)
    assert f.started_at.tzinfo is SEOUL
    assert [kind for _, kind, _ in record.events] == [
        "fallback",
        "queued",
        "connected",
        "completed",
        "call_ended",
    ]
    connected = record.events[2][2]
    assert connected == {"counselor": "c1", "hold_seconds": 0.0, "ring_seconds": 0.0, "via": "fallback queue"}
    assert record.events[3][2] == {"by": "caller", "counselor": "c1", "talk_seconds": 3.0}
    assert record.first_line == 1


def test_a_counselor_who_hangs_up_is_who_hung_up() -> None:
    text = ANSWERED.replace("COMPLETECALLER", "COMPLETEAGENT")
    [call] = scan_text(text).finished  # type: ignore[attr-defined]
    assert to_record(call, SEOUL, "2221000").facts.hangup_by == "counselor"


def test_the_abandoned_call_keeps_its_position_and_wait() -> None:
    lines, end = lines_of(SAMPLE.read_text())
    found = scan(lines, end, "queue_log")
    call = next(c for c in found.finished if c.call_id == "1795829969.0")
    record = to_record(call, SEOUL, "2221000")
    kinds = [kind for _, kind, _ in record.events]
    assert kinds.count("ring_no_answer") == 11 and kinds.count("ring_canceled") == 11
    abandoned = next(d for _, k, d in record.events if k == "abandoned")
    assert abandoned == {"position": 1.0, "wait_seconds": 4.0}
    assert record.facts.connected_at is None and record.facts.recording is None


def test_waiting_out_the_maximum_wait_is_told_in_the_timeline() -> None:
    lines, end = lines_of(SAMPLE.read_text())
    call = next(c for c in scan(lines, end, "q").finished if c.call_id == "1795829975.23")
    events = {kind: detail for _, kind, detail in to_record(call, SEOUL, "2221000").events}
    assert events["exit_timeout"] == {"position": 1.0, "wait_seconds": 8.0}
    assert events["fallback_prompt"] == {"queue_status": "TIMEOUT"}


def test_malformed_lines_are_logged_with_file_and_line_and_skipped(caplog: pytest.LogCaptureFixture) -> None:
    text = (
        "1795828905|NONE|NONE|NONE|QUEUESTART|\n"
        "this is not a queue_log line\n"
        + ANSWERED.splitlines()[0]
        + "\n"
        + "17958295xx|1795829534.0|hotline-fallback|NONE|ENTERQUEUE||01099998888|1\n"
        + "\n".join(ANSWERED.splitlines()[1:])
        + "\n"
    )
    with caplog.at_level(logging.WARNING):
        found = scan_text(text, "/var/log/asterisk/queue_log")
    assert found.skipped == 2  # type: ignore[attr-defined]
    messages = [r.getMessage() for r in caplog.records]
    assert messages[0].startswith("/var/log/asterisk/queue_log:2: expected at least 5 fields")
    assert messages[1].startswith("/var/log/asterisk/queue_log:4: the time '17958295xx' is not a number")
    [call] = found.finished  # type: ignore[attr-defined]
    assert to_record(call, SEOUL, "2221000").facts.disposition == "fallback_answered"


def test_an_unfinished_call_holds_the_cursor_at_its_first_line() -> None:
    first_two = "".join(ANSWERED.splitlines(keepends=True)[:2])
    other = (
        "1795829542|1795829542.2|hotline-fallback|NONE|FALLBACK|01099998888|service_down|fallback-1795829542.2\n"
        "1795829542|1795829542.2|hotline-fallback|NONE|FALLBACKSORRY|JOINEMPTY\n"
        "1795829566|1795829542.2|hotline-fallback|NONE|FALLBACKEND|16\n"
    )
    lines, end = lines_of("1795829527|NONE|hotline-fallback|c1|UNPAUSE|\n" + first_two + other)
    found = scan(lines, end, "queue_log")
    assert [c.call_id for c in found.finished] == ["1795829542.2"]
    assert [c.call_id for c in found.unfinished] == ["1795829534.0"]
    # The next pass starts on the unfinished call's FALLBACK line (line 2).
    assert found.resume_line == 1
    assert found.resume_offset == len("1795829527|NONE|hotline-fallback|c1|UNPAUSE|\n")


def test_asterisk_restarting_ends_the_calls_it_had() -> None:
    first_three = "".join(ANSWERED.splitlines(keepends=True)[:3])
    found = scan_text(first_three + "1795829600|NONE|NONE|NONE|QUEUESTART|\n")
    [call] = found.finished  # type: ignore[attr-defined]
    facts = to_record(call, SEOUL, "2221000").facts
    assert (facts.disposition, facts.hangup_cause, facts.hangup_by) == (
        "fallback_answered",
        "asterisk_restarted",
        "system",
    )
    assert facts.ended_at == datetime.fromtimestamp(1795829600, SEOUL)
    assert found.unfinished == []  # type: ignore[attr-defined]


def test_a_line_still_being_written_waits_for_the_next_pass() -> None:
    lines, offset, lineno = split_lines(b"1|a|q|NONE|X|\n2|a|q|NONE|Y", 100, 7)
    assert lines == [(100, 8, "1|a|q|NONE|X|")]
    assert (offset, lineno) == (100 + len(b"1|a|q|NONE|X|\n"), 8)


def test_lines_of_other_queues_and_members_are_not_calls() -> None:
    text = (
        "1795828913|MANAGER|hotline-fallback|c1|ADDMEMBER|\n"
        "1795829535|1795829534.9|sales|NONE|FALLBACK|010|service_down|x\n"
        "1795829538|1795829534.9|sales|NONE|FALLBACKEND|16\n"
    )
    found = scan_text(text)
    assert found.finished == [] and found.skipped == 0  # type: ignore[attr-defined]


def test_a_call_the_draining_service_sent_keeps_its_start_and_menu_path() -> None:
    tz = SEOUL
    existing = CallFacts(
        call_id="1795829534.0",
        caller="01012345678",
        dialed="2221000",
        started_at=datetime(2026, 11, 28, 10, 31, 0, tzinfo=tz),
        answered_at=datetime(2026, 11, 28, 10, 31, 1, tzinfo=tz),
        ended_at=datetime(2026, 11, 28, 10, 32, 14, tzinfo=tz),
        disposition="fallback",
        hangup_by="system",
        ivr_path=["greeting", "main_menu"],
    )
    [call] = scan_text(ANSWERED).finished  # type: ignore[attr-defined]
    merged = merge(existing, to_record(call, tz, "2221000").facts)
    assert merged.started_at == datetime(2026, 11, 28, 10, 31, 0, tzinfo=tz)
    assert merged.ivr_path == ["greeting", "main_menu"]
    assert merged.caller == "01012345678"
    assert (merged.disposition, merged.counselor_id, merged.hangup_by) == (
        "fallback_answered",
        "c1",
        "caller",
    )
    assert merged.ended_at == datetime.fromtimestamp(1795829538, tz)


def test_a_hangup_handler_that_writes_before_app_queue_waits_for_the_closing_line() -> None:
    end_first = ANSWERED.splitlines(keepends=True)
    end_first = [*end_first[:3], end_first[4], end_first[3]]  # FALLBACKEND, then COMPLETECALLER
    lines, end = lines_of("".join(end_first[:4]))
    assert scan(lines, end, "q").finished == []
    assert len(scan(lines, end, "q", now=1795829538 + 29).finished) == 0
    # A closing line that never comes does not hold the call forever.
    [late] = scan(lines, end, "q", now=1795829538 + 30).finished
    assert to_record(late, SEOUL, "2221000").facts.disposition == "fallback_answered"
    lines, end = lines_of("".join(end_first))
    [call] = scan(lines, end, "q").finished
    record = to_record(call, SEOUL, "2221000")
    assert [k for _, k, _ in record.events] == ["fallback", "queued", "connected", "completed", "call_ended"]
    assert record.facts.hangup_by == "caller"
