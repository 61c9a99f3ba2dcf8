"""What a restart keeps of each counselor: rebuilt from the stored state records.

The service's memory of counselors is gone after a restart; their records are
not. `History` is what the store reads back for one counselor (last state and
pause reason, how long ago that state began, calls answered today), and
`rebuilt` puts the two figures a supervisor watches (time in state, calls
today) back on the counselor the dispatcher restored. The records the restore
itself writes carry `RESTORED_NOTE`, so they are never taken for the state's
beginning or for calls after the next restart.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from ivr.acd.counselor_model import Counselor

RESTORED_NOTE = "restored after a restart"


@dataclass(frozen=True)
class History:
    """One counselor as their records tell it: last state and reason (values as stored)."""

    state: str
    reason: str | None = None
    seconds_in_state: float | None = None  # since that state (and reason) began; None: unknown
    calls_today: int = 0


def rebuilt(c: Counselor, history: History, now: float) -> Counselor:
    """The restored counselor with today's calls, and the time in state when the restore
    put them back in the state their records end in (else the state began now)."""
    reason = c.pause_reason.value if c.pause_reason else None
    same = (c.state.value, reason) == (history.state, history.reason)
    since = now - history.seconds_in_state if same and history.seconds_in_state is not None else c.since
    return dataclasses.replace(c, since=since, calls_taken=history.calls_today)
