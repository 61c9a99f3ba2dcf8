"""`ivr store copy --from sqlite:PATH --to postgresql://...`: move a site's history to another store."""

from __future__ import annotations

import argparse
import sys

from ivr.errors import HotlineError
from ivr.store import copy, engine


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    store = sub.add_parser("store", help="the records' store (docs/scaling.md)")
    store_sub = store.add_subparsers(dest="store_command", required=True)
    move = store_sub.add_parser(
        "copy", help="copy every table to another store, then compare counts and checksums per table"
    )
    move.add_argument("--from", dest="source", required=True, help="sqlite:PATH (or a postgresql:// URL)")
    move.add_argument(
        "--to", dest="target", required=True, help="postgresql://user@host/dbname (or sqlite:PATH)"
    )
    move.add_argument("--batch", type=int, default=500, help="rows a transaction (default 500)")


def run(args: argparse.Namespace) -> int:
    try:
        source, target = engine.parse(args.source), engine.parse(args.target)
    except ValueError as exc:
        raise HotlineError(str(exc)) from exc
    if not engine.exists(source):
        raise HotlineError(f"--from {engine.shown(source)}: no such file")
    if args.batch < 1:
        raise HotlineError(f"--batch {args.batch}: give a number of rows, 1 or more")
    print(f"copying {engine.shown(source)} -> {engine.shown(target)}", file=sys.stderr)

    def told(table: str, rows: int) -> None:
        print(f"  {table}: {rows} rows", file=sys.stderr)

    checked = copy.copy(source, target, batch=args.batch, told=told)
    width = max([len(v.table) for v in checked] + [5])
    print(f"{'table':<{width}}  {'rows':>9}  {'copied':>9}  checksum          same")
    for v in checked:
        same = "yes" if v.same else "NO"
        print(f"{v.table:<{width}}  {v.source_rows:>9}  {v.target_rows:>9}  {v.source_sum}  {same}")
    differ = [v.table for v in checked if not v.same]
    if differ:
        print(f"ivr: {len(differ)} table(s) differ: {', '.join(differ)}; run the copy again", file=sys.stderr)
        return 1
    print(f"{len(checked)} tables copied and verified", file=sys.stderr)
    return 0
