"""What a supervisor's wallboard shows of the live queue, as plain data.

Built from the dispatcher on demand; the web edge turns it into JSON. Times
are seconds the way people read them (time in state, longest wait), not the
dispatcher's monotonic clock.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ivr.acd.counselor_model import Counselor, CounselorState, PauseReason
from ivr.acd.routing import QueueConfig, WaitingCaller


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
    shown: str = ""  # the state the board shows and counts: `state`, or "unreachable"


@dataclass(frozen=True)
class Board:
    queues: tuple[QueueView, ...]
    counselors: tuple[CounselorView, ...]
    waiting: int
    longest_wait_seconds: float


# Shown for a logged-in counselor whose phone (desk phone or browser) is not
# registered: routing offers them nothing (Counselor.is_offerable), so the
# board must neither call them available nor count them with those who are.
UNREACHABLE = "unreachable"


def shown_state(state: CounselorState, reachable: bool) -> str:
    """What the board shows: the state, or `unreachable` for a logged-in counselor without a phone."""
    if state is not CounselorState.LOGGED_OUT and not reachable:
        return UNREACHABLE
    return state.value


def counselor_alert(state: CounselorState, reason: PauseReason | None, reachable: bool) -> str | None:
    if shown_state(state, reachable) == UNREACHABLE:
        return UNREACHABLE
    if reason is PauseReason.MISSED_CALLS:
        return "missed_calls"
    return None


def build_board(
    now: float, queues: Iterable[QueueConfig], line: list[WaitingCaller], counselors: Iterable[Counselor]
) -> Board:
    """The board at monotonic time `now`, from the dispatcher's queues, waiting callers and counselors."""
    counselors = tuple(counselors)
    views = []
    for q in queues:
        mine = [w for w in line if w.queue == q.name]
        waits = [now - w.entered_at for w in mine if not w.callback]
        working = sum(1 for c in counselors if c.is_working and q.member_skill in c.skills)
        callbacks = sum(1 for w in mine if w.callback)
        views.append(QueueView(q.name, len(waits), round(max(waits, default=0.0), 1), working, callbacks))
    people = tuple(
        CounselorView(
            id=c.id,
            state=c.state.value,
            seconds_in_state=round(max(0.0, now - c.since), 1),
            pause_reason=c.pause_reason.value if c.pause_reason else None,
            pending=str(c.pending) if c.pending else None,
            reachable=c.reachable,
            call_id=c.call_id,
            calls_taken=c.calls_taken,
            alert=counselor_alert(c.state, c.pause_reason, c.reachable),
            shown=shown_state(c.state, c.reachable),
        )
        for c in counselors
    )
    return Board(
        tuple(views),
        people,
        sum(v.waiting for v in views),
        max((v.longest_wait_seconds for v in views), default=0.0),
    )


def free_colleagues(now: float, counselors: Iterable[Counselor], me: str) -> list[str]:
    """Colleagues a counselor may hand a caller to now: available on a reachable phone."""
    return [c.id for c in counselors if c.id != me and c.is_offerable(now)]
