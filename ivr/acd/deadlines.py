"""One loop timer at the earliest deadline of any counselor: an offer running out,
the end of wrap-up or of a cooldown. When it fires, the dispatcher applies what is
due, so nobody stays reserved or in wrap-up by accident."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable

from ivr.acd.counselor_model import Counselor


class DeadlineTimer:
    """Calls `on_due` once the earliest deadline set has passed."""

    def __init__(self, now: Callable[[], float], on_due: Callable[[], None]) -> None:
        self.now = now
        self.on_due = on_due
        self._handle: asyncio.TimerHandle | None = None

    def set(self, counselors: Iterable[Counselor]) -> None:
        """The timer at the earliest deadline of `counselors` now (none if nobody has one)."""
        deadlines = [
            d for c in counselors for d in (c.offer_until, c.wrap_up_until, c.paused_until) if d is not None
        ]
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None
        if not deadlines:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return  # no loop (a pure test): whoever drives the clock applies what is due
        delay = max(0.0, min(deadlines) - self.now())
        # 10 ms past the deadline, so it has passed by the clock the due events read.
        self._handle = loop.call_later(delay + 0.01, self._fire)

    def _fire(self) -> None:
        self._handle = None
        self.on_due()
