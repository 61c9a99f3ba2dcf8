"""Counselor states: one table of legal transitions, one function that applies an event.

`transition(counselor, event, now, rules)` is the only way a counselor changes state.
It returns the new (frozen) `Counselor` and the `StateRecord`s to store, or raises
`IllegalCounselorTransition` when `LEGAL` has no entry for (state, event). Times are
float seconds on one monotonic clock. What the users of app_queue and mod_callcenter
complain about, and the rule here that prevents it:

- wrap-up ending early: `wrap_up_done` before `wrap_up_until` is refused, and
  `Transition.refused` says how long is left; only the counselor ends their own
  wrap-up early (`ready`, the desk's "지금 상담 가능"), and a pause or logout they
  asked for during the call still comes first;
- pause reasons that vanish: a pause (or logout) asked for while reserved, on a call
  or in wrap-up is kept in `pending`, recorded, and applied when the offer or the
  wrap-up ends; a later request replaces it only by precedence (logout > cooldown >
  other pauses), and `unpause` cancels it (never a pending cooldown);
- counselors who stop answering: `rules.max_missed_offers` missed offers in a row
  pause them with reason missed_calls, in a record with `alert=True` for the
  supervisor; an answer resets the count, so does coming back from a pause;
- counselors stuck in "reserved": every offer has a deadline, and `due_event` names
  the event a timer must apply once a deadline has passed (also ends wrap-up and
  cooldown on time).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from ivr.acd.counselor_model import (
    DEFAULT_RULES,
    EVENT_TARGET,
    WORKING_STATES,
    Counselor,
    CounselorRules,
    CounselorState,
    Event,
    EventKind,
    PauseReason,
)
from ivr.errors import HotlineError

__all__ = [
    "DEFAULT_RULES",
    "LEGAL",
    "WORKING_STATES",
    "Counselor",
    "CounselorRules",
    "CounselorState",
    "Event",
    "EventKind",
    "IllegalCounselorTransition",
    "PauseReason",
    "StateRecord",
    "Transition",
    "due_event",
    "transition",
]

_S = CounselorState
_E = EventKind
_SETTLE = frozenset({_S.AVAILABLE, _S.PAUSED, _S.LOGGED_OUT})  # where an offer or a wrap-up can end
_BUSY = frozenset({_S.RESERVED, _S.ON_CALL, _S.WRAP_UP})  # pause and logout wait for these to end

# The one table of legal transitions: (state, event) -> the states it may lead to.
# Same-state entries record something without leaving the state (a deferred pause,
# an extended wrap-up). Anything absent raises IllegalCounselorTransition.
LEGAL: dict[tuple[CounselorState, EventKind], frozenset[CounselorState]] = {
    (_S.LOGGED_OUT, _E.LOGIN): frozenset({_S.AVAILABLE}),
    (_S.AVAILABLE, _E.LOGOUT): frozenset({_S.LOGGED_OUT}),
    (_S.AVAILABLE, _E.OFFER): frozenset({_S.RESERVED}),
    (_S.AVAILABLE, _E.PAUSE): frozenset({_S.PAUSED}),
    (_S.RESERVED, _E.ANSWER): frozenset({_S.ON_CALL}),
    (_S.RESERVED, _E.REJECT_OR_NO_ANSWER): _SETTLE,
    (_S.RESERVED, _E.CANCEL_OFFER): _SETTLE,
    (_S.RESERVED, _E.PAUSE): frozenset({_S.RESERVED}),
    (_S.RESERVED, _E.LOGOUT): frozenset({_S.RESERVED}),
    (_S.RESERVED, _E.UNPAUSE): frozenset({_S.RESERVED}),
    (_S.ON_CALL, _E.HANGUP): frozenset({_S.WRAP_UP}),
    (_S.ON_CALL, _E.PAUSE): frozenset({_S.ON_CALL}),
    (_S.ON_CALL, _E.LOGOUT): frozenset({_S.ON_CALL}),
    (_S.ON_CALL, _E.UNPAUSE): frozenset({_S.ON_CALL}),
    (_S.WRAP_UP, _E.WRAP_UP_DONE): _SETTLE,
    (_S.WRAP_UP, _E.EXTEND_WRAP_UP): frozenset({_S.WRAP_UP}),
    (_S.WRAP_UP, _E.PAUSE): frozenset({_S.WRAP_UP}),
    (_S.WRAP_UP, _E.LOGOUT): frozenset({_S.WRAP_UP}),
    (_S.WRAP_UP, _E.UNPAUSE): frozenset({_S.WRAP_UP}),
    (_S.WRAP_UP, _E.READY): _SETTLE,
    (_S.PAUSED, _E.PAUSE): frozenset({_S.PAUSED}),  # a new reason, e.g. break -> meal
    (_S.PAUSED, _E.UNPAUSE): frozenset({_S.AVAILABLE}),
    (_S.PAUSED, _E.LOGOUT): frozenset({_S.LOGGED_OUT}),
}


class IllegalCounselorTransition(HotlineError):
    """An event the table does not allow in the counselor's state: a bug in the caller."""

    def __init__(
        self, counselor_id: str, from_state: CounselorState, to_state: CounselorState, event: Event
    ) -> None:
        self.counselor_id = counselor_id
        self.from_state = from_state
        self.to_state = to_state
        self.event = event
        super().__init__(
            f"counselor {counselor_id}: {from_state.value} -> {to_state.value} on {event} is not allowed"
        )


@dataclass(frozen=True)
class StateRecord:
    """One accepted event, to store: reports and restarts are built from these."""

    counselor_id: str
    from_state: CounselorState
    to_state: CounselorState
    event: str  # e.g. "pause(meal)", "offer(call-7)"
    reason: PauseReason | None  # the pause reason when to_state is PAUSED
    at: float
    pending: str | None = None  # the deferred event after this one, e.g. "logout"
    note: str = ""
    alert: bool = False  # the supervisor should be told (automatic missed_calls pause)


@dataclass(frozen=True)
class Transition:
    """The outcome of one event: the counselor after it, and what to store.

    A refused event (`refused` says why) changes nothing and records nothing: it
    is expected (a timer firing early, a stale event), not a bug.
    """

    counselor: Counselor
    records: tuple[StateRecord, ...] = ()
    refused: str | None = None


_CLEAR_CALL: dict[str, Any] = {"call_id": None, "offer_until": None, "wrap_up_until": None}
_CLEAR_PAUSE: dict[str, Any] = {"pause_reason": None, "paused_until": None}


def transition(
    counselor: Counselor, event: Event, now: float, rules: CounselorRules = DEFAULT_RULES
) -> Transition:
    """Apply `event` at `now`; raise IllegalCounselorTransition if the table forbids it."""
    c = counselor
    targets = LEGAL.get((c.state, event.kind))
    if targets is None:
        raise IllegalCounselorTransition(c.id, c.state, EVENT_TARGET[event.kind], event)
    if event.call_id is not None and c.call_id is not None and event.call_id != c.call_id:
        return Transition(c, refused=f"{event} is stale: counselor {c.id} is on call {c.call_id}")
    result = _apply(c, event, now, rules)
    for record in result.records:  # the handlers obey the table too
        if record.to_state not in targets:
            raise IllegalCounselorTransition(c.id, c.state, record.to_state, event)
    return result


def _apply(c: Counselor, event: Event, now: float, rules: CounselorRules) -> Transition:
    match event.kind:
        case _E.LOGIN:
            return _to(c, _S.AVAILABLE, event, now, logged_in_at=now, misses=0, last_call_ended_at=None)
        case _E.LOGOUT if c.state in _BUSY:
            return _defer(c, event, now)
        case _E.LOGOUT:
            return _to(c, _S.LOGGED_OUT, event, now, **_CLEAR_PAUSE, misses=0, logged_in_at=None)
        case _E.OFFER:
            if not c.reachable:
                return Transition(c, refused=f"counselor {c.id}'s phone is unreachable")
            until = now + rules.ring_timeout_seconds
            return _to(
                c, _S.RESERVED, event, now, call_id=event.call_id, offer_until=until, last_offered_at=now
            )
        case _E.ANSWER:
            return _to(c, _S.ON_CALL, event, now, offer_until=None, misses=0, calls_taken=c.calls_taken + 1)
        case _E.REJECT_OR_NO_ANSWER if c.pending is None:
            misses = c.misses + 1
            if misses >= rules.max_missed_offers:
                paused = {"pause_reason": PauseReason.MISSED_CALLS, "paused_until": None, "misses": misses}
                note = f"{misses} missed offers in a row"
                return _to(c, _S.PAUSED, event, now, note=note, alert=True, **paused, **_CLEAR_CALL)
            return _to(c, _S.AVAILABLE, event, now, misses=misses, **_CLEAR_CALL)
        case _E.REJECT_OR_NO_ANSWER | _E.CANCEL_OFFER:
            # A counselor who asked to pause while ringing is not counted as missing it.
            return _settle(c, event, now, rules)
        case _E.HANGUP:
            return _to(
                c, _S.WRAP_UP, event, now, wrap_up_until=now + rules.wrap_up_seconds, last_call_ended_at=now
            )
        case _E.WRAP_UP_DONE:
            assert c.wrap_up_until is not None
            if now < c.wrap_up_until:
                return Transition(c, refused=f"wrap-up of {c.id} lasts {c.wrap_up_until - now:g}s more")
            return _settle(c, event, now, rules)
        case _E.READY:
            return _settle(c, event, now, rules)
        case _E.EXTEND_WRAP_UP:
            assert c.wrap_up_until is not None
            limit = c.since + rules.max_wrap_up_seconds
            if c.wrap_up_until >= limit:
                return Transition(
                    c, refused=f"wrap-up of {c.id} is at its limit of {rules.max_wrap_up_seconds:g}s"
                )
            extension = event.seconds or rules.wrap_up_extension_seconds
            until = min(max(c.wrap_up_until, now) + extension, limit)
            return _to(c, _S.WRAP_UP, event, now, wrap_up_until=until, note=f"wrap-up until {until:g}")
        case _E.PAUSE if c.state in _BUSY:
            return _defer(c, event, now)
        case _E.PAUSE:
            if c.paused_until is not None and now < c.paused_until and event.reason is not c.pause_reason:
                return Transition(c, refused=f"cooldown of {c.id} lasts {c.paused_until - now:g}s more")
            return _pause(c, event, event, now, rules)
        case _E.UNPAUSE if c.state in _BUSY:
            if c.pending is None:
                return Transition(c, refused=f"counselor {c.id} has no pause or logout waiting to cancel")
            if c.pending.reason is PauseReason.COOLDOWN:
                return Transition(c, refused=f"counselor {c.id}'s cooldown pause cannot be cancelled")
            return _to(c, c.state, event, now, pending=None, note=f"{c.pending} cancelled")
        case _E.UNPAUSE:
            if c.paused_until is not None and now < c.paused_until:
                return Transition(c, refused=f"cooldown of {c.id} lasts {c.paused_until - now:g}s more")
            return _to(c, _S.AVAILABLE, event, now, **_CLEAR_PAUSE, misses=0)
    raise AssertionError(f"unhandled {event}")  # pragma: no cover - the table and match agree


def _to(
    c: Counselor,
    to: CounselorState,
    event: Event,
    now: float,
    note: str = "",
    alert: bool = False,
    **changes: Any,
) -> Transition:
    new = dataclasses.replace(c, state=to, **changes)
    if to is not c.state or new.pause_reason is not c.pause_reason:
        new = dataclasses.replace(new, since=now)
    pending = str(new.pending) if new.pending is not None else None
    reason = new.pause_reason if to is _S.PAUSED else None
    record = StateRecord(c.id, c.state, to, str(event), reason, now, pending, note, alert)
    return Transition(new, (record,))


def _defer(c: Counselor, event: Event, now: float) -> Transition:
    """Keep a pause or logout asked for while busy; logout > cooldown > other pauses."""
    held = c.pending
    if held is not None and event.kind is _E.PAUSE:
        if held.kind is _E.LOGOUT:
            return Transition(
                c, refused=f"counselor {c.id} already logs out after this call; unpause cancels it"
            )
        if held.reason is PauseReason.COOLDOWN and event.reason is not PauseReason.COOLDOWN:
            return Transition(c, refused=f"counselor {c.id} has a cooldown pause waiting")
    ends = {_S.RESERVED: "the offer", _S.ON_CALL: "the call and its wrap-up", _S.WRAP_UP: "the wrap-up"}
    return _to(c, c.state, event, now, pending=event, note=f"{event} waits for {ends[c.state]} to end")


def _settle(c: Counselor, event: Event, now: float, rules: CounselorRules) -> Transition:
    """An offer or a wrap-up ended: apply the pending pause or logout, else available."""
    held = c.pending
    if held is None:
        return _to(c, _S.AVAILABLE, event, now, **_CLEAR_CALL)
    if held.kind is _E.LOGOUT:
        out = {"pending": None, "misses": 0, "logged_in_at": None, **_CLEAR_CALL, **_CLEAR_PAUSE}
        return _to(c, _S.LOGGED_OUT, event, now, note="logout asked for earlier", **out)
    return _pause(c, event, held, now, rules, note=f"{held} asked for earlier")


def _pause(
    c: Counselor, event: Event, pause: Event, now: float, rules: CounselorRules, note: str = ""
) -> Transition:
    until = None
    if pause.reason is PauseReason.COOLDOWN:  # measured from when the pause starts
        until = now + (pause.seconds or rules.cooldown_seconds)
    paused = {"pause_reason": pause.reason, "paused_until": until, "pending": None, **_CLEAR_CALL}
    return _to(c, _S.PAUSED, event, now, note=note, **paused)


def due_event(counselor: Counselor, now: float) -> Event | None:
    """The event a timer must apply at `now`, if a deadline has passed.

    An unanswered offer becomes reject_or_no_answer, a finished wrap-up
    wrap_up_done, an ended cooldown unpause. Sweeping every counselor with this
    means nobody stays reserved, in wrap-up or in cooldown by a lost timer.
    """
    c = counselor
    if c.state is _S.RESERVED and c.offer_until is not None and now >= c.offer_until:
        return Event.reject_or_no_answer(c.call_id)
    if c.state is _S.WRAP_UP and c.wrap_up_until is not None and now >= c.wrap_up_until:
        return Event.wrap_up_done()
    if c.state is _S.PAUSED and c.paused_until is not None and now >= c.paused_until:
        return Event.unpause()
    return None
