"""How long things take inside the service, for /metrics: counts, totals and
the longest, plus the event loop's lag (how late a timer fires: every call's
next step waits that long too)."""

from __future__ import annotations

import asyncio
import time
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


async def watch_loop_lag(lag: Durations, every: float = LAG_PROBE_SECONDS) -> None:
    """Sleep `every` seconds again and again; what each wake-up is late by is the lag."""
    while True:
        asked = time.perf_counter()
        await asyncio.sleep(every)
        lag.add(max(0.0, time.perf_counter() - asked - every))
