"""`python -m bench.matching`: how long one matching of the line takes (the ACD's
`next_assignment`), by callers waiting and counselors free, on this machine.

The dispatcher matches after every counselor change and every caller who enters
or asks, so in a surge its cost is paid hundreds of times a second on the event
loop. Run it at two commits to compare designs (docs/bench.md quotes both).
"""

from __future__ import annotations

import argparse
import time

from ivr.acd.counselor_model import Counselor, CounselorState
from ivr.acd.routing import QueueConfig, WaitingCaller, next_assignment

NOW = 1000.0


def per_matching_ms(waiting: int, free: int, busy: int, seconds: float) -> float:
    """Mean ms of one matching: `waiting` callers, `free` available and `busy` on-call counselors."""
    queues = [QueueConfig("general")]
    crew = [
        Counselor(f"c{i}", skills={"general": 1}, state=CounselorState.AVAILABLE, logged_in_at=float(i))
        for i in range(free)
    ] + [
        Counselor(f"b{i}", skills={"general": 1}, state=CounselorState.ON_CALL, call_id=f"talk{i}")
        for i in range(busy)
    ]
    line = [WaitingCaller(f"k{i}", "general", entered_at=float(i)) for i in range(waiting)]
    runs, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        next_assignment(queues, line, crew, NOW)
        runs += 1
    return (time.perf_counter() - start) / runs * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--waiting", default="50,200,400", help="callers in line, comma-separated")
    parser.add_argument("--free", default="0,1,8,30", help="free counselors, comma-separated")
    parser.add_argument("--counselors", type=int, default=30, help="counselors in all (the rest on calls)")
    parser.add_argument("--seconds", type=float, default=1.0, help="how long to repeat each case")
    args = parser.parse_args()
    print("| callers waiting | counselors free | one matching (ms) |")
    print("|---:|---:|---:|")
    for waiting in (int(w) for w in args.waiting.split(",")):
        for free in (int(f) for f in args.free.split(",")):
            ms = per_matching_ms(waiting, free, max(0, args.counselors - free), args.seconds)
            print(f"| {waiting} | {free} | {ms:.2f} |")


if __name__ == "__main__":
    main()
