"""The service's own timings for /metrics: summaries, and the event loop's lag."""

from __future__ import annotations

import asyncio
import time

from ivr.runtime.timings import Durations, Histogram, watch_loop_lag


def test_durations_count_total_and_longest_in_prometheus_text() -> None:
    d = Durations()
    for seconds in (0.002, 0.010, 0.004):
        d.add(seconds)
    lines = d.exposition("hotline_x_seconds", "Time to do x.")
    assert "# TYPE hotline_x_seconds summary" in lines
    assert "hotline_x_seconds_count 3" in lines
    assert "hotline_x_seconds_sum 0.016000" in lines
    assert "hotline_x_seconds_max 0.010000" in lines


def test_histogram_buckets_are_cumulative_with_count_sum_and_longest() -> None:
    h = Histogram(bounds=(0.001, 0.01, 0.1))
    for seconds in (0.0005, 0.001, 0.004, 0.05, 3.0):
        h.add(seconds)
    lines = h.exposition("hotline_y_seconds", "Time to do y.")
    assert "# TYPE hotline_y_seconds histogram" in lines
    assert 'hotline_y_seconds_bucket{le="0.001"} 2' in lines  # a bound is in its bucket
    assert 'hotline_y_seconds_bucket{le="0.01"} 3' in lines
    assert 'hotline_y_seconds_bucket{le="0.1"} 4' in lines
    assert 'hotline_y_seconds_bucket{le="+Inf"} 5' in lines  # 3 s is past every bound
    assert "hotline_y_seconds_count 5" in lines
    assert "hotline_y_seconds_max 3.000000" in lines


class _Watched(Durations):
    def __init__(self) -> None:
        super().__init__()
        self.added = asyncio.Event()

    def add(self, seconds: float) -> None:
        super().add(seconds)
        self.added.set()


def _hog(seconds: float) -> None:
    time.sleep(seconds)  # a step that holds the loop, as a slow synchronous write would


async def test_a_blocked_event_loop_shows_as_lag() -> None:
    lag = _Watched()
    watcher = asyncio.create_task(watch_loop_lag(lag, every=0.01))
    await asyncio.wait_for(lag.added.wait(), 5)
    assert lag.longest < 0.25
    asyncio.get_running_loop().call_soon(_hog, 0.3)
    async with asyncio.timeout(5):
        while lag.longest < 0.25:
            lag.added.clear()
            await lag.added.wait()
    watcher.cancel()
    assert lag.count >= 2
