"""A fixture day of calls, written through the real SQLite store: Monday 2025-11-24 in Seoul.

Two counselors, c01 and c02, one queue `general`, and one call that Asterisk's
fallback queue took. Every time below is Seoul time; the expected figures in
test_reports.py are worked out from this timeline by hand.

call caller   menu   topic    what happened
a1   ...0001  main:1 parking  queued 09:00:05, c01 answers 09:00:15 (waited 10),
                              caller hangs up 09:02:15 (talk 120)
b1   ...0002  main:2 tax      queued 09:10:04, c02 answers 09:10:34 (waited 30), consults a
                              department 09:11:34-09:12:34 (hold 60), hangs up 09:14:34
                              (talked 240 with the hold)
c1   ...0003  main:1 parking  queued 09:20:03, hangs up 09:20:06 (waited 3: a short abandon)
d1   ...0004  main:2 tax      queued 10:05:02, hangs up 10:05:17 (waited 15)
e1   ...0004  main:2 tax      queued 10:30:02, c01 answers 10:30:42 (waited 40), blind
                              transfer 10:33:42 (talk 180), call ends 10:40:00
f1   ...0005  main:9 hours    the menu's answer, goodbye 11:00:40 (ivr_ended): self-served
g1   ...0006  main:9 hours    leaves a voicemail, ivr_ended 11:11:00
h1   ...0007  main:1 parking  queued 11:20:02, hangs up 11:20:27 (waited 25)
j1   ...0008                  fallback queue: queued 12:00:01, c02 answers 12:00:09
                              (waited 8), caller hangs up 12:03:09 (talk 180)
r1   ...0010  main:1 parking  queued 13:20:02, c01's phone rings 13:20:05, the caller hangs
                              up while it rings 13:20:20 (waited 18: abandoned_ringing)
w1   ...0011  main:2 tax      queued 13:30:02, c01's phone rings 13:30:04 and c01 misses it
                              13:30:19, the caller waits on and hangs up 13:31:02 (waited
                              60: abandoned_queue)
k1   ...0009                  a callback: c01 connected 14:00:00, hangs up 14:03:00 (talk 180)

c1, d1 and h1 hung up waiting (abandoned_queue); f1 and g1 heard the menu's
goodbye (ivr_ended).

Earlier calls, for repeats: ...0001 on parking 2025-11-20 (4 days before a1),
...0005 on hours 2025-11-10 (14 days before f1: too long ago).

Counselors (state entered at):
c01: available 08:50:00, reserved 09:00:06, on_call 09:00:15, wrap_up 09:02:15,
     available 09:02:45, paused/break 10:00:00, available 10:15:00, reserved 10:30:30,
     on_call 10:30:42, wrap_up 10:33:42, available 10:34:12, paused/meal 12:00:00,
     available 13:00:00, reserved 13:20:05 (r1 rings), available 13:20:20,
     reserved 13:30:04 (w1 rings), available 13:30:19, reserved 13:59:50,
     on_call 14:00:00, wrap_up 14:03:00, available 14:03:30, logged_out 17:00:00
c02: available 09:00:00, reserved 09:10:20, on_call 09:10:34, wrap_up 09:14:34,
     wrap_up (extended) 09:15:04, available 09:15:34, logged_out 12:30:00
c03: available 2025-11-23 22:00:00 (the evening before), logged_out 02:00:00
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from ivr.ports import CallFacts, QueueEvent, QueueLogEntry
from ivr.store.calls import SqliteCallRecords

SEOUL = ZoneInfo("Asia/Seoul")
DAY = "2025-11-24"
Q = "general"


def at(hms: str, day: str = DAY) -> datetime:
    return datetime.fromisoformat(f"{day}T{hms}").replace(tzinfo=SEOUL)


def _facts(call_id: str, caller: str, start: str, end: str, disposition: str, **kw: Any) -> CallFacts:
    day = kw.pop("day", DAY)
    return CallFacts(
        call_id=call_id,
        caller=caller,
        dialed=kw.pop("dialed", "2221000"),
        started_at=at(start, day),
        answered_at=at(start, day),
        ended_at=at(end, day),
        disposition=disposition,
        **kw,
    )


async def _log(
    r: SqliteCallRecords, hms: str, call_id: str, event: QueueEvent, queue: str = Q, **kw: Any
) -> None:
    await r.queue_log(at(hms), QueueLogEntry(call_id=call_id, queue=queue, event=event, **kw))


async def _menu(r: SqliteCallRecords, call_id: str, hms: str, digit: str) -> None:
    await r.event(call_id, at(hms), "menu_choice", {"node": "main", "digit": digit})


COUNSELOR_EVENTS = {
    "c01": [
        ("08:50:00", "available", None),
        ("09:00:06", "reserved", None),
        ("09:00:15", "on_call", None),
        ("09:02:15", "wrap_up", None),
        ("09:02:45", "available", None),
        ("10:00:00", "paused", "break"),
        ("10:15:00", "available", None),
        ("10:30:30", "reserved", None),
        ("10:30:42", "on_call", None),
        ("10:33:42", "wrap_up", None),
        ("10:34:12", "available", None),
        ("12:00:00", "paused", "meal"),
        ("13:00:00", "available", None),
        ("13:20:05", "reserved", None),
        ("13:20:20", "available", None),
        ("13:30:04", "reserved", None),
        ("13:30:19", "available", None),
        ("13:59:50", "reserved", None),
        ("14:00:00", "on_call", None),
        ("14:03:00", "wrap_up", None),
        ("14:03:30", "available", None),
        ("17:00:00", "logged_out", None),
    ],
    "c02": [
        ("09:00:00", "available", None),
        ("09:10:20", "reserved", None),
        ("09:10:34", "on_call", None),
        ("09:14:34", "wrap_up", None),
        ("09:15:04", "wrap_up", None),
        ("09:15:34", "available", None),
        ("12:30:00", "logged_out", None),
    ],
}
# c03 worked the night shift: logged in the evening before, logged out at 02:00.
NIGHT = [("2025-11-23", "22:00:00", "available"), (DAY, "02:00:00", "logged_out")]


async def write_day(path: Path | str) -> None:
    """Write the fixture day into a new SQLite file at `path` through SqliteCallRecords."""
    r = SqliteCallRecords(path)
    r.start()
    try:
        await _write(r)
    finally:
        r.close()


async def _write(r: SqliteCallRecords) -> None:
    calls = [
        _facts("a1", "01011110001", "09:00:00", "09:02:15", "answered", topic="parking", counselor_id="c01"),
        _facts("b1", "01022220002", "09:10:00", "09:14:34", "answered", topic="tax", counselor_id="c02"),
        _facts("c1", "01033330003", "09:20:00", "09:20:06", "abandoned_queue", topic="parking"),
        _facts("d1", "01044440004", "10:05:00", "10:05:17", "abandoned_queue", topic="tax"),
        _facts("e1", "01044440004", "10:30:00", "10:40:00", "answered", topic="tax", counselor_id="c01"),
        _facts("f1", "01055550005", "11:00:00", "11:00:40", "ivr_ended", topic="hours"),
        _facts("g1", "01066660006", "11:10:00", "11:11:00", "ivr_ended", topic="hours"),
        _facts("h1", "01077770007", "11:20:00", "11:20:27", "abandoned_queue", topic="parking"),
        _facts("j1", "01088880008", "12:00:00", "12:03:09", "fallback_answered", counselor_id="c02"),
        _facts("r1", "01010100010", "13:20:00", "13:20:20", "abandoned_ringing", topic="parking"),
        _facts("w1", "01010100011", "13:30:00", "13:31:02", "abandoned_queue", topic="tax"),
        _facts(
            "k1", "01099990009", "13:59:50", "14:03:00", "answered", counselor_id="c01", dialed="callback"
        ),
        # Before the day: a repeat for a1 (4 days earlier), none for f1 (14 days earlier).
        _facts("x1", "01011110001", "15:00:00", "15:03:00", "answered", topic="parking", day="2025-11-20"),
        _facts("x2", "01055550005", "15:00:00", "15:01:00", "ivr_ended", topic="hours", day="2025-11-10"),
        # After the day: not in its report.
        _facts("y1", "01011110001", "00:00:00", "00:01:00", "ivr_ended", topic="parking", day="2025-11-25"),
    ]
    connected = {"a1": "09:00:15", "b1": "09:10:34", "e1": "10:30:42", "j1": "12:00:09", "k1": "14:00:00"}
    for facts in calls:
        if facts.call_id in connected:
            facts.connected_at = at(connected[facts.call_id])
        await r.opened(facts)
        await r.closed(facts)

    await _menu(r, "a1", "09:00:03", "1")
    await _log(r, "09:00:05", "a1", QueueEvent.ENTERED, position=1)
    await _log(r, "09:00:06", "a1", QueueEvent.OFFERED, counselor_id="c01")
    await _log(r, "09:00:15", "a1", QueueEvent.CONNECTED, counselor_id="c01", waited=10.0)
    await _log(
        r, "09:02:15", "a1", QueueEvent.COMPLETED_CALLER, counselor_id="c01", waited=10.0, talked=120.0
    )

    await _menu(r, "b1", "09:10:02", "2")
    await _log(r, "09:10:04", "b1", QueueEvent.ENTERED, position=1)
    await _log(r, "09:10:20", "b1", QueueEvent.OFFERED, counselor_id="c02")
    await _log(r, "09:10:34", "b1", QueueEvent.CONNECTED, counselor_id="c02", waited=30.0)
    await r.event("b1", at("09:11:34"), "consult_started", {"department": "세정과"})
    await r.event("b1", at("09:12:34"), "consult_returned", {"department": "세정과"})
    await _log(
        r, "09:14:34", "b1", QueueEvent.COMPLETED_COUNSELOR, counselor_id="c02", waited=30.0, talked=240.0
    )

    await _menu(r, "c1", "09:20:02", "1")
    await _log(r, "09:20:03", "c1", QueueEvent.ENTERED, position=1)
    await _log(r, "09:20:06", "c1", QueueEvent.ABANDONED, position=1, waited=3.0)

    await _menu(r, "d1", "10:05:01", "2")
    await _log(r, "10:05:02", "d1", QueueEvent.ENTERED, position=1)
    await _log(r, "10:05:17", "d1", QueueEvent.ABANDONED, position=1, waited=15.0)

    await _menu(r, "e1", "10:30:01", "2")
    await _log(r, "10:30:02", "e1", QueueEvent.ENTERED, position=1)
    await _log(r, "10:30:30", "e1", QueueEvent.OFFERED, counselor_id="c01")
    await _log(r, "10:30:42", "e1", QueueEvent.CONNECTED, counselor_id="c01", waited=40.0)
    await _log(r, "10:33:42", "e1", QueueEvent.TRANSFERRED, counselor_id="c01", detail={"kind": "blind"})
    await r.event("e1", at("10:33:42"), "transferred", {"how": "blind", "counselor": "c01"})
    # The department talks on; the completion's talk counts the department's time, not c01's.
    await _log(
        r, "10:40:00", "e1", QueueEvent.COMPLETED_CALLER, counselor_id="c01", waited=40.0, talked=558.0
    )

    await _menu(r, "f1", "11:00:05", "9")
    await _menu(r, "g1", "11:10:05", "9")
    await r.event("g1", at("11:10:20"), "voicemail", {"seconds": 30})
    await r.add_voicemail("g1", "01066660006", "vm-g1", 30.0, at("11:10:50"))

    await _menu(r, "h1", "11:20:01", "1")
    await _log(r, "11:20:02", "h1", QueueEvent.ENTERED, position=1)
    await _log(r, "11:20:27", "h1", QueueEvent.ABANDONED, position=1, waited=25.0)

    # The fallback call's timeline, as ivr/store/fallback_calls.py writes it.
    await r.event("j1", at("12:00:00"), "fallback", {"why": "service_down", "queue": "hotline-fallback"})
    await r.event("j1", at("12:00:01"), "queued", {"queue": "hotline-fallback", "position": 1})
    await r.event(
        "j1", at("12:00:09"), "connected", {"counselor": "c02", "hold_seconds": 8.0, "ring_seconds": 2}
    )
    await r.event(
        "j1", at("12:03:09"), "completed", {"by": "caller", "counselor": "c02", "talk_seconds": 180.0}
    )

    await _menu(r, "r1", "13:20:01", "1")
    await _log(r, "13:20:02", "r1", QueueEvent.ENTERED, position=1)
    await _log(r, "13:20:05", "r1", QueueEvent.OFFERED, counselor_id="c01", position=1)
    await _log(r, "13:20:20", "r1", QueueEvent.ABANDONED, position=1, entry_position=1, waited=18.0)

    await _menu(r, "w1", "13:30:01", "2")
    await _log(r, "13:30:02", "w1", QueueEvent.ENTERED, position=1)
    await _log(r, "13:30:04", "w1", QueueEvent.OFFERED, counselor_id="c01", position=1)
    await _log(
        r,
        "13:30:19",
        "w1",
        QueueEvent.RING_NO_ANSWER,
        counselor_id="c01",
        waited=17.0,
        detail={"result": "no_answer"},
    )
    await _log(r, "13:31:02", "w1", QueueEvent.ABANDONED, position=1, entry_position=1, waited=60.0)

    done, _ = await r.add_callback("cb-call-1", "01099990009", Q, at("08:30:00"))
    failed, _ = await r.add_callback("cb-call-2", "01012121212", Q, at("09:30:00"))
    await r.add_callback("cb-call-3", "01034343434", Q, at("16:00:00"))
    await _log(r, "13:59:50", "k1", QueueEvent.CALLBACK_ATTEMPTED, counselor_id="c01")
    await _log(r, "14:00:00", "k1", QueueEvent.CALLBACK_CONNECTED, counselor_id="c01")
    await _log(r, "14:03:00", "k1", QueueEvent.COMPLETED_COUNSELOR, counselor_id="c01", talked=180.0)
    await r.callback_attempted(
        done,
        at("14:03:00"),
        call_id="k1",
        counselor_id="c01",
        result="answered",
        event="connected",
        attempts=1,
        next_at=None,
    )
    await r.callback_attempted(
        failed,
        at("15:00:00"),
        call_id="k2",
        counselor_id="c02",
        result="no_answer",
        event="gave_up",
        attempts=3,
        next_at=None,
    )

    await r.add_survey_answer("a1", "satisfaction", 5, at("09:02:30"))
    await r.add_survey_answer("b1", "satisfaction", 3, at("09:14:50"))
    await r.add_survey_answer("b1", "resolved", 1, at("09:15:00"))

    # Stamped in UTC, as counselor_record() does on a host whose clock is in UTC
    # (08:50 in Seoul is 23:50 the day before): the report must still cut the day in Seoul.
    rows = [
        {
            "counselor_id": c,
            "at": at(hms).astimezone(UTC).isoformat(timespec="milliseconds"),
            "to_state": state,
            "reason": reason,
        }
        for c, changes in COUNSELOR_EVENTS.items()
        for hms, state, reason in changes
    ]
    rows += [
        {
            "counselor_id": "c03",
            "at": at(hms, day).astimezone(UTC).isoformat(),
            "to_state": state,
            "reason": None,
        }
        for day, hms, state in NIGHT
    ]
    # As counselor_record() writes them, but at the fixture's times (it stamps "now").
    await r.db.run(lambda db: db.table("counselor_events").insert_all(rows))
