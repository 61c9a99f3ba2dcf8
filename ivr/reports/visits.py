"""From queue log lines to what reports count: visits to a line, and conversations.

A *visit* is one caller's stay in one queue: it opens with `entered` and ends
with `connected` (answered), `abandoned`, `exit_timeout`, `exit_empty` or
`exit_key`; a visit with no end yet is `waiting`. A *conversation* is a
counselor talking with a citizen: it opens with `connected` (or
`callback_connected`) and the counselor's part ends with `completed_*` or
`transferred`. Its handle time is talk + hold + wrap-up:

- talk: `completed_*`'s talked seconds, or up to the transfer when the
  counselor handed the caller to a department (the department's time is not
  the counselor's);
- hold: the caller on hold music while the counselor consulted a department
  (`consult_started` to `consult_returned` or `transferred` in the timeline);
- wrap-up: the wrap-up the counselor entered as the conversation ended (from
  `counselor_events`; see `attach_wrap_up`).
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from ivr.reports.rows import CallEventRow, QueueLogRow

OPEN_EVENTS = ("connected", "callback_connected")
END_EVENTS = ("completed_caller", "completed_counselor", "transferred")
VISIT_ENDS = {
    "connected": "answered",
    "abandoned": "abandoned",
    "exit_timeout": "exit_timeout",
    "exit_empty": "exit_empty",
    "exit_key": "exit_key",
}
# queue_log stamps come from the call's clock and counselor_events from the
# dispatcher's: a wrap-up starting this little before a conversation's logged
# end, or up to WRAP_UP_LATE after it, is that conversation's.
WRAP_UP_SLACK = timedelta(seconds=5)
WRAP_UP_LATE = timedelta(seconds=60)


@dataclass(slots=True)
class Visit:
    """One caller's stay in one queue."""

    call_id: str
    queue: str
    entered_at: datetime
    outcome: str  # answered, abandoned, exit_timeout, exit_empty, exit_key, waiting
    waited: float | None = None
    counselor_id: str | None = None


@dataclass(slots=True)
class Conversation:
    """A counselor's part of one call (callbacks included)."""

    call_id: str
    queue: str
    counselor_id: str
    connected_at: datetime
    ended_at: datetime | None = None
    talk: float = 0.0
    hold: float = 0.0
    wrap_up: float = 0.0

    @property
    def handle(self) -> float:
        return self.talk + self.hold + self.wrap_up


def visits(log: list[QueueLogRow] | tuple[QueueLogRow, ...]) -> list[Visit]:
    """Every visit that entered a line, in the order they entered."""
    found: list[Visit] = []
    open_: dict[tuple[str, str], int] = {}
    for row in sorted(log, key=lambda r: r.at):
        key = (row.call_id, row.queue)
        if row.event == "entered":
            open_[key] = len(found)
            found.append(Visit(row.call_id, row.queue, row.at, "waiting"))
        elif row.event in VISIT_ENDS and key in open_:
            i = open_.pop(key)
            waited = row.waited
            if waited is None:
                waited = max(0.0, (row.at - found[i].entered_at).total_seconds())
            v = found[i]
            v.outcome, v.waited, v.counselor_id = VISIT_ENDS[row.event], waited, row.counselor_id
    return found


def conversations(
    log: list[QueueLogRow] | tuple[QueueLogRow, ...],
    events: list[CallEventRow] | tuple[CallEventRow, ...] = (),
) -> list[Conversation]:
    """Every conversation that connected, with talk and hold (wrap-up is attached later)."""
    found: list[Conversation] = []
    open_: dict[str, int] = {}
    for row in sorted(log, key=lambda r: r.at):
        if row.event in OPEN_EVENTS and row.counselor_id:
            open_[row.call_id] = len(found)
            found.append(Conversation(row.call_id, row.queue, row.counselor_id, row.at))
        elif row.event in END_EVENTS and row.call_id in open_:
            i = open_.pop(row.call_id)
            c = found[i]
            since = max(0.0, (row.at - c.connected_at).total_seconds())
            c.talk = row.talked if row.event != "transferred" and row.talked is not None else since
            c.ended_at = row.at
    # A call's consultations happen in its (almost always one) conversation: the first.
    first: dict[str, Conversation] = {}
    for c in found:
        first.setdefault(c.call_id, c)
    for call_id, held in _holds(events).items():
        if call_id in first:
            c = first[call_id]
            c.hold, c.talk = held, max(0.0, c.talk - held)
    return found


def _holds(events: list[CallEventRow] | tuple[CallEventRow, ...]) -> dict[str, float]:
    """Seconds each call's caller spent on hold while their counselor consulted."""
    held: dict[str, float] = {}
    since: dict[str, datetime] = {}
    for e in sorted(events, key=lambda e: e.at):
        if e.kind == "consult_started":
            since[e.call_id] = e.at
        elif e.kind in ("consult_returned", "transferred") and e.call_id in since:
            start = since.pop(e.call_id)
            held[e.call_id] = held.get(e.call_id, 0.0) + (e.at - start).total_seconds()
    return held


def attach_wrap_up(
    talks: list[Conversation], wrap_ups: list[tuple[str, datetime, float]]
) -> list[Conversation]:
    """Give each conversation the wrap-up its counselor started as it ended (in place).

    `wrap_ups` are (counselor, start, seconds). A wrap-up belongs to the same
    counselor's conversation with the latest end at or before its start (give or
    take `WRAP_UP_SLACK`, and not more than `WRAP_UP_LATE` before) that has none yet.
    """
    result = list(talks)
    # Per counselor, their conversations' ends in order, to search by time.
    ends: dict[str, list[tuple[datetime, int]]] = defaultdict(list)
    for i, c in enumerate(result):
        if c.ended_at is not None:
            ends[c.counselor_id].append((c.ended_at, i))
    for found in ends.values():
        found.sort()
    taken: set[int] = set()
    for counselor, start, seconds in sorted(wrap_ups, key=lambda w: w[1]):
        found = ends.get(counselor, [])
        j = bisect_right(found, start + WRAP_UP_SLACK, key=lambda e: e[0]) - 1
        while j >= 0 and found[j][0] >= start - WRAP_UP_LATE:
            i = found[j][1]
            if i not in taken:
                taken.add(i)
                result[i].wrap_up = seconds
                break
            j -= 1
    return result
