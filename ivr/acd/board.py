"""What a supervisor's wallboard shows of the live queue, as plain data.

Built from the dispatcher on demand; the web edge turns it into JSON. Times
are seconds the way people read them (time in state, longest wait), not the
dispatcher's monotonic clock.
"""

from __future__ import annotations

from dataclasses import dataclass

from ivr.acd.counselor_model import CounselorState, PauseReason


@dataclass(frozen=True)
class QueueView:
    name: str
    waiting: int
    longest_wait_seconds: float  # 0 with nobody waiting
    working: int  # counselors of this queue serving callers now or soon
    callbacks: int = 0  # callback requests holding a place in line


@dataclass(frozen=True)
class CounselorView:
    id: str
    state: str
    seconds_in_state: float
    pause_reason: str | None
    pending: str | None  # a pause or logout that waits for the call to end
    reachable: bool
    call_id: str | None
    calls_taken: int
    alert: str | None  # why a supervisor should look: missed_calls, unreachable


@dataclass(frozen=True)
class Board:
    queues: tuple[QueueView, ...]
    counselors: tuple[CounselorView, ...]
    waiting: int
    longest_wait_seconds: float


def counselor_alert(state: CounselorState, reason: PauseReason | None, reachable: bool) -> str | None:
    if state is not CounselorState.LOGGED_OUT and not reachable:
        return "unreachable"
    if reason is PauseReason.MISSED_CALLS:
        return "missed_calls"
    return None
