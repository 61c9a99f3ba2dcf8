"""Percentiles and summaries of latency samples (seconds in, milliseconds out)."""

from __future__ import annotations

import math
from collections.abc import Sequence


def percentile(values: Sequence[float], p: float) -> float | None:
    """The nearest-rank percentile `p` (0-100] of `values`, or None when empty.

    Nearest rank keeps every reported figure a value that was really measured:
    p99 of 50 samples is the largest one, not an interpolation past it.
    """
    if not 0 < p <= 100:
        raise ValueError(f"percentile must be in (0, 100], not {p}")
    if not values:
        return None
    ordered = sorted(values)
    rank = math.ceil(p / 100 * len(ordered))
    return ordered[max(rank, 1) - 1]


def summary_ms(seconds: Sequence[float]) -> dict[str, float | int | None]:
    """Count, p50/p95/p99 and max of `seconds`, in milliseconds rounded to 0.1."""

    def ms(value: float | None) -> float | None:
        return None if value is None else round(value * 1000, 1)

    return {
        "n": len(seconds),
        "p50": ms(percentile(seconds, 50)),
        "p95": ms(percentile(seconds, 95)),
        "p99": ms(percentile(seconds, 99)),
        "max": ms(max(seconds) if seconds else None),
    }


def ratio(ours: float | int | None, theirs: float | int | None) -> float | None:
    """ours / theirs, or None when either is missing or theirs is zero."""
    if ours is None or theirs is None or theirs == 0:
        return None
    return round(ours / theirs, 2)


def bucket_quantile_ms(metrics: dict[str, float], name: str, q: float) -> float | None:
    """The upper bound (ms) of the Prometheus histogram bucket `name` that holds
    its q-quantile (0-1]: "at most this", as fine as the buckets; None when empty
    or past the last finite bucket."""
    prefix = f'{name}_bucket{{le="'
    buckets = sorted(
        (float(key[len(prefix) : -2]), count)
        for key, count in metrics.items()
        if key.startswith(prefix) and not key.endswith('"+Inf"}')
    )
    total = metrics.get(f"{name}_count")
    if not total or not buckets:
        return None
    for bound, cumulative in buckets:
        if cumulative >= q * total:
            return round(bound * 1000, 1)
    return None
