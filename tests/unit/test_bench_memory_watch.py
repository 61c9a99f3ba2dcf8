"""The bench's memory series: read from /proc through the run, judged on its second half."""

from __future__ import annotations

import os

from bench.memory_watch import MemoryWatch, heaps_of, high_water_growth_per_10_min, resident_mib


def series(values: list[float]) -> list[dict[str, object]]:
    return [{"minute": float(m), "service": {"rss": v}} for m, v in enumerate(values)]


def test_the_high_water_mark_is_read_per_ten_minutes_after_the_warm_up() -> None:
    # A warm-up in the first 10 minutes, then flat: the peaks do not rise.
    warm_then_flat = series([100 + 7 * m for m in range(10)] + [176] * 31)
    assert high_water_growth_per_10_min(warm_then_flat, "service", "rss") == 0.0
    creeping = series([100 + 0.1 * m for m in range(41)])  # 0.1 MiB a minute
    assert high_water_growth_per_10_min(creeping, "service", "rss") == 1.0


def test_a_trims_saw_tooth_is_not_read_as_growth() -> None:
    # Climbing 0.6 MiB a minute, given back every 10 minutes to the same floor: the
    # first and last samples of the second half would say 2.6 MiB per 10 minutes.
    tooth = series([160 + 0.6 * (m % 10) for m in range(43)])
    assert high_water_growth_per_10_min(tooth, "service", "rss") == 0.0
    # The same tooth on a floor rising 0.5 MiB per 10 minutes is growth, and says so.
    rising = series([160 + 0.6 * (m % 10) + 0.05 * m for m in range(43)])
    assert high_water_growth_per_10_min(rising, "service", "rss") == 0.5


def test_a_run_under_thirty_minutes_says_nothing_about_flatness() -> None:
    assert high_water_growth_per_10_min(series([100] * 29), "service", "rss") is None
    assert high_water_growth_per_10_min(series([100] * 41), "asterisk", "rss") is None  # not watched


def test_the_watch_reads_a_live_process_and_ends_with_a_last_sample() -> None:
    mine = resident_mib(os.getpid())
    assert mine["rss"] > 10 and mine["anonymous"] > 1 and mine["file"] > 1
    watch = MemoryWatch({"service": [os.getpid()], "gone": [2**22 + 7]}, every=3600)
    watch.start()
    samples = watch.stop()
    assert len(samples) == 1
    assert samples[0]["gone"] == {}  # a process that is not there adds nothing
    service = samples[0]["service"]
    assert isinstance(service, dict) and service["rss"] > 10


def test_the_services_heap_gauges_are_read_in_mib() -> None:
    metrics = {
        "hotline_python_blocks": 604000.0,
        "hotline_sqlite_heap_bytes": 2.5 * 1024 * 1024,
        "hotline_malloc_in_use_bytes": 40 * 1024 * 1024,
        "hotline_event_loop_stalls_total": 0.0,
    }
    assert heaps_of(metrics) == {"python_blocks": 604000.0, "sqlite_mib": 2.5, "malloc_in_use_mib": 40.0}
