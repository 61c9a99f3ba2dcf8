"""Erlang C: how many counselors a service-level target needs.

With calls arriving at random (Poisson, `calls_per_hour`) and handle times
exponential with mean `handle_seconds`, the traffic is
A = calls_per_hour × handle_seconds / 3600 erlangs, and with N > A counselors

    P(wait) = (A^N / N! × N / (N − A)) / (Σ_{k<N} A^k / k! + A^N / N! × N / (N − A))
    service level(T) = 1 − P(wait) × e^(−(N − A) × T / handle_seconds)
    average speed of answer = P(wait) × handle_seconds / (N − A)

The sum is built term by term (A^k/k! from the one before), so large N do not
overflow a float the way A^N and N! alone would.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

MAX_COUNSELORS = 1000  # beyond this the inputs are surely wrong


@dataclass(frozen=True)
class Staffing:
    """The fewest counselors that meet the target, and what they would give."""

    erlangs: float
    counselors: int
    wait_probability: float
    service_level: float
    average_answer_seconds: float
    occupancy: float


def traffic(calls_per_hour: float, handle_seconds: float) -> float:
    """Offered traffic in erlangs: the counselor-hours of work arriving per hour."""
    return calls_per_hour * handle_seconds / 3600.0


def wait_probability(erlangs: float, counselors: int) -> float:
    """Erlang C: the chance a caller has to wait at all (1.0 when N ≤ A: the line only grows)."""
    if erlangs <= 0:
        return 0.0
    if counselors <= erlangs:
        return 1.0
    term = 1.0  # A^0 / 0!
    below = 0.0
    for k in range(counselors):
        below += term
        term *= erlangs / (k + 1)
    # term is now A^N / N!
    top = term * counselors / (counselors - erlangs)
    return top / (below + top)


def service_level(erlangs: float, counselors: int, handle_seconds: float, within_seconds: float) -> float:
    """The share of callers answered within `within_seconds`."""
    if erlangs <= 0:
        return 1.0
    if counselors <= erlangs:
        return 0.0
    pw = wait_probability(erlangs, counselors)
    return 1.0 - pw * math.exp(-(counselors - erlangs) * within_seconds / handle_seconds)


def average_answer(erlangs: float, counselors: int, handle_seconds: float) -> float:
    """Average speed of answer in seconds (infinite when N ≤ A)."""
    if erlangs <= 0:
        return 0.0
    if counselors <= erlangs:
        return math.inf
    return wait_probability(erlangs, counselors) * handle_seconds / (counselors - erlangs)


def counselors_needed(
    calls_per_hour: float, handle_seconds: float, within_seconds: float, target: float
) -> Staffing:
    """The smallest N whose service level within `within_seconds` reaches `target` (0..1)."""
    if calls_per_hour < 0 or handle_seconds < 0:
        raise ValueError("calls per hour and handle time cannot be negative")
    a = traffic(calls_per_hour, handle_seconds)
    if a == 0:
        return Staffing(0.0, 0, 0.0, 1.0, 0.0, 0.0)
    n = max(1, math.floor(a) + 1)
    while service_level(a, n, handle_seconds, within_seconds) < target:
        n += 1
        if n > MAX_COUNSELORS:
            raise ValueError(f"more than {MAX_COUNSELORS} counselors needed for {a:.1f} erlangs")
    return Staffing(
        erlangs=a,
        counselors=n,
        wait_probability=wait_probability(a, n),
        service_level=service_level(a, n, handle_seconds, within_seconds),
        average_answer_seconds=average_answer(a, n, handle_seconds),
        occupancy=a / n,
    )
