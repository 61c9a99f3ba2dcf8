"""`python -m bench [scenario] [--calls N --rate R --concurrent C --duration S ...]`

Runs the scenario against the service, then against the baseline dialplan,
on one embedded Asterisk instance of the benchmark's own; prints the
side-by-side table and writes the figures as JSON. With `--nodes 1,2` it runs
the service on one node, then on two behind Kamailio, and sets them side by side.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import platform
import signal
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.ports import Ports
from bench.report import save_figures, table
from bench.run import SIDES, Load, run_side
from bench.scenarios import SCENARIOS, Shares

ROOT = Path(__file__).resolve().parents[1]


def parse_args(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="./hotline bench", description=__doc__.split("\n\n")[1])
    p.add_argument("scenario", nargs="?", default="ivr", choices=[*SCENARIOS, "all"])
    p.add_argument(
        "--calls", type=int, help="calls per side (default: the scenario's; with --duration, rate × duration)"
    )
    p.add_argument("--rate", type=float, help="new calls a second")
    p.add_argument("--concurrent", type=int, help="at most this many calls at once")
    p.add_argument("--duration", type=float, help="seconds of new calls: calls = rate × duration")
    p.add_argument("--counselors", type=int, default=11, help="counselor phones (default 11)")
    p.add_argument("--talk", default=None, help="talk time in seconds, MIN-MAX (default: the scenario's)")
    p.add_argument(
        "--max-wait",
        type=int,
        default=120,
        help="longest a caller waits in line (seconds); a caller still waiting then counts as failed",
    )
    p.add_argument(
        "--mix",
        default=None,
        help="the soak's shares MENUS,SELF,AFTER: hang up in the menus; of the rest, serve "
        "themselves; of those left, hang up waiting, ringing or talking (default 0.1,0.4,0.3)",
    )
    p.add_argument("--side", choices=[*SIDES, "both"], help="default: both, with --nodes 2 ours")
    p.add_argument(
        "--nodes",
        default="1",
        help="Asterisk nodes for our side: 1 (default), 2 (behind Kamailio), or 1,2 (both, side by side)",
    )
    p.add_argument("--offset", type=int, default=int(os.environ.get("HOTLINE_BENCH_OFFSET", "0")))
    p.add_argument(
        "--json", type=Path, help="where the figures go (default var/bench/<time>-<scenario>.json)"
    )
    p.add_argument(
        "--service-log", choices=["DEBUG", "INFO", "WARNING"], default="INFO", help="the service's log level"
    )
    p.add_argument(
        "--rig-nice",
        type=int,
        default=0,
        choices=range(20),
        metavar="N",
        help="run the SIPp phones at this niceness (0-19; default 0): on a real site they are other "
        "machines, here they take CPU from both sides alike",
    )
    p.add_argument("--keep-pbx", action="store_true", help="leave the benchmark's Asterisk running")
    args = p.parse_args(argv)
    for name in ("calls", "concurrent"):
        if getattr(args, name) is not None and getattr(args, name) < 1:
            p.error(f"--{name} must be at least 1")
    for name in ("rate", "duration"):
        if getattr(args, name) is not None and getattr(args, name) <= 0:
            p.error(f"--{name} must be above 0")
    if args.talk is not None:
        try:
            low, high = (float(x) for x in args.talk.split("-"))
        except ValueError:
            p.error(f"--talk must be MIN-MAX seconds, like 10-60, not {args.talk!r}")
        if not 0 < low <= high <= 3600:
            p.error(f"--talk must be 0 < MIN <= MAX <= 3600, not {args.talk!r}")
        args.talk = (round(low * 1000), round(high * 1000))
    if args.mix is not None:
        try:
            shares = [float(x) for x in args.mix.split(",")]
        except ValueError:
            shares = []
        if len(shares) != 3 or not all(0 <= x <= 1 for x in shares):
            p.error(f"--mix must be three shares from 0 to 1, like 0.1,0.4,0.3, not {args.mix!r}")
        args.mix = Shares(*shares)
    try:
        args.nodes = node_counts(args.nodes)
        args.ports = Ports(args.offset, args.counselors)
    except ValueError as err:
        p.error(str(err))
    if max(args.nodes) > 1 and args.side not in (None, "ours"):
        p.error("--nodes 2 runs our side only (app_queue's baseline is one box): use --side ours")
    args.side = args.side or ("ours" if max(args.nodes) > 1 else "both")
    return args


def node_counts(text: str) -> list[int]:
    """--nodes: 1, 2 or 1,2 (each once, in that order)."""
    try:
        counts = [int(x) for x in text.split(",")]
    except ValueError:
        counts = []
    if not counts or any(n not in (1, 2) for n in counts) or counts != sorted(set(counts)):
        raise ValueError(f"--nodes must be 1, 2 or 1,2, not {text!r}")
    return counts


def side_key(side: str, nodes: int) -> str:
    """A side's key in the figures: `ours`, or `ours_2_nodes` for ours on two nodes."""
    return side if nodes == 1 else f"{side}_{nodes}_nodes"


def print_table(name: str, run: dict[str, Any], counts: list[int]) -> None:
    title = f"{name} — {SCENARIOS[name].about}"
    if len(counts) > 1:
        # As ours / app_queue's: the new over the reference, here today's one box.
        print(table(title, run.get(side_key("ours", 2)), run.get("ours"), ("2 nodes", "1 node")), flush=True)
    elif counts == [2]:
        print(table(title, run.get(side_key("ours", 2)), None, ("2 nodes", "–")), flush=True)
    else:
        print(table(title, run.get("ours"), run.get("baseline")), flush=True)


def load_for(args: argparse.Namespace, name: str) -> Load:
    s = SCENARIOS[name]
    rate = args.rate or s.rate
    calls = args.calls or (round(rate * args.duration) if args.duration else s.calls)
    concurrent = args.concurrent or s.concurrent
    if args.mix is not None and s.shares is not None:
        s = dataclasses.replace(s, shares=args.mix)
    return Load(s, calls, rate, concurrent, args.talk or s.talk_ms, args.max_wait, 0.0, args.rig_nice)


def machine() -> dict[str, Any]:
    mem = next(line for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal"))
    return {
        "cpus": os.cpu_count(),
        "memory_gib": round(int(mem.split()[1]) / 1024 / 1024, 1),
        "kernel": platform.release(),
        "python": platform.python_version(),
    }


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["kb"]:  # the knowledge base's search: no Asterisk, no phones (bench/kb.py)
        from bench.kb import main as kb_main

        return kb_main(argv[1:])
    args = parse_args(argv)
    # `kill` (SIGTERM) cleans up like Ctrl-C: the phones, the service and the
    # benchmark's Asterisk stop with it, not left running.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    if os.geteuid() != 0:
        print("the benchmark runs the embedded Asterisk and sniffs loopback: run it as root", file=sys.stderr)
        return 2
    from bench.nodes import Nodes
    from ivr.pbx import embedded

    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    state = ROOT / "var" / f"bench{args.offset or ''}"
    work = state / "runs" / f"{stamp}-{args.scenario}"
    labs = [
        Nodes(dataclasses.replace(args.ports, nodes=n), work if n == 1 else work / f"{n}-nodes", state,
              args.service_log)
        for n in args.nodes
    ]  # fmt: skip
    for lab in labs:
        if why := lab.missing():
            print(why, file=sys.stderr)
            return 2
    names = [n for n in SCENARIOS if n != "soak"] if args.scenario == "all" else [args.scenario]
    sides = SIDES if args.side == "both" else (args.side,)
    result: dict[str, Any] = {
        "date": stamp,
        "machine": machine(),
        "command": " ".join(sys.argv),
        "workdir": str(work),
        "runs": {},
    }
    for lab in labs:
        n = lab.ports.nodes
        lab.start()
        try:
            result.setdefault("asterisk", embedded.cli(lab.pbx.inst, "core show version").strip())
            for name in names:
                load = load_for(args, name)
                print(
                    f"== {name}: {load.calls} calls at {load.rate:g}/s, at most {load.concurrent} at once"
                    + (f", {n} Asterisk nodes behind Kamailio" if n > 1 else "")
                    + (f", phones at nice {load.rig_nice}" if load.rig_nice else ""),
                    flush=True,
                )
                run: dict[str, Any] = result["runs"].setdefault(name, {
                    "load": {"calls": load.calls, "rate": load.rate, "concurrent": load.concurrent,
                             "counselors": args.counselors if load.scenario.counselors else 0,
                             "talk_ms": list(load.talk_ms) if load.scenario.counselors else None,
                             "rig_nice": load.rig_nice},
                })  # fmt: skip
                for side in sides:
                    key = side_key(side, n)
                    print(f"   {key} …", flush=True)
                    run[key] = run_side(side, lab, load, work / name / key)
                    if side != sides[-1]:
                        time.sleep(2)  # let Asterisk settle between sides
                if len(labs) == 1:
                    print_table(name, run, args.nodes)
        finally:
            if not (args.keep_pbx and lab is labs[-1]):
                lab.stop()
    if len(labs) > 1:
        for name in names:
            print_table(name, result["runs"][name], args.nodes)
    save_figures(result, args.json, args.scenario, stamp)
    return 0


if __name__ == "__main__":
    sys.exit(main())
