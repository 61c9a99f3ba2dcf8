"""Which counselor to ring next: a pure state machine, no I/O.

The queue issue grows this into queues, pauses and wrap-up; for now a
counselor is available, reserved (their phone is ringing for a caller) or on
a call, and callers are offered to available counselors longest-idle first.
"""

from __future__ import annotations

import enum
import logging
from dataclasses import dataclass

log = logging.getLogger(__name__)


class CounselorState(enum.Enum):
    AVAILABLE = "available"
    RESERVED = "reserved"
    ON_CALL = "on_call"


# The one table of legal moves; anything else is a bug and raises.
_LEGAL: dict[CounselorState, frozenset[CounselorState]] = {
    CounselorState.AVAILABLE: frozenset({CounselorState.RESERVED, CounselorState.ON_CALL}),
    CounselorState.RESERVED: frozenset({CounselorState.AVAILABLE, CounselorState.ON_CALL}),
    CounselorState.ON_CALL: frozenset({CounselorState.AVAILABLE}),
}


class IllegalTransition(Exception):
    """A counselor state change that the table does not allow."""


@dataclass(frozen=True)
class Counselor:
    id: str
    name: str
    endpoint: str


@dataclass
class _Seat:
    counselor: Counselor
    order: int
    state: CounselorState = CounselorState.AVAILABLE
    idle_since: float = 0.0
    call_id: str | None = None


class CounselorPool:
    """Counselors and their states; `monotonic` is seconds on any steady clock."""

    def __init__(self, counselors: list[Counselor]) -> None:
        self._seats = {c.id: _Seat(c, i) for i, c in enumerate(counselors)}

    def __contains__(self, counselor_id: object) -> bool:
        return counselor_id in self._seats

    def state(self, counselor_id: str) -> CounselorState:
        return self._seats[counselor_id].state

    def call_of(self, counselor_id: str) -> str | None:
        return self._seats[counselor_id].call_id

    def hunt_order(self, exclude: set[str] | frozenset[str] = frozenset()) -> list[Counselor]:
        """Available counselors, the one idle longest first (config order breaks ties)."""
        seats = [
            s
            for s in self._seats.values()
            if s.state is CounselorState.AVAILABLE and s.counselor.id not in exclude
        ]
        seats.sort(key=lambda s: (s.idle_since, s.order))
        return [s.counselor for s in seats]

    def reserve(self, counselor_id: str, call_id: str) -> None:
        self._move(counselor_id, CounselorState.RESERVED, call_id)

    def on_call(self, counselor_id: str, call_id: str) -> None:
        self._move(counselor_id, CounselorState.ON_CALL, call_id)

    def release(self, counselor_id: str, now: float, *, talked: bool) -> None:
        """Back to available; only a finished conversation resets idle time.

        A counselor who missed a ring keeps their place: skipping them must not
        push them to the back of the line.
        """
        seat = self._seats[counselor_id]
        if seat.state is CounselorState.AVAILABLE:
            return
        self._move(counselor_id, CounselorState.AVAILABLE, None)
        if talked:
            seat.idle_since = now

    def _move(self, counselor_id: str, to: CounselorState, call_id: str | None) -> None:
        seat = self._seats[counselor_id]
        if to not in _LEGAL[seat.state]:
            raise IllegalTransition(f"counselor {counselor_id}: {seat.state.value} -> {to.value}")
        log.info("counselor %s: %s -> %s", counselor_id, seat.state.value, to.value)
        seat.state = to
        seat.call_id = call_id
