"""Where the rehearsal number's calls go: their own records, their own counselor, their own clock.

`ivr rehearse` calls the hotline through the trunk from one configured number
(config.yaml `rehearsal.number`). Such a call runs the very flow a citizen's
does, but its record goes to a database of its own (nothing a supervisor sees
counts it), it waits for the rehearsal counselor alone (no real counselor is
offered it, and the rehearsal counselor is in no real queue), and it alone may
ask for another moment (`--at`) for its schedule nodes. A citizen's call that
carries the same marker is a citizen's call: the real clock, the real line.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime

from ivr.acd.dispatcher import Dispatcher
from ivr.flows.run import FlowEnv
from ivr.ports import CallRecords


@dataclass(frozen=True)
class RehearsalLine:
    """What a rehearsal call is given in place of the real line's parts."""

    number: str
    records: CallRecords
    acd: Dispatcher
    env: FlowEnv  # the rehearsal counselor's queues and endpoint; no recordings copier

    def takes(self, caller: str) -> bool:
        return caller == self.number

    def env_at(self, moment: str) -> tuple[FlowEnv, str | None]:
        """The env for a call that asked for `moment` ("" for none), and what was
        wrong with the moment if it could not be read (the real clock is kept)."""
        if not moment:
            return self.env, None
        try:
            clock = moved_clock(self.env.now, moment)
        except ValueError as exc:
            return self.env, str(exc)
        return replace(self.env, now=clock), None


def moved_clock(now: Callable[[], datetime], moment: str) -> Callable[[], datetime]:
    """A clock that reads `moment` ("2026-12-25 10:00", wall-clock time where the
    hotline is) now, and runs on from there."""
    try:
        target = datetime.fromisoformat(moment.strip().replace(" ", "T", 1))
    except ValueError:
        raise ValueError(f"{moment!r} is not a moment like 2026-12-25 10:00") from None
    start = now()
    if target.tzinfo is None and start.tzinfo is not None:
        target = target.replace(tzinfo=start.tzinfo)

    def moved() -> datetime:
        return target + (now() - start)

    return moved
