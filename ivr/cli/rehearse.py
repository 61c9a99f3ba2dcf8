"""`ivr rehearse`: synthetic citizens call the running hotline on every path (docs/rehearsal.md)."""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
import time
from datetime import datetime
from pathlib import Path
from typing import Any

from ivr.config import LoadedConfig
from ivr.rehearsal import state
from ivr.rehearsal.caller import SippMissing
from ivr.rehearsal.load import MAX_LOAD, rehearse_load
from ivr.rehearsal.report import table, write_html
from ivr.rehearsal.run import NotReady, Progress, path_numbers, preflight, rehearse


def add_parser(sub: Any) -> None:
    p = sub.add_parser("rehearse", help="call the running hotline on every path of its flows and check each")
    p.add_argument(
        "--at", help='rehearse at this moment, e.g. "2026-12-25 10:00" (the schedule nodes see it)'
    )
    p.add_argument(
        "--paths",
        default="all",
        help="all (default); smoke: three paths; or numbers from --list, like 6 or 3,6,7",
    )
    p.add_argument(
        "--list", action="store_true", help="print the paths and what cannot be rehearsed; call nobody"
    )
    p.add_argument("--report-dir", help="where the HTML report goes (default: storage.state_dir/rehearsals)")
    p.add_argument(
        "--load", type=int, metavar="N", help=f"N calls at once over the smoke paths (at most {MAX_LOAD})"
    )
    p.add_argument(
        "--every",
        metavar="INTERVAL",
        help="a monitor: rehearse again every 15m (s, m, h); hotline_rehearsal_* on the service's /metrics",
    )


def run(cfg: LoadedConfig, args: argparse.Namespace) -> int:
    at = _moment(args.at) if args.at else None
    if args.at and at is None:
        print(f'ivr rehearse: --at {args.at!r}: give a moment like "2026-12-25 10:00"', file=sys.stderr)
        return 2
    every = parse_every(args.every) if args.every else None
    if args.every and every is None:
        print(f"ivr rehearse: --every {args.every!r}: give an interval like 15m, 1h or 90s", file=sys.stderr)
        return 2
    if args.paths not in ("all", "smoke") and path_numbers(args.paths) is None:
        print(
            f"ivr rehearse: --paths {args.paths!r}: "
            "give all, smoke or path numbers from --list, like 6 or 3,6,7",
            file=sys.stderr,
        )
        return 2
    if args.load is not None and not 1 <= args.load <= MAX_LOAD:
        print(f"ivr rehearse: --load {args.load}: from 1 to {MAX_LOAD} calls at once", file=sys.stderr)
        return 2
    if args.list:
        return _list(cfg, at)
    signal.signal(signal.SIGTERM, _stop)
    try:
        preflight(cfg)
    except (NotReady, SippMissing) as exc:
        print(f"ivr rehearse: {exc}", file=sys.stderr)
        return 2
    if every is not None:
        return _monitor(cfg, args, at, every)
    return _once(cfg, args, at)


def _once(cfg: LoadedConfig, args: argparse.Namespace, at: datetime | None) -> int:
    if args.load is not None:
        done = asyncio.run(rehearse_load(cfg, args.load, at=at, progress=_show))
    else:
        try:
            done = asyncio.run(rehearse(cfg, at=at, which=args.paths, progress=_show))
        except NotReady as exc:
            print(f"ivr rehearse: {exc}", file=sys.stderr)
            return 2
    state.write(cfg.resolve(cfg.settings.storage.state_dir), done, args.paths)
    print(table(done))
    folder = (
        Path(args.report_dir)
        if args.report_dir
        else cfg.resolve(cfg.settings.storage.state_dir) / "rehearsals"
    )
    print(f"report: {write_html(done, folder)}")
    return 1 if done.failed else 0


def parse_every(text: str) -> float | None:
    """ "15m" -> 900.0 seconds; None when it is not an interval of 30 s to a day."""
    units = {"s": 1, "m": 60, "h": 3600}
    number, unit = text.strip()[:-1], text.strip()[-1:].lower()
    if unit not in units or not number.isdigit():
        return None
    seconds = float(int(number) * units[unit])
    return seconds if 30 <= seconds <= 86400 else None


def _monitor(cfg: LoadedConfig, args: argparse.Namespace, at: datetime | None, every: float) -> int:
    """Rehearse, then again every `every` seconds from the start of the last run, until stopped."""
    while True:
        started = time.monotonic()
        if _once(cfg, args, at) != 0:
            print(f"ALERT ivr rehearse: a path failed at {datetime.now():%Y-%m-%d %H:%M}", file=sys.stderr)
        time.sleep(max(0.0, every - (time.monotonic() - started)))


def _moment(text: str) -> datetime | None:
    try:
        return datetime.fromisoformat(text.strip().replace(" ", "T", 1))
    except ValueError:
        return None


def _list(cfg: LoadedConfig, at: datetime | None) -> int:
    from ivr.admin.flows import load_flows, rehearsal_plan

    plan = rehearsal_plan(cfg, load_flows(cfg), at=at, base=datetime.now())
    for p in plan.paths:
        keys = ",".join(k if k is not None else "timeout" for k in p.keys) or "-"
        when = f" at {p.at:%Y-%m-%d %H:%M}" if p.at else ""
        print(f"{p.number:3}. {p.name}  [keys {keys}{when}]")
    for item in plan.not_rehearsable:
        print(f"not rehearsable: {item}")
    for moment in plan.not_at_this_moment:
        print(f"not at this moment: {moment}")
    return 0


def _stop(signum: int, frame: object) -> None:
    # SIGTERM as Ctrl-C: the calls in progress are hung up and their SIPp ended.
    raise KeyboardInterrupt


def _show(p: Progress) -> None:
    line = (
        f"path {min(p.done + 1, p.total)} of {p.total} · {p.elapsed:.0f} s · {p.failures} failed · {p.name}"
    )
    if p.done == p.total:
        line = f"{p.total} of {p.total} paths · {p.elapsed:.0f} s · {p.failures} failed"
    if sys.stderr.isatty():
        print(f"\r{line[:100]:<100}", end="" if p.done < p.total else "\n", file=sys.stderr, flush=True)
    else:
        print(line, file=sys.stderr, flush=True)
