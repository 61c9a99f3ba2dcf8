"""Asterisk's queue_log, read back: the fallback calls it saw while nobody watched.

app_queue appends one line per step of a queued call, and the fallback
dialplan (dialplan/extensions.conf.j2) adds its own with QueueLog():

    1795829535|1795829534.0|hotline-fallback|NONE|FALLBACK|01099998888|service_down|fallback-1795829534.0
    1795829535|1795829534.0|hotline-fallback|NONE|ENTERQUEUE||01099998888|1
    1795829535|1795829534.0|hotline-fallback|c1|CONNECT|0|1795829535.1|0
    1795829538|1795829534.0|hotline-fallback|c1|COMPLETECALLER|0|3|1
    1795829538|1795829534.0|hotline-fallback|NONE|FALLBACKEND|16

that is `epoch|call id (the caller's uniqueid)|queue|member name|event|data...`.
A call begins with FALLBACK and ends with FALLBACKEND (written by a hangup
handler, so every way out of the call writes it). The hangup handler may
write before app_queue's COMPLETECALLER/COMPLETEAGENT of a call that was
connected: such a call is finished when that line is there too, or once its
FALLBACKEND is `SETTLE_SECONDS` old. A QUEUESTART line means Asterisk
(re)started: calls still open before it ended without their last line.

Pure: lines in, calls out; the caller reads the file and keeps the cursor.
A malformed line is reported with its file:line and skipped, never a crash.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field

from ivr.errors import HotlineError

log = logging.getLogger(__name__)

FALLBACK_QUEUE = "hotline-fallback"
START = "FALLBACK"
END = "FALLBACKEND"
RESTART = "QUEUESTART"
CONNECT = "CONNECT"
# The lines that close a conversation app_queue connected.
CLOSERS = frozenset({"COMPLETECALLER", "COMPLETEAGENT", "TRANSFER", "BLINDTRANSFER", "ATTENDEDTRANSFER"})
SETTLE_SECONDS = 30.0


@dataclass(frozen=True)
class QueueLogLine:
    """One line of queue_log, and where it was in the file."""

    at: float  # epoch seconds
    call_id: str
    queue: str
    agent: str  # the member name (a counselor id) or NONE
    event: str
    data: tuple[str, ...]
    offset: int = 0  # byte offset of the line in its file
    lineno: int = 0

    def field(self, index: int) -> str:
        """The data field at `index`, or "" when the line has fewer."""
        return self.data[index] if index < len(self.data) else ""


class MalformedLine(HotlineError):
    """A queue_log line that cannot be read; the message says why (`scan` logs it and skips the line)."""


def parse_line(text: str, offset: int = 0, lineno: int = 0) -> QueueLogLine:
    """One line (without its newline) -> QueueLogLine, or MalformedLine."""
    parts = text.rstrip("\r").split("|")
    if len(parts) < 5:
        raise MalformedLine(f"expected at least 5 fields separated by '|', found {len(parts)}")
    stamp, call_id, queue, agent, event, *data = parts
    try:
        at = float(stamp)
    except ValueError:
        raise MalformedLine(f"the time {stamp[:40]!r} is not a number of seconds") from None
    if not event or not event.replace("_", "").isalnum():
        raise MalformedLine(f"the event {event[:40]!r} is not a queue_log event")
    if not call_id:
        raise MalformedLine("the call id is empty")
    return QueueLogLine(at, call_id, queue, agent, event, tuple(data), offset, lineno)


@dataclass
class FallbackCall:
    """Every line of one fallback call, in order."""

    call_id: str
    lines: list[QueueLogLine] = field(default_factory=list)
    restarted_at: float | None = None  # Asterisk restarted before the call's last line

    @property
    def first(self) -> QueueLogLine:
        return self.lines[0]

    def finished(self, now: float | None = None) -> bool:
        """All its lines are there (`now`, epoch seconds: lets a late closing line go)."""
        if self.restarted_at is not None:
            return True
        end = next((line for line in self.lines if line.event == END), None)
        if end is None:
            return False
        events = {line.event for line in self.lines}
        if CONNECT not in events or events & CLOSERS:
            return True
        return now is not None and now - end.at >= SETTLE_SECONDS


@dataclass(frozen=True)
class Scan:
    """What one pass over queue_log found.

    `finished` calls can be imported; `resume_offset`/`resume_line` is where
    the next pass must start so that no call still going on is missed (the
    first line of the oldest unfinished call, else the end of what was read).
    """

    finished: list[FallbackCall]
    unfinished: list[FallbackCall]
    resume_offset: int
    resume_line: int
    skipped: int  # malformed lines


def scan(
    lines: Iterable[tuple[int, int, str]],
    end: tuple[int, int],
    source: str,
    queue: str = FALLBACK_QUEUE,
    carried: Iterable[FallbackCall] = (),
    now: float | None = None,
) -> Scan:
    """Group queue_log lines into fallback calls.

    `lines` are (byte offset, line number, text) of complete lines; `end` is
    the (offset, line number) just after the last of them; `source` names the
    file in messages. `carried` are calls still open at the end of the file
    this one replaced (queue_log was rotated during them).
    """
    open_calls: dict[str, FallbackCall] = {c.call_id: c for c in carried}
    finished: list[FallbackCall] = []
    skipped = 0
    for offset, lineno, text in lines:
        try:
            line = parse_line(text, offset, lineno)
        except MalformedLine as exc:
            log.warning("%s:%d: %s; line skipped", source, lineno, exc)
            skipped += 1
            continue
        if line.event == RESTART:
            # Asterisk started again: whatever was open ended with it.
            for call in open_calls.values():
                call.restarted_at = line.at
                finished.append(call)
            open_calls.clear()
            continue
        if line.queue != queue:
            continue
        if line.event == START:
            if line.call_id in open_calls:
                log.warning("%s:%d: call %s starts twice; line skipped", source, lineno, line.call_id)
                skipped += 1
                continue
            open_calls[line.call_id] = FallbackCall(line.call_id, [line])
            continue
        current = open_calls.get(line.call_id)
        if current is None:
            continue  # a member's event (ADDMEMBER, PAUSE) or a call that began before the cursor
        current.lines.append(line)
        if current.finished():
            finished.append(open_calls.pop(line.call_id))
    for call_id, call in list(open_calls.items()):
        if call.finished(now):
            finished.append(open_calls.pop(call_id))
    unfinished = list(open_calls.values())  # in order of their first line
    if unfinished:
        resume_offset, resume_line = unfinished[0].first.offset, unfinished[0].first.lineno - 1
    else:
        resume_offset, resume_line = end
    finished.sort(key=lambda c: c.first.offset)
    return Scan(finished, unfinished, resume_offset, resume_line, skipped)


Numbered = tuple[int, int, str]  # byte offset, line number, text


def split_lines(data: bytes, start_offset: int, start_line: int) -> tuple[list[Numbered], int, int]:
    """Complete lines of `data` (read from `start_offset`) as (offset, line number, text).

    A last line without its newline is still being written: it is left for
    the next pass. Returns the lines and the (offset, line number) after them.
    """
    out = []
    offset, lineno = start_offset, start_line
    pos = 0
    while True:
        nl = data.find(b"\n", pos)
        if nl < 0:
            break
        lineno += 1
        text = data[pos:nl].decode("utf-8", errors="replace")
        if text.strip():
            out.append((offset, lineno, text))
        offset += nl + 1 - pos
        pos = nl + 1
    return out, offset, lineno
