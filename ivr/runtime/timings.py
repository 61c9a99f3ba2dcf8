"""How long things take inside the service, for /metrics: counts, totals and
the longest (or histograms of them), plus the event loop's lag (how late a
timer fires: every call's next step waits that long too)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass

LAG_PROBE_SECONDS = 0.1


@dataclass
class Durations:
    """One Prometheus summary without quantiles, and the longest seen."""

    count: int = 0
    total: float = 0.0
    longest: float = 0.0

    def add(self, seconds: float) -> None:
        self.count += 1
        self.total += seconds
        if seconds > self.longest:
            self.longest = seconds

    def exposition(self, name: str, what: str) -> list[str]:
        return [
            f"# HELP {name} {what}",
            f"# TYPE {name} summary",
            f"{name}_count {self.count}",
            f"{name}_sum {self.total:.6f}",
            f"# HELP {name}_max The longest of these.",
            f"# TYPE {name}_max gauge",
            f"{name}_max {self.longest:.6f}",
        ]


async def watch_loop_lag(
    lag: Durations, every: float = LAG_PROBE_SECONDS, beat: Callable[[], None] | None = None
) -> None:
    """Sleep `every` seconds again and again; what each wake-up is late by is the lag.
    Each wake-up is also the heartbeat `beat` (stall_watch.py) is told of."""
    while True:
        asked = time.perf_counter()
        await asyncio.sleep(every)
        lag.add(max(0.0, time.perf_counter() - asked - every))
        if beat is not None:
            beat()


# Upper bounds (seconds) of a histogram's buckets: from a loopback round trip
# (about a millisecond) to the 10 s a request may take before it is given up.
BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


@dataclass
class Histogram:
    """One Prometheus histogram (cumulative buckets), and the longest seen."""

    bounds: tuple[float, ...] = BUCKETS

    def __post_init__(self) -> None:
        self.counts = [0] * len(self.bounds)  # per bucket, not yet cumulative
        self.durations = Durations()

    @property
    def count(self) -> int:
        return self.durations.count

    def add(self, seconds: float) -> None:
        self.durations.add(seconds)
        for i, bound in enumerate(self.bounds):
            if seconds <= bound:
                self.counts[i] += 1
                break

    def exposition(self, name: str, what: str) -> list[str]:
        lines = [f"# HELP {name} {what}", f"# TYPE {name} histogram"]
        running = 0
        for bound, count in zip(self.bounds, self.counts, strict=True):
            running += count
            lines.append(f'{name}_bucket{{le="{bound:g}"}} {running}')
        d = self.durations
        lines += [
            f'{name}_bucket{{le="+Inf"}} {d.count}',
            f"{name}_count {d.count}",
            f"{name}_sum {d.total:.6f}",
            f"# HELP {name}_max The longest of these.",
            f"# TYPE {name}_max gauge",
            f"{name}_max {d.longest:.6f}",
        ]
        return lines
