"""What a synthetic caller must do to leave a node by each of its outcomes.

`ivr rehearse` walks every outcome of every node with a call that has only
its keys, its silence and the moment it calls: an outcome that needs anything
else (a caller's history, a department that really rings, a queue nobody
staffs) is not rehearsable, and says why. The inputs mirror what the node
runners in flows/nodes/ read, so the same engine takes the same branch.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from ivr.flows import model
from ivr.flows.model_base import DIGITS
from ivr.flows.schedule import Schedule

Key = str | None  # a key, or None: the caller keeps silent until the node times out

# The longest a rehearsal waits in line for nobody to answer (a queue's overflow).
MAX_REHEARSED_WAIT = 60.0


@dataclass(frozen=True)
class Edge:
    """One outcome of a node and what the caller does for it."""

    outcome: str
    keys: tuple[Key, ...] = ()
    seconds: float = 0.0  # what the caller waits in silence: the path's cost
    counselor: str | None = None  # "answer" / "none": the rehearsal counselor's part
    schedule: str | None = None  # the schedule outcome this edge needs the moment to give
    not_rehearsable: str | None = None  # why keys alone cannot take this outcome


def edges(
    node_id: str, node: model.Node, schedules: dict[str, Schedule], *, bookable: bool = True
) -> list[Edge]:
    """Each outcome of `node` that leads somewhere or ends the call, with its inputs.
    `bookable`: whether 예약 상담 has hours to offer (the service books only where it
    can call citizens back); without, a booking node always finds them full."""
    outs = sorted(node.outcomes() | node.targets().keys(), key=_order)
    return [_edge(node_id, node, outcome, schedules, bookable) for outcome in outs]


def _order(outcome: str) -> tuple[int, str]:
    # Digits first in key order, then named outcomes, as an admin reads a menu.
    return (0, str(DIGITS.index(outcome))) if outcome in DIGITS else (1, outcome)


def _edge(
    node_id: str, node: model.Node, outcome: str, schedules: dict[str, Schedule], bookable: bool
) -> Edge:
    if isinstance(node, model.MenuNode):
        return _menu(node, outcome)
    if isinstance(node, model.CollectNode):
        return _collect(node, outcome)
    if isinstance(node, model.ScheduleNode):
        return Edge(outcome, schedule=outcome)
    if isinstance(node, model.CallerNode):
        return _caller(node, outcome)
    if isinstance(node, model.QueueNode):
        return _queue(node, outcome)
    if isinstance(node, model.TransferNode):
        return Edge(outcome, not_rehearsable=f"rings department {node.department!r}, a real phone")
    if isinstance(node, model.VoicemailNode):
        if outcome == "done":
            return Edge(outcome, seconds=node.silence_seconds + 1)
        return Edge(outcome, not_rehearsable="needs the recording of the message to fail")
    if isinstance(node, model.CallbackNode):
        # 1: call back the number calling (the rehearsal number must be a phone number).
        return Edge(outcome, keys=("1",) if outcome == "done" else ("9",))
    if isinstance(node, model.BookingNode):
        return _booking(node, outcome, bookable)
    if isinstance(node, model.SurveyNode):
        return Edge(outcome, keys=("5",) * len(node.questions))
    if outcome == "error":
        return Edge(outcome, not_rehearsable="needs the node to fail")
    return Edge(outcome)


def _menu(node: model.MenuNode, outcome: str) -> Edge:
    if outcome == "timeout":
        return Edge(outcome, keys=(None,) * node.attempts, seconds=node.attempts * node.timeout)
    if outcome == "invalid":
        wrong = next((k for k in DIGITS if k not in node.options()), None)
        if wrong is None:
            return Edge(outcome, not_rehearsable="every key is an option: no key is invalid")
        return Edge(outcome, keys=(wrong,) * node.attempts)
    if outcome == "error":
        return Edge(outcome, not_rehearsable="needs the node to fail")
    return Edge(outcome, keys=(outcome,))


def _collect(node: model.CollectNode, outcome: str) -> Edge:
    end: tuple[Key, ...] = (node.terminator,) if node.terminator else ()
    if outcome == "done":
        digits = _acceptable_digits(node)
        if digits is None:
            return Edge(outcome, not_rehearsable=f"no digits of 1s or 0s match pattern {node.pattern!r}")
        confirm: tuple[Key, ...] = ("1",) if node.readback_prompt else ()
        return Edge(outcome, keys=(*digits, *end, *confirm))
    if outcome == "timeout":
        return Edge(outcome, keys=(None,) * node.attempts, seconds=node.attempts * node.timeout)
    if outcome == "invalid":
        # A star (or a hash, where star ends the entry) is never a digit.
        wrong = "#" if node.terminator == "*" else "*"
        after: tuple[Key, ...] = end if end != (wrong,) and end else (None,)
        return Edge(outcome, keys=(wrong, *after) * node.attempts, seconds=5.0 * node.attempts)
    return Edge(outcome, not_rehearsable="needs the node to fail")


def _acceptable_digits(node: model.CollectNode) -> str | None:
    for length in range(node.min_digits, node.max_digits + 1):
        for candidate in ("1" * length, "0" * length, ("01" + "0" * length)[:length]):
            if node.pattern is None or re.fullmatch(node.pattern, candidate):
                return candidate
    return None


def _caller(node: model.CallerNode, outcome: str) -> Edge:
    why = {
        "blocked": "needs a call from a blocked number",
        "priority": "needs a call from a priority number",
        "repeat": f"needs an earlier call from the same number within {node.repeat_within_minutes} minutes",
        "abuser": f"needs {node.strikes_at_least} abuse strikes on the calling number",
    }
    return Edge(outcome) if outcome == "default" else Edge(outcome, not_rehearsable=why[outcome])


def _booking(node: model.BookingNode, outcome: str, bookable: bool) -> Edge:
    if not bookable:
        if outcome == "full":
            return Edge(outcome)  # said at once, before any key
        return Edge(outcome, not_rehearsable="offers no hours without asterisk.trunk.dial (always full)")
    if outcome == "invalid":
        # A star is never one of the numbered days or hours.
        return Edge(outcome, keys=("*",) * node.attempts, seconds=node.timeout)
    if outcome == "done":
        # A rehearsal must change nothing a supervisor sees: no callback hour is booked.
        return Edge(outcome, not_rehearsable="would book a real callback hour")
    return Edge(outcome, not_rehearsable="needs every open hour booked")


def _queue(node: model.QueueNode, outcome: str) -> Edge:
    if outcome == "completed":
        return Edge(outcome, counselor="answer", seconds=5.0)
    if outcome in ("left", "book"):
        # The leave and book keys are heard while waiting, and the rehearsal
        # counselor is offered a rehearsal call at once: nobody waits in line.
        return Edge(outcome, not_rehearsable="needs the caller to wait in line for a busy counselor")
    if outcome == "overflow":
        wait = node.max_wait_seconds
        if wait is not None and wait <= MAX_REHEARSED_WAIT:
            return Edge(outcome, counselor="none", seconds=wait)
        shown = "no limit" if wait is None else f"{wait:g} s"
        return Edge(outcome, not_rehearsable=f"needs the caller to wait the whole max_wait_seconds ({shown})")
    if outcome == "closed":
        return Edge(outcome, not_rehearsable=f"needs every counselor of queue {node.queue!r} logged out")
    return Edge(outcome, not_rehearsable="needs the node to fail")


def moment_for(needs: list[tuple[Schedule, str]], base: datetime) -> datetime | None:
    """The first quarter past or to the hour after `base` (within a year) at
    which each schedule gives its outcome; None when there is none."""
    start = base.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    for half_hours in range(2 * 24 * 366):
        when = start + timedelta(minutes=30 * half_hours) + timedelta(minutes=15)
        if all(schedule.decide(when).outcome == o for schedule, o in needs):
            return when
    return None
