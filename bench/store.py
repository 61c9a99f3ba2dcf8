"""`python -m bench.store [--calls N] [--postgresql URL]`: a call's writes on each engine.

Each call writes what the service writes for an answered call: its row opened,
six timeline steps (written behind), three queue-log lines, its row updated and
closed, through the one writer (ivr/store/db.py), N calls one after another.
Prints calls a second and the latency of each awaited write on SQLite and on
PostgreSQL (the URL given, or a throw-away local cluster: tests/pg_cluster.py),
and on PostgreSQL again with the standby lease's fence on every write (the
active service's case, ivr/store/lease.py), each as a ratio of SQLite's or of
unfenced PostgreSQL's, from the same run.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from ivr.ports import CallFacts, QueueEvent, QueueLogEntry
from ivr.store.calls import SqliteCallRecords
from ivr.store.engine import Target


async def _calls(target: Target, count: int, fenced: bool = False) -> tuple[float, list[float]]:
    records = SqliteCallRecords(target)
    lease = None
    if fenced:
        from ivr.store.lease import PgLease, fence

        lease = PgLease(str(target), 3.0)
        epoch = await lease.take("bench", "http://bench", 3600.0)
        assert epoch is not None, "the lease is held: use a database no service runs on"
        records.db.fence = fence(epoch)
    records.start()
    waits: list[float] = []
    started = time.perf_counter()
    try:
        t0 = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
        for n in range(count):
            at = t0 + timedelta(seconds=n)
            facts = CallFacts(f"bench-{n}", "01012345678", "2221000", started_at=at)

            async def timed(write: object) -> None:
                began = time.perf_counter()
                await write  # type: ignore[misc]
                waits.append(time.perf_counter() - began)

            await timed(records.opened(facts))
            for kind in ("answered", "menu", "digit", "queue", "offer", "connected"):
                await records.event(facts.call_id, at, kind, {"n": n})
            for event in (QueueEvent.ENTERED, QueueEvent.OFFERED, QueueEvent.CONNECTED):
                await timed(records.queue_log(at, QueueLogEntry(facts.call_id, "general", event)))
            facts.answered_at = facts.connected_at = at
            await timed(records.updated(facts))
            facts.ended_at, facts.disposition = at + timedelta(seconds=60), "answered"
            await timed(records.closed(facts))
    finally:
        records.close()
        if lease is not None:
            lease.close()
    return time.perf_counter() - started, waits


def _row(name: str, seconds: float, waits: list[float], count: int) -> tuple[str, float, float, float]:
    p99 = statistics.quantiles(waits, n=100)[98]
    return name, count / seconds, statistics.median(waits) * 1000, p99 * 1000


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.store", description=__doc__.split("\n\n")[1])
    p.add_argument("--calls", type=int, default=2000)
    p.add_argument("--postgresql", help="a postgresql:// URL (default: a throw-away local cluster)")
    args = p.parse_args(argv)
    cluster = None
    url = args.postgresql
    if url is None:
        from tests.pg_cluster import Cluster  # the tests' throw-away cluster, as a lab

        cluster = Cluster()
        cluster.start()
        url = cluster.fresh()
    try:
        sqlite = _row(
            "sqlite", *asyncio.run(_calls(Path(tempfile.mkdtemp()) / "bench.sqlite3", args.calls)), args.calls
        )
        pg = _row("postgresql", *asyncio.run(_calls(url, args.calls)), args.calls)
        again = cluster.fresh() if cluster is not None else url  # the same work: the calls' rows new
        fenced = _row("pg fenced", *asyncio.run(_calls(again, args.calls, fenced=True)), args.calls)
    finally:
        if cluster is not None:
            cluster.stop()
    print(f"{args.calls} calls, 11 writes each (5 awaited)")
    print(f"{'engine':<12}{'calls/s':>10}{'p50 ms':>10}{'p99 ms':>10}")
    for name, rate, p50, p99 in (sqlite, pg, fenced):
        print(f"{name:<12}{rate:>10.1f}{p50:>10.2f}{p99:>10.2f}")
    for label, over, under in (("pg/sqlite", pg, sqlite), ("fenced/pg", fenced, pg)):
        print(f"{label:<12}{over[1] / under[1]:>10.2f}{over[2] / under[2]:>10.2f}{over[3] / under[3]:>10.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
