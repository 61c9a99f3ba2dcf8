"""Honest wait estimates, or none at all.

Method (recomputed on every call; nothing is cached):

- Working counselors n: members available, reserved, on a call or in wrap-up, on a
  reachable phone. Paused and logged-out counselors do not serve anyone. n = 0 ->
  no estimate.
- Samples: calls handled by the queue's counselors whose wrap-up ended in the
  sliding window (now - window_seconds, now]; handle time = talk + wrap-up.
  Fewer than `min_samples` -> no estimate.
- Each working counselor answers one caller per mean handle time h, so the queue
  is served at rate n / h, and the caller at position p waits about
      W = p * h / n.
- Spread: with s the sample standard deviation of handle times and N samples, the
  time until p more callers are served has standard deviation about
      sd = (s / n) * sqrt(p + p**2 / N)
  (the p term: p completions among n counselors working in parallel, a renewal
  approximation; the p**2 / N term: the uncertainty of h itself). The estimate is
  announced only if the `confidence` interval W +- z * sd has a half-width of at
  most max(max_relative_half_width * W, tolerance_seconds): a wait that could as
  well be half or double is not announced, but a short wait known to the minute is.
- Announce in whole minutes, rounded half up, at least 1.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable
from dataclasses import dataclass

from ivr.acd.counselor_model import Counselor

_Z = {0.8: 1.2816, 0.9: 1.6449, 0.95: 1.9600}


@dataclass(frozen=True)
class HandledCall:
    """One answered call whose after-call work is done."""

    ended_at: float  # when the wrap-up ended, on the monotonic clock
    talk_seconds: float
    wrap_up_seconds: float

    def __post_init__(self) -> None:
        if self.talk_seconds < 0 or self.wrap_up_seconds < 0:
            raise ValueError("talk and wrap-up seconds cannot be negative")

    @property
    def handle_seconds(self) -> float:
        return self.talk_seconds + self.wrap_up_seconds


@dataclass(frozen=True)
class EstimateSettings:
    window_seconds: float = 1800.0
    min_samples: int = 10
    confidence: float = 0.8  # one of 0.8, 0.9, 0.95
    max_relative_half_width: float = 0.5
    tolerance_seconds: float = 60.0  # one announced minute

    def __post_init__(self) -> None:
        if self.confidence not in _Z:
            raise ValueError(f"confidence must be one of {sorted(_Z)}, got {self.confidence}")
        if self.window_seconds <= 0 or self.min_samples < 2:
            raise ValueError("window_seconds must be > 0 and min_samples >= 2 (a spread needs two samples)")
        if self.max_relative_half_width <= 0 or self.tolerance_seconds < 0:
            raise ValueError("max_relative_half_width must be > 0 and tolerance_seconds >= 0")


DEFAULT_SETTINGS = EstimateSettings()


@dataclass(frozen=True)
class WaitEstimate:
    seconds: float
    low_seconds: float
    high_seconds: float
    position: int
    working: int
    samples: int
    mean_handle_seconds: float
    answers_per_hour: float  # answered-and-handled calls in the window, per hour

    @property
    def minutes(self) -> int:
        """What to announce: whole minutes, rounded half up, at least 1."""
        return announce_minutes(self.seconds)


@dataclass(frozen=True)
class NoEstimate:
    """Why nothing is announced: reason is an id for logs and the supervisor view."""

    reason: str  # too-few-samples | no-counselor-working | too-uncertain
    detail: str


def announce_minutes(seconds: float) -> int:
    return max(1, math.floor(seconds / 60.0 + 0.5))


def working_count(counselors: Iterable[Counselor]) -> int:
    return sum(1 for c in counselors if c.is_working)


def assess_wait(
    position: int,
    history: Iterable[HandledCall],
    counselors: Iterable[Counselor],
    now: float,
    settings: EstimateSettings = DEFAULT_SETTINGS,
) -> WaitEstimate | NoEstimate:
    """The estimate for the caller at `position` (1-based), or why there is none.

    `counselors` are the members of the caller's queue; `history` may hold older
    calls, the window is applied here.
    """
    if position < 1:
        raise ValueError(f"position is 1-based, got {position}")
    n = working_count(counselors)
    if n == 0:
        return NoEstimate("no-counselor-working", "every counselor of the queue is paused or logged out")
    start = now - settings.window_seconds
    handles = [h.handle_seconds for h in history if start < h.ended_at <= now]
    if len(handles) < settings.min_samples:
        detail = f"{len(handles)} calls handled in the last {settings.window_seconds:g}s"
        return NoEstimate("too-few-samples", f"{detail}, {settings.min_samples} needed")
    samples = len(handles)
    mean = statistics.fmean(handles)
    spread = statistics.stdev(handles)
    seconds = position * mean / n
    half = _Z[settings.confidence] * (spread / n) * math.sqrt(position + position**2 / samples)
    allowed = max(settings.max_relative_half_width * seconds, settings.tolerance_seconds)
    if half > allowed:
        detail = f"{seconds:.0f}s +- {half:.0f}s is wider than +- {allowed:.0f}s"
        return NoEstimate("too-uncertain", detail)
    per_hour = samples * 3600.0 / settings.window_seconds
    return WaitEstimate(
        seconds, max(0.0, seconds - half), seconds + half, position, n, samples, mean, per_hour
    )


def estimate_wait(
    position: int,
    history: Iterable[HandledCall],
    counselors: Iterable[Counselor],
    now: float,
    settings: EstimateSettings = DEFAULT_SETTINGS,
) -> WaitEstimate | None:
    """The estimate to announce, or None: don't announce any."""
    result = assess_wait(position, history, counselors, now, settings)
    return result if isinstance(result, WaitEstimate) else None
