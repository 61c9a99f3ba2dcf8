"""A counselor and what can happen to them: states, pause reasons, named events, rules.

`counselor_states` holds the table and the one transition function; this module
holds the values it works on. Events (`Event.pause(PauseReason.MEAL)`,
`Event.offer("call-7")`) validate themselves, so a malformed one never reaches the
state machine. Vocabulary borrowed from FreeSWITCH mod_callcenter, in the call
center's own words.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType


class CounselorState(enum.Enum):
    LOGGED_OUT = "logged_out"
    AVAILABLE = "available"
    RESERVED = "reserved"  # their phone rings for one caller
    ON_CALL = "on_call"
    WRAP_UP = "wrap_up"  # after-call work, at least the configured seconds
    PAUSED = "paused"  # always with a PauseReason


# Counselors who serve callers now or within one handle time: they count for
# wait estimates and for the callback limit. Paused and logged-out ones do not.
WORKING_STATES = frozenset(
    {CounselorState.AVAILABLE, CounselorState.RESERVED, CounselorState.ON_CALL, CounselorState.WRAP_UP}
)


class PauseReason(enum.Enum):
    BREAK = "break"
    MEAL = "meal"
    TRAINING = "training"
    ADMIN = "admin"
    COOLDOWN = "cooldown"  # after an abusive call; lasts a fixed time
    MISSED_CALLS = "missed_calls"  # set automatically after K missed offers in a row


class EventKind(enum.Enum):
    LOGIN = "login"
    LOGOUT = "logout"
    OFFER = "offer"  # routing picked this counselor; their phone starts ringing
    ANSWER = "answer"
    REJECT_OR_NO_ANSWER = "reject_or_no_answer"  # counts as a missed offer
    CANCEL_OFFER = "cancel_offer"  # caller hung up, or another counselor answered (ring_all): not a miss
    HANGUP = "hangup"  # either side ended the conversation
    WRAP_UP_DONE = "wrap_up_done"
    EXTEND_WRAP_UP = "extend_wrap_up"
    PAUSE = "pause"
    UNPAUSE = "unpause"
    # The counselor's own "지금 상담 가능": wrap-up ends now, not at its timer.
    READY = "ready"


@dataclass(frozen=True)
class Event:
    """One thing that happened to a counselor; build it with the class methods.

    `reason` belongs to pause only; `seconds` to a cooldown pause (its length) and
    to extend_wrap_up (the extension); `call_id` to the events of one offer or call.
    When an event carries a call id that is not the counselor's current call, the
    state machine refuses it as stale instead of acting on the wrong call.
    """

    kind: EventKind
    reason: PauseReason | None = None
    seconds: float | None = None
    call_id: str | None = None

    def __post_init__(self) -> None:
        if (self.kind is EventKind.PAUSE) != (self.reason is not None):
            raise ValueError("a pause event needs a reason, and only a pause event has one")
        if self.seconds is not None:
            if self.kind is EventKind.PAUSE and self.reason is not PauseReason.COOLDOWN:
                raise ValueError("only a cooldown pause has a length; other pauses end with unpause")
            if self.kind not in (EventKind.PAUSE, EventKind.EXTEND_WRAP_UP):
                raise ValueError(f"{self.kind.value} takes no seconds")
            if self.seconds <= 0:
                raise ValueError(f"seconds must be positive, got {self.seconds}")
        if self.kind is EventKind.OFFER and not self.call_id:
            raise ValueError("an offer names the call being offered")

    def __str__(self) -> str:
        if self.reason is not None:
            return f"pause({self.reason.value})"
        if self.kind is EventKind.EXTEND_WRAP_UP and self.seconds is not None:
            return f"extend_wrap_up({self.seconds:g}s)"
        if self.call_id is not None:
            return f"{self.kind.value}({self.call_id})"
        return self.kind.value

    @classmethod
    def login(cls) -> Event:
        return cls(EventKind.LOGIN)

    @classmethod
    def logout(cls) -> Event:
        return cls(EventKind.LOGOUT)

    @classmethod
    def offer(cls, call_id: str) -> Event:
        return cls(EventKind.OFFER, call_id=call_id)

    @classmethod
    def answer(cls, call_id: str | None = None) -> Event:
        return cls(EventKind.ANSWER, call_id=call_id)

    @classmethod
    def reject_or_no_answer(cls, call_id: str | None = None) -> Event:
        return cls(EventKind.REJECT_OR_NO_ANSWER, call_id=call_id)

    @classmethod
    def cancel_offer(cls, call_id: str | None = None) -> Event:
        return cls(EventKind.CANCEL_OFFER, call_id=call_id)

    @classmethod
    def hangup(cls, call_id: str | None = None) -> Event:
        return cls(EventKind.HANGUP, call_id=call_id)

    @classmethod
    def wrap_up_done(cls) -> Event:
        return cls(EventKind.WRAP_UP_DONE)

    @classmethod
    def extend_wrap_up(cls, seconds: float | None = None) -> Event:
        return cls(EventKind.EXTEND_WRAP_UP, seconds=seconds)

    @classmethod
    def pause(cls, reason: PauseReason, seconds: float | None = None) -> Event:
        return cls(EventKind.PAUSE, reason=reason, seconds=seconds)

    @classmethod
    def unpause(cls) -> Event:
        return cls(EventKind.UNPAUSE)

    @classmethod
    def ready(cls) -> Event:
        return cls(EventKind.READY)


# The state each event is meant to lead to; names the "to" of an illegal transition.
EVENT_TARGET: dict[EventKind, CounselorState] = {
    EventKind.LOGIN: CounselorState.AVAILABLE,
    EventKind.LOGOUT: CounselorState.LOGGED_OUT,
    EventKind.OFFER: CounselorState.RESERVED,
    EventKind.ANSWER: CounselorState.ON_CALL,
    EventKind.REJECT_OR_NO_ANSWER: CounselorState.AVAILABLE,
    EventKind.CANCEL_OFFER: CounselorState.AVAILABLE,
    EventKind.HANGUP: CounselorState.WRAP_UP,
    EventKind.WRAP_UP_DONE: CounselorState.AVAILABLE,
    EventKind.EXTEND_WRAP_UP: CounselorState.WRAP_UP,
    EventKind.PAUSE: CounselorState.PAUSED,
    EventKind.UNPAUSE: CounselorState.AVAILABLE,
    EventKind.READY: CounselorState.AVAILABLE,
}


@dataclass(frozen=True)
class CounselorRules:
    """The center's settings for every counselor; seconds on the monotonic clock."""

    wrap_up_seconds: float = 30.0
    wrap_up_extension_seconds: float = 60.0  # one press of "more time"
    max_wrap_up_seconds: float = 600.0  # extensions stop here, counted from the hangup
    max_missed_offers: int = 3  # K missed offers in a row -> paused(missed_calls)
    cooldown_seconds: float = 300.0  # default length of a cooldown pause
    ring_timeout_seconds: float = 15.0  # an offer's deadline; due_event enforces it

    def __post_init__(self) -> None:
        if self.wrap_up_seconds < 0 or self.cooldown_seconds <= 0 or self.ring_timeout_seconds <= 0:
            raise ValueError("wrap_up_seconds must be >= 0, cooldown and ring timeout > 0")
        if self.wrap_up_extension_seconds <= 0 or self.max_wrap_up_seconds < self.wrap_up_seconds:
            raise ValueError("the wrap-up extension must be > 0 and max_wrap_up_seconds >= wrap_up_seconds")
        if self.max_missed_offers < 1:
            raise ValueError("max_missed_offers must be at least 1")


DEFAULT_RULES = CounselorRules()


@dataclass(frozen=True)
class Counselor:
    """One counselor's routing facts and state; replaced, never mutated.

    `skills` maps a queue (or skill) name to a level: 1 primary, 2 and 3 for
    overflow. `reachable` is false while their phone is unregistered or
    unreachable; it is device state, not a transition.
    """

    id: str
    skills: Mapping[str, int] = field(default_factory=dict)
    languages: frozenset[str] = frozenset({"ko"})
    state: CounselorState = CounselorState.LOGGED_OUT
    since: float = 0.0  # entered this state (or this pause reason)
    wrap_up_until: float | None = None
    pending: Event | None = None  # a deferred pause or logout
    misses: int = 0  # missed offers in a row
    last_call_ended_at: float | None = None
    calls_taken: int = 0
    pause_reason: PauseReason | None = None
    paused_until: float | None = None  # cooldown only
    call_id: str | None = None  # the call offered, talked or wrapped up
    offer_until: float | None = None
    last_offered_at: float | None = None
    logged_in_at: float | None = None
    reachable: bool = True

    def __post_init__(self) -> None:
        if not self.id:
            raise ValueError("a counselor needs an id")
        for skill, level in self.skills.items():
            if level not in (1, 2, 3):
                raise ValueError(f"counselor {self.id}: skill {skill!r} has level {level}; use 1, 2 or 3")
        self._check_state()
        object.__setattr__(self, "skills", MappingProxyType(dict(self.skills)))
        object.__setattr__(self, "languages", frozenset(self.languages))

    def _check_state(self) -> None:
        """Facts each state needs, so a restored or hand-built counselor is never half a state."""
        busy = self.state in (CounselorState.RESERVED, CounselorState.ON_CALL, CounselorState.WRAP_UP)
        problems = [
            (self.state is CounselorState.PAUSED) != (self.pause_reason is not None)
            and "a paused counselor needs pause_reason, and only a paused one has it",
            busy and not self.call_id and "reserved, on-call and wrap-up counselors need call_id",
            self.state is CounselorState.WRAP_UP
            and self.wrap_up_until is None
            and "wrap-up needs wrap_up_until",
            self.pending is not None and not busy and "only a busy counselor has a pending pause or logout",
        ]
        for problem in problems:
            if problem:
                raise ValueError(f"counselor {self.id} is {self.state.value}: {problem}")

    def is_offerable(self, now: float) -> bool:
        """May routing offer this counselor a caller at `now`?"""
        return self.state is CounselorState.AVAILABLE and self.reachable and self.since <= now

    @property
    def is_working(self) -> bool:
        """Serving callers now or soon (available, reserved, on a call, wrap-up) on a reachable phone."""
        return self.state in WORKING_STATES and self.reachable

    @property
    def idle_since(self) -> float:
        """Start of idle time for longest-idle: the end of the last call, else login."""
        if self.last_call_ended_at is not None:
            return self.last_call_ended_at
        return self.logged_in_at if self.logged_in_at is not None else self.since
