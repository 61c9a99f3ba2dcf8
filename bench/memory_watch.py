"""Resident memory of the service and Asterisk through a run, read every minute
from /proc: a soak's "memory flat" is judged on this series, not on one figure
at the end. The anonymous part (heaps, stacks) is what a leak grows; the
file-backed part (libraries, mapped models) stops at the files' size."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path

MIB = 1024 * 1024


def resident_mib(pid: int) -> dict[str, float]:
    """A process's resident memory and its anonymous and file-backed parts (MiB)."""
    names = {"VmRSS": "rss", "RssAnon": "anonymous", "RssFile": "file"}
    out = {}
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return {}
    for line in text.splitlines():
        key, _, value = line.partition(":")
        if key in names:
            out[names[key]] = round(int(value.split()[0]) * 1024 / MIB, 1)
    return out


class MemoryWatch:
    """Samples {minute, process: {rss, anonymous, file}} every `every` seconds, from start() to stop()."""

    def __init__(
        self,
        processes: dict[str, list[int]],
        every: float = 60.0,
        heaps: Callable[[], dict[str, float]] | None = None,
    ) -> None:
        self.processes = processes  # a name -> its pids (Asterisk: one per node), summed
        self.every = every
        # The service's own gauges (ivr/runtime/memory.py), under "service_heaps":
        # which heap a growth is in.
        self.heaps = heaps
        self.samples: list[dict[str, object]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="memory-watch", daemon=True)
        self._started = 0.0

    def start(self) -> None:
        self._started = time.monotonic()
        self._thread.start()

    def stop(self) -> list[dict[str, object]]:
        self._stop.set()
        self._thread.join(timeout=5)
        self._sample()  # the last, at the run's end
        return self.samples

    def _run(self) -> None:
        while not self._stop.wait(self.every):
            self._sample()

    def _sample(self) -> None:
        row: dict[str, object] = {"minute": round((time.monotonic() - self._started) / 60, 1)}
        for name, pids in self.processes.items():
            total: dict[str, float] = {}
            for pid in pids:
                for part, mib in resident_mib(pid).items():
                    total[part] = round(total.get(part, 0.0) + mib, 1)
            row[name] = total
        if self.heaps is not None:
            try:
                row["service_heaps"] = self.heaps()
            except OSError as exc:  # the service stopped answering: the /proc figures still count
                row["service_heaps"] = {"error": str(exc)}
        self.samples.append(row)


HEAP_GAUGES = {
    "hotline_python_blocks": ("python_blocks", 1),
    "hotline_sqlite_heap_bytes": ("sqlite_mib", MIB),
    "hotline_malloc_in_use_bytes": ("malloc_in_use_mib", MIB),
    "hotline_malloc_free_held_bytes": ("malloc_free_held_mib", MIB),
}


def heaps_of(metrics: dict[str, float]) -> dict[str, float]:
    """The service's heap gauges out of its /metrics, in MiB (Python's in blocks)."""
    return {
        name: round(metrics[gauge] / unit, 1) if unit != 1 else metrics[gauge]
        for gauge, (name, unit) in HEAP_GAUGES.items()
        if gauge in metrics
    }


def high_water_growth_per_10_min(samples: list[dict[str, object]], name: str, part: str) -> float | None:
    """How fast one part's high-water mark rises, in MiB per 10 minutes: the peak of
    each whole 10-minute block from the second on (the first holds the warm-up: caches
    filling, models first read), and the least-squares slope through those peaks.

    Peaks, not the first and last samples: the service gives glibc's held free memory
    back every 10 minutes (ivr/runtime/memory.py), so its resident memory is a saw
    tooth, and two samples taken at different points of the tooth differed by up to
    7 MiB whatever the trend. A block of a whole period holds exactly one peak."""
    peaks: dict[int, float] = {}
    last = 0.0
    for s in samples:
        parts = s.get(name)
        minute = float(s["minute"])  # type: ignore[arg-type]
        last = max(last, minute)
        if isinstance(parts, dict) and part in parts:
            block = int(minute // 10)
            peaks[block] = max(peaks.get(block, float("-inf")), float(parts[part]))
    whole = [(b, v) for b, v in sorted(peaks.items()) if b >= 1 and (b + 1) * 10 <= last]
    if len(whole) < 2:
        return None  # under 30 minutes: too few periods to say whether the peaks rise
    mean_b = sum(b for b, _ in whole) / len(whole)
    mean_v = sum(v for _, v in whole) / len(whole)
    slope = sum((b - mean_b) * (v - mean_v) for b, v in whole) / sum((b - mean_b) ** 2 for b, _ in whole)
    return round(slope, 2) + 0.0  # + 0.0: no "-0.0" in the report
