"""What citizens call about: menu options, topics, self-service, repeats, surveys, callbacks.

self-served call   disposition `ivr_ended` (the flow said goodbye), no line
                   of the queue log at all (never entered, was refused by or
                   asked a callback from a queue), and no voicemail left
self-service completion  self-served calls / calls, per option or topic
repeat call        a call with a topic whose caller called before on the same
                   topic within `repeat_days` (anonymous callers never repeat)
callback success   requests `done` / requests closed (`done` + `failed`)
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta

from ivr.reports.rows import CallbackRow, CallEventRow, CallRow, QueueLogRow, SurveyRow

ANONYMOUS = ("", "anonymous", "unknown")
NO_TOPIC = "-"


@dataclass(frozen=True)
class ChoiceFigures:
    """Calls through one menu option or with one topic."""

    key: str
    calls: int
    self_served: int
    repeats: int = 0

    @property
    def self_service_rate(self) -> float | None:
        return self.self_served / self.calls if self.calls else None


def self_served(
    calls: Iterable[CallRow], log: Iterable[QueueLogRow], events: Iterable[CallEventRow]
) -> set[str]:
    """Ids of the calls the menu served to the end on its own."""
    queued = {r.call_id for r in log}
    left_message = {e.call_id for e in events if e.kind == "voicemail"}
    return {
        c.call_id
        for c in calls
        if c.disposition == "ivr_ended" and c.call_id not in queued and c.call_id not in left_message
    }


def options(
    calls: Iterable[CallRow], events: Iterable[CallEventRow], served: set[str]
) -> list[ChoiceFigures]:
    """Per menu option (`node:digit`): calls that chose it at least once, and how many were self-served."""
    ids = {c.call_id for c in calls}
    chose: dict[str, set[str]] = defaultdict(set)
    for e in events:
        if e.kind == "menu_choice" and e.call_id in ids:
            chose[f"{e.detail.get('node', '?')}:{e.detail.get('digit', '?')}"].add(e.call_id)
    return [ChoiceFigures(k, len(v), len(v & served)) for k, v in sorted(chose.items())]


def repeats(calls: Iterable[CallRow], earlier: Iterable[CallRow], days: int) -> set[str]:
    """Ids of the calls (of `calls`) that repeat an earlier call by the same caller on the same topic."""
    window = timedelta(days=days)
    seen: dict[tuple[str, str], list[CallRow]] = defaultdict(list)
    for c in [*earlier, *calls]:
        if c.topic and c.caller not in ANONYMOUS:
            seen[(c.caller, c.topic)].append(c)
    found: set[str] = set()
    for c in calls:
        if not c.topic or c.caller in ANONYMOUS:
            continue
        if any(
            o.call_id != c.call_id and c.started_at - window <= o.started_at < c.started_at
            for o in seen[(c.caller, c.topic)]
        ):
            found.add(c.call_id)
    return found


def topics(calls: Iterable[CallRow], served: set[str], repeated: set[str]) -> list[ChoiceFigures]:
    """Per topic (`-` for calls without one): calls, self-served, repeats."""
    by: dict[str, list[str]] = defaultdict(list)
    for c in calls:
        by[c.topic or NO_TOPIC].append(c.call_id)
    return [
        ChoiceFigures(k, len(ids), sum(1 for i in ids if i in served), sum(1 for i in ids if i in repeated))
        for k, ids in sorted(by.items())
    ]


def survey_averages(answers: Iterable[SurveyRow]) -> dict[str, tuple[int, float]]:
    """Per question: how many answered, and the mean answer."""
    by: dict[str, list[int]] = defaultdict(list)
    for a in answers:
        by[a.question].append(a.answer)
    return {q: (len(v), sum(v) / len(v)) for q, v in sorted(by.items())}


@dataclass(frozen=True)
class CallbackFigures:
    requested: int
    done: int
    failed: int
    open: int  # new or queued: not yet decided

    @property
    def success_rate(self) -> float | None:
        closed = self.done + self.failed
        return self.done / closed if closed else None


def callback_figures(requests: Iterable[CallbackRow]) -> CallbackFigures:
    """Callback requests of the period, by how they ended."""
    rows = list(requests)
    done = sum(1 for r in rows if r.status == "done")
    failed = sum(1 for r in rows if r.status == "failed")
    return CallbackFigures(len(rows), done, failed, len(rows) - done - failed)
