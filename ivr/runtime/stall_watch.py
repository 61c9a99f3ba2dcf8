"""A watchdog thread that notices when the event loop stands still, and says where.

Every call's next step runs on the one event loop: while it stands still, no
prompt starts, no counselor is rung and no answer from Asterisk is read (what
then looks like Asterisk answering slowly is our own stall). The lag probe
(timings.py) tells how late timers fire, but not why. This thread keeps the
loop's heartbeat and, when it is more than STALL_SECONDS old, takes the loop
thread's Python stack; when the loop moves again it logs the stall with that
stack and, per thread, what the kernel says the thread did meanwhile
(/proc/self/task/<tid>/schedstat: time on a CPU, time runnable but waiting for
one):

- the loop thread on a CPU the whole time: our own code is busy (the stack says where);
- waiting for a CPU: the machine is overloaded (Asterisk, the phones);
- neither: the loop thread slept, on a blocking call or on the GIL while
  another thread held it (the thread that ran meanwhile is listed first).
"""

from __future__ import annotations

import logging
import sys
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass

from ivr.runtime.timings import Durations, watch_loop_lag

log = logging.getLogger(__name__)

STALL_SECONDS = 1.0
POLL_SECONDS = 0.1
STUCK_SECONDS = 10.0  # a stall still going on is reported this long after it began


@dataclass(frozen=True)
class ThreadTimes:
    """One thread's kernel counters (nanoseconds): on a CPU, and runnable without one."""

    name: str
    running: int
    waiting: int


Sample = dict[int, ThreadTimes]  # native thread id -> its counters


def sample_threads() -> Sample:
    """Every Python thread's counters, where Linux keeps them (else none)."""
    sample: Sample = {}
    for thread in threading.enumerate():
        tid = thread.native_id
        if tid is None:
            continue
        try:
            with open(f"/proc/self/task/{tid}/schedstat", encoding="ascii") as f:
                running, waiting, _slices = f.read().split()
        except (OSError, ValueError):
            continue
        sample[tid] = ThreadTimes(thread.name, int(running), int(waiting))
    return sample


def stack_of(thread_id: int) -> str:
    """A thread's Python stack now (innermost last), or why it cannot be read."""
    frame = sys._current_frames().get(thread_id)
    if frame is None:
        return "  (the thread is gone)\n"
    return "".join(traceback.format_stack(frame, limit=25))


def describe(seconds: float, before: Sample, after: Sample, loop_tid: int) -> list[str]:
    """What each thread did during a stall of `seconds`: the busiest first, the loop's thread marked."""
    rows = []
    for tid, end in after.items():
        start = before.get(tid)
        if start is None:
            continue
        ran = (end.running - start.running) / 1e9
        waited = (end.waiting - start.waiting) / 1e9
        rows.append((ran, waited, tid, end.name))
    rows.sort(reverse=True)
    lines = []
    for ran, waited, tid, name in rows:
        if tid != loop_tid and ran < 0.01 and waited < 0.01:
            continue
        mark = " (the event loop)" if tid == loop_tid else ""
        lines.append(
            f"  {name}{mark}: {ran:.2f} s on a CPU, {waited:.2f} s waiting for one, of {seconds:.2f} s"
        )
    return lines


class StallWatch:
    """The loop's heartbeat (beat(), from the loop) and the thread that watches it."""

    def __init__(
        self,
        threshold: float = STALL_SECONDS,
        clock: Callable[[], float] = time.monotonic,
        sample: Callable[[], Sample] = sample_threads,
        stack: Callable[[int], str] = stack_of,
    ) -> None:
        self.threshold = threshold
        self.clock = clock
        self.sample = sample
        self.stack = stack
        self.stalls = 0  # stalls over the threshold, for /metrics
        self.longest = 0.0
        self.loop_thread = threading.get_ident()  # start() takes the thread it is called on
        self.loop_tid = threading.get_native_id()
        self._last_beat = clock()
        self._before: Sample = {}  # the counters just after the last heartbeat
        self._sampled_at: float | None = None  # that heartbeat
        self._stalled: tuple[float, str, Sample] | None = None  # since, its stack, counters then
        self._told_stuck = False  # this stall was reported while it went on
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def beat(self) -> None:
        """The loop moves (called from a task on it, every POLL_SECONDS or so)."""
        self._last_beat = self.clock()

    def check(self) -> str | None:
        """One look (the thread's, every POLL_SECONDS): the report of a stall that just ended, if any."""
        now = self.clock()
        beat = self._last_beat
        stalled = self._stalled
        if now - beat <= self.threshold:
            if stalled is None:
                if beat != self._sampled_at:  # the counters as of the loop's last move
                    self._before, self._sampled_at = self.sample(), beat
                return None
            since, stack, before = stalled
            self._stalled = None
            self._told_stuck = False
            seconds = beat - since
            self.stalls += 1
            self.longest = max(self.longest, seconds)
            after = self.sample()
            self._before, self._sampled_at = after, beat
            lines = describe(seconds, before, after, self.loop_tid)
            return (
                f"the event loop stood still for {seconds:.1f} s (no prompt, ringing or ARI answer moved);"
                f" the threads meanwhile:\n" + "\n".join(lines) + f"\n  the loop was at:\n{stack}"
            )
        if stalled is None:
            self._stalled = (beat, self.stack(self.loop_thread), self._before)
        elif now - beat > STUCK_SECONDS and not self._told_stuck:
            # A loop that never moves again (a deadlock, a call that never
            # returns) would otherwise never be reported: say where it is now.
            self._told_stuck = True
            lines = describe(now - beat, stalled[2], self.sample(), self.loop_tid)
            return (
                f"the event loop has stood still for {now - beat:.0f} s and still does;"
                " the threads meanwhile:\n"
                + "\n".join(lines)
                + f"\n  the loop is at:\n{self.stack(self.loop_thread)}"
            )
        return None

    def start(self) -> None:
        """Watch the thread this is called on (the loop's) from a daemon thread,
        which never holds up the service's exit."""
        self.loop_thread = threading.get_ident()
        self.loop_tid = threading.get_native_id()
        self.beat()
        self._thread = threading.Thread(target=self._run, name="stall-watch", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=2)

    def _run(self) -> None:
        while not self._stop.wait(POLL_SECONDS):
            report = self.check()
            if report is not None:
                log.warning("%s", report)

    def exposition(self) -> list[str]:
        return [
            "# HELP hotline_event_loop_stalls_total Times the event loop stood still"
            f" over {self.threshold:g} s.",
            "# TYPE hotline_event_loop_stalls_total counter",
            f"hotline_event_loop_stalls_total {self.stalls}",
            "# HELP hotline_event_loop_stall_longest_seconds The longest such stall.",
            "# TYPE hotline_event_loop_stall_longest_seconds gauge",
            f"hotline_event_loop_stall_longest_seconds {self.longest:.3f}",
        ]


class LoopWatch:
    """The event loop's lag probe and, beaten by it, the stall watchdog."""

    def __init__(self) -> None:
        self.lag = Durations()
        self.stalls = StallWatch()

    async def run(self) -> None:
        """Until cancelled (on the loop this watches)."""
        self.stalls.start()
        try:
            await watch_loop_lag(self.lag, beat=self.stalls.beat)
        finally:
            self.stalls.stop()

    def exposition(self) -> list[str]:
        return [
            *self.lag.exposition(
                "hotline_event_loop_lag_seconds",
                "How late the service's timers fire (every step waits as long).",
            ),
            *self.stalls.exposition(),
        ]
