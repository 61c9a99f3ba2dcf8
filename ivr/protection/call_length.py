"""The call-length limit of one conversation: warn at N, end at M, extend once.

Cities that follow the 2019 행정안전부 guidance set a recommended call length
(for example a notice at 15 minutes and an end at 20). The timer is pure: the
call session asks it what is due at a time it reads from its injected clock,
and sleeps until `next_deadline()`; the desk shows `remaining()` as a
countdown. One transition table (`TRANSITIONS`) holds the lifecycle:

    counting --warn_due--> warned --end_due--> ended
    counting/warned --extend--> counting   (once, with a reason; the end moves)
    counting/warned --exempt--> exempt     (a supervisor joined; an exempt topic)

Any other pair is refused with `LimitRefused`.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


@dataclass(frozen=True)
class LengthLimit:
    """A queue's limit, in seconds from the moment the counselor answered.

    `warn_after` 0: no notice; `end_after` 0: never cut (the limit is off when
    both are 0). `extend_by`: how much later one extension moves the end."""

    warn_after: float = 0.0
    end_after: float = 0.0
    extend_by: float = 600.0

    def __post_init__(self) -> None:
        if self.warn_after < 0 or self.end_after < 0 or self.extend_by <= 0:
            raise ValueError("warn_after and end_after must be >= 0, extend_by > 0")
        if self.warn_after and self.end_after and self.warn_after >= self.end_after:
            raise ValueError("the notice must come before the end (warn_after < end_after)")

    @property
    def off(self) -> bool:
        return not self.warn_after and not self.end_after


@dataclass(frozen=True)
class LengthView:
    """A conversation's limit as the counselor's desk shows it (a countdown)."""

    remaining: float | None  # seconds until the call is cut; None: it will not be
    phase: str  # counting | warned | exempt | ended
    extended: bool
    exempt_why: str


class Phase(enum.Enum):
    COUNTING = "counting"
    WARNED = "warned"
    EXEMPT = "exempt"
    ENDED = "ended"


class Step(enum.Enum):
    WARN_DUE = "warn_due"
    END_DUE = "end_due"
    EXTEND = "extend"
    EXEMPT = "exempt"


TRANSITIONS: dict[tuple[Phase, Step], Phase] = {
    (Phase.COUNTING, Step.WARN_DUE): Phase.WARNED,
    (Phase.COUNTING, Step.END_DUE): Phase.ENDED,  # no notice configured
    (Phase.COUNTING, Step.EXTEND): Phase.COUNTING,
    (Phase.COUNTING, Step.EXEMPT): Phase.EXEMPT,
    (Phase.WARNED, Step.END_DUE): Phase.ENDED,
    (Phase.WARNED, Step.EXTEND): Phase.COUNTING,  # a fresh notice comes before the new end
    (Phase.WARNED, Step.EXEMPT): Phase.EXEMPT,
    (Phase.EXEMPT, Step.EXEMPT): Phase.EXEMPT,  # a second supervisor joining changes nothing
}


class LimitRefused(ValueError):
    """Not possible now; `message_ko`/`message_en` say why, for the desk."""

    def __init__(self, message_ko: str, message_en: str) -> None:
        super().__init__(message_en)
        self.message_ko = message_ko
        self.message_en = message_en


def move(phase: Phase, step: Step) -> Phase:
    """The phase after `step`, or LimitRefused for a pair the table lacks."""
    after = TRANSITIONS.get((phase, step))
    if after is None:
        raise LimitRefused("지금은 할 수 없습니다.", f"{step.value} is not possible when {phase.value}")
    return after


class CallLengthTimer:
    """One conversation's limit; times are the call session's monotonic seconds."""

    def __init__(self, limit: LengthLimit, started: float) -> None:
        self.limit = limit
        self.phase = Phase.EXEMPT if limit.off else Phase.COUNTING
        self.exempt_why = "off" if limit.off else ""
        self.extended_reason: str | None = None
        self._warn_at = started + limit.warn_after if limit.warn_after else None
        self._end_at = started + limit.end_after if limit.end_after else None

    def next_deadline(self) -> float | None:
        """When something is next due (the session sleeps until then), or None."""
        if self.phase is Phase.COUNTING and self._warn_at is not None:
            return self._warn_at
        if self.phase in (Phase.COUNTING, Phase.WARNED):
            return self._end_at
        return None

    def due(self, now: float) -> Step | None:
        """What is due at `now` (WARN_DUE or END_DUE), moving the phase; else None.

        Call again after a WARN_DUE: the end may be due at the same time."""
        if self.phase is Phase.COUNTING and self._warn_at is not None and now >= self._warn_at:
            self.phase = move(self.phase, Step.WARN_DUE)
            return Step.WARN_DUE
        if self.phase in (Phase.COUNTING, Phase.WARNED) and self._end_at is not None and now >= self._end_at:
            self.phase = move(self.phase, Step.END_DUE)
            return Step.END_DUE
        return None

    def extend(self, reason: str) -> float:
        """The counselor keeps the call going once, for a reason; the new end's
        distance from the old one (`extend_by`) is returned."""
        if not reason.strip():
            raise LimitRefused("연장 사유를 입력해 주십시오.", "An extension needs a reason.")
        if self.extended_reason is not None:
            raise LimitRefused("통화 연장은 한 번만 할 수 있습니다.", "A call can be extended only once.")
        if self._end_at is None and self._warn_at is None:
            raise LimitRefused("이 통화에는 시간 제한이 없습니다.", "This call has no time limit.")
        self.phase = move(self.phase, Step.EXTEND)
        by = self.limit.extend_by
        self._end_at = self._end_at + by if self._end_at is not None else None
        self._warn_at = self._warn_at + by if self._warn_at is not None else None
        self.extended_reason = reason.strip()
        return by

    def exempt(self, why: str) -> bool:
        """Never cut this call (a supervisor joined, or its topic is exempt).
        True when that changed anything."""
        if self.phase in (Phase.ENDED, Phase.EXEMPT):
            return False
        self.phase = move(self.phase, Step.EXEMPT)
        self.exempt_why = why
        return True

    def remaining(self, now: float) -> float | None:
        """Seconds until the call is cut, for the desk's countdown; None when it will not be."""
        if self.phase not in (Phase.COUNTING, Phase.WARNED) or self._end_at is None:
            return None
        return max(0.0, self._end_at - now)

    def view(self, now: float) -> LengthView:
        return LengthView(
            self.remaining(now), self.phase.value, self.extended_reason is not None, self.exempt_why
        )
