"""A fallback call from queue_log -> an ordinary call record and its timeline.

Pure: the importer (fallback_import.py) reads the file and writes the rows.
The words are the call center's, as in the service's own records:

| queue_log | timeline event | record |
|---|---|---|
| FALLBACK | `fallback` (why: service_down, diverted) | started, answered (the dialplan answers first) |
| ENTERQUEUE | `queued` (position) | |
| RINGNOANSWER | `ring_no_answer` (counselor, seconds) | |
| CONNECT | `connected` (counselor, hold and ring seconds) | connected, counselor |
| COMPLETECALLER / COMPLETEAGENT | `completed` (by, talk seconds) | who hung up |
| ABANDON | `abandoned` (position, wait seconds) | |
| EXITWITHTIMEOUT / EXITEMPTY | `exit_timeout` / `exit_empty` | |
| FALLBACKSORRY | `fallback_prompt` (queue status) | nobody could take the call |
| FALLBACKEND | `call_ended` | ended, hangup cause |
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Any

from ivr.ports import CallFacts, Disposition, hangup_cause_name
from ivr.store.queue_log import END, START, FallbackCall, QueueLogLine

_RINGS = {"RINGNOANSWER": "ring_no_answer", "RINGCANCELED": "ring_canceled"}
_EXITS = {
    "ABANDON": "abandoned",
    "EXITWITHTIMEOUT": "exit_timeout",
    "EXITEMPTY": "exit_empty",
    "EXITWITHKEY": "exit_with_key",
}


@dataclass(frozen=True)
class FallbackRecord:
    """What to store for one fallback call."""

    facts: CallFacts
    events: list[tuple[datetime, str, dict[str, Any]]]
    first_line: int  # where it was found, for the log


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def _event(line: QueueLogLine) -> tuple[str, dict[str, Any]]:
    """The timeline entry for one queue_log line."""
    e, f = line.event, line.field
    if e == START:
        return "fallback", {"why": f(1) or None, "queue": line.queue}
    if e == "ENTERQUEUE":
        return "queued", {"queue": line.queue, "position": _number(f(2))}
    if e in _RINGS:
        ms = _number(f(0))
        return _RINGS[e], {
            "counselor": line.agent,
            "ring_seconds": round(ms / 1000, 3) if ms is not None else None,
        }
    if e == "CONNECT":
        return "connected", {
            "counselor": line.agent,
            "hold_seconds": _number(f(0)),
            "ring_seconds": _number(f(2)),
            "via": "fallback queue",
        }
    if e in ("COMPLETECALLER", "COMPLETEAGENT"):
        by = "caller" if e == "COMPLETECALLER" else "counselor"
        return "completed", {"by": by, "counselor": line.agent, "talk_seconds": _number(f(1))}
    if e in _EXITS:
        return _EXITS[e], {"position": _number(f(0)), "wait_seconds": _number(f(2))}
    if e == "FALLBACKSORRY":
        return "fallback_prompt", {"queue_status": f(0) or None}
    if e == "FALLBACKBYE":
        return "fallback_goodbye", {}
    return e.lower(), {"agent": line.agent, "data": list(line.data)}


def to_record(call: FallbackCall, tz: tzinfo, dialed: str) -> FallbackRecord:
    """One finished fallback call -> its record (closed) and timeline."""
    start = call.first
    assert start.event == START, "a fallback call begins with its FALLBACK line"

    def at(line: QueueLogLine) -> datetime:
        return datetime.fromtimestamp(line.at, tz)

    facts = CallFacts(
        call_id=call.call_id,
        caller=start.field(0) or "anonymous",
        dialed=dialed,
        started_at=at(start),
        answered_at=at(start),  # the fallback answers before anything else
        recording=None,
    )
    events: list[tuple[datetime, str, dict[str, Any]]] = []
    prompt = goodbye = False
    for line in call.lines:
        if line.event == END:
            facts.ended_at = at(line)
            cause = line.field(0)
            # 0 (not set) when the caller's BYE ended it: the service's own
            # records say normal_clearing then too.
            code = int(cause) if cause.isdigit() else 0
            facts.hangup_cause = hangup_cause_name(code) if code else "normal_clearing"
            continue
        kind, detail = _event(line)
        events.append((at(line), kind, detail))
        if line.event == "CONNECT" and facts.connected_at is None:
            facts.connected_at = at(line)
            facts.counselor_id = line.agent if line.agent != "NONE" else None
            facts.counselor_leg = line.field(1) or None
            facts.recording = start.field(2) or None  # MixMonitor starts as the call connects
        elif line.event in ("COMPLETECALLER", "COMPLETEAGENT"):
            facts.hangup_by = "caller" if line.event == "COMPLETECALLER" else "counselor"
        elif line.event == "FALLBACKSORRY":
            prompt = True
        elif line.event == "FALLBACKBYE":
            goodbye = True
    if facts.connected_at is not None:
        facts.disposition = Disposition.FALLBACK_ANSWERED
    elif call.restarted_at is not None:
        facts.disposition = Disposition.LOST  # Asterisk restarted during the call
    elif prompt:
        facts.disposition = Disposition.FALLBACK_NO_COUNSELOR
    else:
        facts.disposition = Disposition.FALLBACK_ABANDONED
    if facts.ended_at is None:  # Asterisk restarted before the call's last line
        facts.ended_at = datetime.fromtimestamp(call.restarted_at or call.lines[-1].at, tz)
        facts.hangup_cause = "asterisk_restarted"
    facts.hangup_by = facts.hangup_by or ("system" if goodbye or call.restarted_at else "caller")
    events.append(
        (
            facts.ended_at,
            "call_ended",
            {"disposition": facts.disposition, "hangup_by": facts.hangup_by, "cause": facts.hangup_cause},
        )
    )
    return FallbackRecord(facts, events, start.lineno)


def merge(existing: CallFacts, found: CallFacts) -> CallFacts:
    """A call the service had sent to the fallback (draining) keeps its own start.

    Its IVR path, caller and start stay; how it ended comes from queue_log.
    """
    existing.connected_at = found.connected_at
    existing.counselor_id = found.counselor_id or existing.counselor_id
    existing.counselor_leg = found.counselor_leg or existing.counselor_leg
    existing.recording = found.recording or existing.recording
    existing.ended_at = found.ended_at
    existing.disposition = found.disposition
    existing.hangup_cause = found.hangup_cause
    existing.hangup_by = found.hangup_by
    existing.answered_at = existing.answered_at or found.answered_at
    return existing
