"""The stall watchdog: a loop that stands still is reported once, with where it stood and what ran."""

from __future__ import annotations

import asyncio
import logging
import threading
import time

from ivr.runtime.stall_watch import LoopWatch, StallWatch, ThreadTimes

LOOP, WRITER = 101, 102


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Kernel:
    """The threads' counters as /proc would show them, moved by the test."""

    def __init__(self) -> None:
        self.loop = ThreadTimes("MainThread", 0, 0)
        self.writer = ThreadTimes("records-writer", 0, 0)

    def run(self, loop: float = 0.0, loop_waiting: float = 0.0, writer: float = 0.0) -> None:
        ran, waited = int(loop * 1e9), int(loop_waiting * 1e9)
        self.loop = ThreadTimes("MainThread", self.loop.running + ran, self.loop.waiting + waited)
        self.writer = ThreadTimes("records-writer", self.writer.running + int(writer * 1e9), 0)

    def __call__(self) -> dict[int, ThreadTimes]:
        return {LOOP: self.loop, WRITER: self.writer}


def watch(clock: Clock, kernel: Kernel) -> StallWatch:
    w = StallWatch(
        threshold=1.0, clock=clock, sample=kernel, stack=lambda tid: '  File "x.py", line 7, in kick\n'
    )
    w.loop_tid = LOOP
    return w


def test_a_loop_that_keeps_beating_is_never_reported() -> None:
    clock, kernel = Clock(), Kernel()
    w = watch(clock, kernel)
    for _ in range(50):
        clock.now += 0.1
        w.beat()
        kernel.run(loop=0.05)
        assert w.check() is None
    assert w.stalls == 0


def test_a_stall_is_reported_once_when_the_loop_moves_again_with_its_stack_and_who_ran() -> None:
    clock, kernel = Clock(), Kernel()
    w = watch(clock, kernel)
    w.beat()
    assert w.check() is None  # the counters while the loop moved
    for _ in range(30):  # 3 s without a beat: the writer thread ran, the loop did not
        clock.now += 0.1
        kernel.run(writer=0.1)
        assert w.check() is None
    w.beat()
    report = w.check()
    assert report is not None
    assert "stood still for 3.0 s" in report
    assert "in kick" in report
    lines = report.splitlines()
    writer = next(i for i, line in enumerate(lines) if "records-writer" in line)
    loop = next(i for i, line in enumerate(lines) if "(the event loop)" in line)
    assert writer < loop  # the thread that ran comes first
    assert "3.00 s on a CPU" in lines[writer]
    assert "0.00 s on a CPU, 0.00 s waiting for one" in lines[loop]
    assert (w.stalls, round(w.longest, 1)) == (1, 3.0)
    clock.now += 0.1
    w.beat()
    assert w.check() is None  # reported once


def test_a_loop_that_never_moves_again_is_reported_while_it_stands_still() -> None:
    clock, kernel = Clock(), Kernel()
    w = watch(clock, kernel)
    w.beat()
    w.check()
    reports = []
    for _ in range(150):  # 15 s, and the loop never beats again
        clock.now += 0.1
        reports.append(w.check())
    told = [r for r in reports if r is not None]
    assert len(told) == 1  # once, not every tenth of a second
    assert "has stood still for 10 s and still does" in told[0]
    assert "in kick" in told[0]


def test_a_loop_starved_of_cpu_says_so() -> None:
    clock, kernel = Clock(), Kernel()
    w = watch(clock, kernel)
    w.beat()
    w.check()
    clock.now += 2.0
    kernel.run(loop=0.2, loop_waiting=1.8)
    assert w.check() is None
    w.beat()
    report = w.check() or ""
    assert "(the event loop): 0.20 s on a CPU, 1.80 s waiting for one, of 2.00 s" in report


def test_a_blocking_step_on_the_real_loop_is_logged_with_its_own_name(caplog) -> None:  # type: ignore[no-untyped-def]
    logged = threading.Event()

    class Seen(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            if "stood still" in record.getMessage():
                logged.set()

    seen = Seen()
    logging.getLogger("ivr.runtime.stall_watch").addHandler(seen)

    def a_step_that_blocks_the_loop() -> None:
        time.sleep(1.5)  # the stall under test: the loop's thread does nothing else

    async def main() -> LoopWatch:
        loop_watch = LoopWatch()
        loop_watch.stalls.threshold = 0.5
        task = asyncio.create_task(loop_watch.run())
        await asyncio.sleep(0.3)
        a_step_that_blocks_the_loop()
        await asyncio.to_thread(logged.wait, 10)
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        return loop_watch

    try:
        with caplog.at_level(logging.WARNING, logger="ivr.runtime.stall_watch"):
            loop_watch = asyncio.run(main())
    finally:
        logging.getLogger("ivr.runtime.stall_watch").removeHandler(seen)
    assert logged.is_set()
    report = next(r.getMessage() for r in caplog.records if "stood still" in r.getMessage())
    assert "in a_step_that_blocks_the_loop" in report
    assert "(the event loop)" in report
    assert loop_watch.stalls.stalls == 1
    assert 1.0 < loop_watch.stalls.longest < 3.0
    assert "hotline_event_loop_stalls_total 1" in loop_watch.exposition()
