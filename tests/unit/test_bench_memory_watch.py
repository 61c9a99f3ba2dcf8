"""The bench's memory series: read from /proc through the run, judged on its second half."""

from __future__ import annotations

import os

from bench.memory_watch import MemoryWatch, growth_per_10_min, heaps_of, resident_mib


def series(values: list[float]) -> list[dict[str, object]]:
    return [{"minute": float(m), "service": {"rss": v}} for m, v in enumerate(values)]


def test_growth_is_read_over_the_second_half_only() -> None:
    # A warm-up (models read, caches filled) in the first half, then flat.
    warm_then_flat = series([100, 150, 170, 175, 176, 176, 176, 176, 176, 176, 176])
    assert growth_per_10_min(warm_then_flat, "service", "rss") == 0.0
    creeping = series([100 + 0.1 * m for m in range(41)])  # 0.1 MiB a minute
    assert growth_per_10_min(creeping, "service", "rss") == 1.0


def test_a_run_of_a_few_minutes_says_nothing_about_flatness() -> None:
    assert growth_per_10_min(series([100, 101, 102]), "service", "rss") is None
    assert growth_per_10_min(series([100] * 10), "asterisk", "rss") is None  # not watched


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
