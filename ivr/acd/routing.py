"""Which caller goes to which counselor: queues, fair order, strategies, callbacks.

Pure and deterministic: the same queues, callers, counselors and `now` always give
the same offers. A caller already being offered (some counselor is RESERVED with
their call id) is never offered again, so nobody rings twice.

Fair order (across every queue a counselor serves)::

    key = (not priority, demoted callback, entered_at - weight * WEIGHT_SECONDS, entered_at, call_id)

Priority callers (flagged by the flow) come first; then the one who has waited
longest, where a queue's `weight` counts as `weight` minutes of waiting already done
(effective wait = now - entered_at + weight * 60 s). `now` cancels out, so the order
never changes while callers wait; entered_at, then call id break ties.

Callback limit: a callback keeps the caller's place, but in each queue at most
`callback_capacity` of them (one per working member: available, reserved, on a
call or in wrap-up) hold their place; any further callbacks (the latest requested)
wait behind every live caller ("demoted"). So a live caller never has more
callbacks ahead of them than the counselors can take in one round, even when
counselors go on break after the callbacks were accepted. `accepts_callback`
refuses new requests beyond the capacity.

Offers (`next_assignment`): callers are taken in fair order; each gets the first
free eligible counselor in its queue's strategy order (counselors who already
missed this caller last). If none is free, an earlier caller may move to another
free counselor it can also take (an augmenting path), so a free counselor never
sits idle while a caller they could serve waits behind a caller someone else could
serve. A ring_all caller rings every free eligible member at once, and is the only
caller of that queue ringing.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from ivr.acd.counselor_model import Counselor, CounselorState

WEIGHT_SECONDS = 60.0  # one point of queue weight = one minute of waiting


class Strategy(enum.Enum):
    LONGEST_IDLE = "longest_idle"  # idle longest since their last call (or login)
    ROUND_ROBIN = "round_robin"  # offered least recently (never offered first)
    FEWEST_CALLS = "fewest_calls"  # fewest calls taken, then longest idle
    RING_ALL = "ring_all"  # every free member at once; first to answer takes it
    SKILLS = "skills"  # level 1 first; levels 2..3 too once the caller waited widen_after_seconds


class Admission(enum.Enum):
    ADMITTED = "admitted"
    FULL = "full"  # max_waiting live callers already wait: the flow's overflow outcome
    CLOSED = "closed"  # no member logged in: the flow's closed outcome


@dataclass(frozen=True)
class QueueConfig:
    """A queue; counselors with skill `skill` (default: the queue name) are its members."""

    name: str
    strategy: Strategy = Strategy.LONGEST_IDLE
    weight: int = 0
    widen_after_seconds: float = 30.0
    max_wait_seconds: float | None = None
    max_waiting: int | None = None
    skill: str | None = None

    def __post_init__(self) -> None:
        if not self.name:
            raise ValueError("a queue needs a name")
        if self.weight < 0 or self.widen_after_seconds < 0:
            raise ValueError(f"queue {self.name!r}: weight and widen_after_seconds must be >= 0")
        if self.max_wait_seconds is not None and self.max_wait_seconds <= 0:
            raise ValueError(f"queue {self.name!r}: max_wait_seconds must be > 0, or left out for no limit")
        if self.max_waiting is not None and self.max_waiting < 1:
            raise ValueError(f"queue {self.name!r}: max_waiting must be >= 1, or left out for no limit")

    @property
    def member_skill(self) -> str:
        return self.skill or self.name


@dataclass(frozen=True)
class WaitingCaller:
    """A caller in line (or a callback holding their place) until connected or gone."""

    call_id: str
    queue: str
    entered_at: float
    priority: bool = False
    callback: bool = False
    language: str | None = None  # only counselors speaking it
    declined_by: frozenset[str] = frozenset()  # counselors who missed or rejected this caller


class Assignment(NamedTuple):
    caller: WaitingCaller
    counselor: Counselor


def is_member(counselor: Counselor, queue: QueueConfig) -> bool:
    return queue.member_skill in counselor.skills


def callback_capacity(queue: QueueConfig, counselors: Iterable[Counselor]) -> int:
    """How many callbacks may hold their place in `queue`: one per working member."""
    return sum(1 for c in counselors if c.is_working and is_member(c, queue))


def accepts_callback(
    queue: QueueConfig, waiting: Iterable[WaitingCaller], counselors: Iterable[Counselor]
) -> bool:
    """May one more caller of `queue` leave the line for a callback?"""
    pending = sum(1 for w in waiting if w.callback and w.queue == queue.name)
    return pending < callback_capacity(queue, counselors)


def admit(queue: QueueConfig, waiting: Iterable[WaitingCaller], counselors: Iterable[Counselor]) -> Admission:
    """Whether a new caller may join `queue`; callbacks do not count against max_waiting."""
    if not any(c.state is not CounselorState.LOGGED_OUT and is_member(c, queue) for c in counselors):
        return Admission.CLOSED
    live = sum(1 for w in waiting if w.queue == queue.name and not w.callback)
    if queue.max_waiting is not None and live >= queue.max_waiting:
        return Admission.FULL
    return Admission.ADMITTED


def overflowing(
    queues: Sequence[QueueConfig], waiting: Iterable[WaitingCaller], now: float
) -> list[WaitingCaller]:
    """Live callers who have waited max_wait_seconds: the flow's overflow outcome.

    Callbacks are exempt: they have hung up and keep their place.
    """
    limits = {q.name: q.max_wait_seconds for q in queues}
    out = []
    for w in waiting:
        limit = limits.get(w.queue)
        if not w.callback and limit is not None and now - w.entered_at >= limit:
            out.append(w)
    return sorted(out, key=lambda w: (w.entered_at, w.call_id))


def fair_order(
    waiting: Sequence[WaitingCaller], queues: Sequence[QueueConfig], counselors: Sequence[Counselor]
) -> list[WaitingCaller]:
    """Every waiting caller, in the order counselors serve them (see the module docstring)."""
    by_name = _queues_by_name(queues, waiting)
    demoted = _demoted_callbacks(waiting, by_name, counselors)

    def key(w: WaitingCaller) -> tuple[bool, bool, float, float, str]:
        head_start = by_name[w.queue].weight * WEIGHT_SECONDS
        return (not w.priority, w.call_id in demoted, w.entered_at - head_start, w.entered_at, w.call_id)

    return sorted(waiting, key=key)


def position(
    caller: WaitingCaller,
    waiting: Sequence[WaitingCaller],
    queues: Sequence[QueueConfig],
    counselors: Sequence[Counselor],
) -> int:
    """The caller's 1-based place in their own queue, in the order it serves them."""
    line = [w.call_id for w in fair_order(waiting, queues, counselors) if w.queue == caller.queue]
    if caller.call_id not in line:
        raise ValueError(f"caller {caller.call_id} is not waiting in queue {caller.queue!r}")
    return line.index(caller.call_id) + 1


def next_assignment(
    queues: Sequence[QueueConfig],
    waiting: Sequence[WaitingCaller],
    counselors: Sequence[Counselor],
    now: float,
) -> list[Assignment]:
    """The offers to make now: each counselor at most once, each caller to one counselor (ring_all: all).

    Only offerable counselors (available, phone reachable) are used; callers already
    being offered are skipped. Ties between counselors fall to their order in
    `counselors` (the config order).
    """
    ids = [c.id for c in counselors]
    if len(set(ids)) != len(ids):
        raise ValueError(f"counselor ids must be unique, got {ids}")
    by_name = _queues_by_name(queues, waiting)
    rank = {c.id: i for i, c in enumerate(counselors)}
    in_offer = {c.call_id for c in counselors if c.state is CounselorState.RESERVED}
    ringing = {
        w.queue for w in waiting if w.call_id in in_offer and by_name[w.queue].strategy is Strategy.RING_ALL
    }
    free = [c for c in counselors if c.is_offerable(now)]
    if not free:
        return []  # nobody to offer: the line is not even read (hundreds wait in a surge)

    options: dict[str, list[Counselor]] = {}  # caller -> eligible free counselors, best first
    holder: dict[str, str] = {}  # counselor -> caller holding them
    single: dict[str, str] = {}  # caller -> their one counselor (movable)
    ring_all: dict[str, list[Counselor]] = {}

    def place(call_id: str, visited: set[str]) -> bool:
        for c in options[call_id]:  # a free one first, in strategy order
            if c.id not in holder:
                holder[c.id], single[call_id] = call_id, c.id
                return True
        for c in options[call_id]:  # else move an earlier caller elsewhere
            other = holder[c.id]
            if c.id in visited or other not in single:
                continue
            visited.add(c.id)
            if place(other, visited):
                holder[c.id], single[call_id] = call_id, c.id
                return True
        return False

    line = [w for w in fair_order(waiting, queues, counselors) if w.call_id not in in_offer]
    ranked: dict[tuple[str, str | None, bool], list[Counselor]] = {}
    for caller in line:
        if len(holder) == len(free):
            # Every free counselor has a caller: nobody further in line can get one,
            # not even by moving an earlier caller (that needs a counselor left over).
            # Without this, every state change read all of a surge's 400 callers.
            break
        queue = by_name[caller.queue]
        options[caller.call_id] = _eligible(caller, queue, free, rank, now, ranked)
        if queue.strategy is Strategy.RING_ALL:
            if queue.name in ringing:
                continue
            group = [c for c in options[caller.call_id] if c.id not in holder]
            if group:
                ringing.add(queue.name)
                ring_all[caller.call_id] = group
                holder.update((c.id, caller.call_id) for c in group)
        else:
            place(caller.call_id, set())

    by_id = {c.id: c for c in counselors}
    out: list[Assignment] = []
    for caller in line:
        if caller.call_id in single:
            out.append(Assignment(caller, by_id[single[caller.call_id]]))
        out.extend(Assignment(caller, c) for c in ring_all.get(caller.call_id, ()))
    return out


_StrategyKey = Callable[[Counselor, QueueConfig], tuple[float, ...]]

_STRATEGY_KEYS: dict[Strategy, _StrategyKey] = {
    Strategy.LONGEST_IDLE: lambda c, q: (c.idle_since,),
    Strategy.ROUND_ROBIN: lambda c, q: (0.0, 0.0) if c.last_offered_at is None else (1.0, c.last_offered_at),
    Strategy.FEWEST_CALLS: lambda c, q: (c.calls_taken, c.idle_since),
    Strategy.RING_ALL: lambda c, q: (c.idle_since,),
    Strategy.SKILLS: lambda c, q: (c.skills[q.member_skill], c.idle_since),
}


def _eligible(
    caller: WaitingCaller,
    queue: QueueConfig,
    free: list[Counselor],
    rank: dict[str, int],
    now: float,
    ranked: dict[tuple[str, str | None, bool], list[Counselor]],
) -> list[Counselor]:
    """Free counselors who may take `caller`, best first by the queue's strategy; the ones
    who missed this caller last. `ranked` keeps the order of callers alike (same queue,
    language and skill levels) for the rest of one matching."""
    primary_only = queue.strategy is Strategy.SKILLS and now - caller.entered_at < queue.widen_after_seconds
    alike = (queue.name, caller.language, primary_only)
    if (best := ranked.get(alike)) is None:
        levels = {1} if primary_only else {1, 2, 3}
        fits = [
            c
            for c in free
            if c.skills.get(queue.member_skill) in levels
            and (caller.language is None or caller.language in c.languages)
        ]
        key = _STRATEGY_KEYS[queue.strategy]
        best = ranked[alike] = sorted(fits, key=lambda c: (*key(c, queue), rank[c.id]))
    if not caller.declined_by:
        return best
    missed = caller.declined_by
    return [c for c in best if c.id not in missed] + [c for c in best if c.id in missed]


def _demoted_callbacks(
    waiting: Sequence[WaitingCaller], by_name: dict[str, QueueConfig], counselors: Sequence[Counselor]
) -> set[str]:
    """Callbacks beyond each queue's capacity: they wait behind every live caller."""
    demoted: set[str] = set()
    for name, queue in by_name.items():
        callbacks = sorted(
            (w for w in waiting if w.callback and w.queue == name),
            key=lambda w: (not w.priority, w.entered_at, w.call_id),
        )
        demoted.update(w.call_id for w in callbacks[callback_capacity(queue, counselors) :])
    return demoted


def _queues_by_name(
    queues: Sequence[QueueConfig], waiting: Sequence[WaitingCaller]
) -> dict[str, QueueConfig]:
    by_name = {q.name: q for q in queues}
    if len(by_name) != len(queues):
        raise ValueError(f"queue names must be unique, got {[q.name for q in queues]}")
    call_ids = [w.call_id for w in waiting]
    if len(set(call_ids)) != len(call_ids):
        raise ValueError("a caller is in line twice: call ids must be unique")
    for w in waiting:
        if w.queue not in by_name:
            raise ValueError(f"caller {w.call_id} waits in queue {w.queue!r}, which is not configured")
    return by_name
