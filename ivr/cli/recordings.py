"""`ivr recordings`, `ivr voicemails`, `ivr callbacks`: what staff do with them."""

from __future__ import annotations

import argparse
from datetime import datetime
from zoneinfo import ZoneInfo

from ivr.admin import purge
from ivr.admin.recordings import policy_of
from ivr.config import LoadedConfig
from ivr.errors import HotlineError
from ivr.store import followups, recordings
from ivr.store.audit import os_user


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    rec = sub.add_parser("recordings", help="recorded conversations and messages: list, purge, hold")
    rec_sub = rec.add_subparsers(dest="recordings_command", required=True)
    ls = rec_sub.add_parser("list", help="recordings, newest first")
    ls.add_argument("--status", choices=("pending", "stored", "failed", "purged"))
    ls.add_argument("--call", help="only this call's")
    pg = rec_sub.add_parser("purge", help="what retention lets go (a dry run unless --apply)")
    pg.add_argument("--apply", action="store_true", help="really delete the files")
    pg.add_argument("--as-of", help="judge ages as if it were then, e.g. '2027-03-01 09:00'")
    hold = rec_sub.add_parser("hold", help="keep a call's recordings from every purge (legal hold)")
    hold.add_argument("call_id")
    hold.add_argument("--reason", required=True, help="why (kept with the recordings)")
    rec_sub.add_parser("release", help="end a call's legal hold").add_argument("call_id")
    for name in ("voicemails", "callbacks"):
        p = sub.add_parser(name, help=f"{name}: list [--status S], assign ID COUNSELOR, done ID")
        p.add_argument("action", nargs="?", choices=("list", "assign", "done"), default="list")
        p.add_argument("id", nargs="?", type=int)
        p.add_argument("counselor", nargs="?")
        p.add_argument("--status", help="new, assigned, done" + (", failed" if name == "callbacks" else ""))


def _now(cfg: LoadedConfig) -> datetime:
    return datetime.now(ZoneInfo(cfg.settings.hotline.timezone))


def _as_of(cfg: LoadedConfig, text: str | None) -> datetime:
    if not text:
        return _now(cfg)
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        raise HotlineError(f"--as-of {text!r}: use a date and time such as '2027-03-01 09:00'") from None
    return when if when.tzinfo else when.replace(tzinfo=ZoneInfo(cfg.settings.hotline.timezone))


def run_recordings(cfg: LoadedConfig, args: argparse.Namespace) -> int:
    db = recordings.open_db(cfg.database())
    c = args.recordings_command
    if c == "list":
        for r in recordings.listing(db, args.status, args.call):
            print(
                f"{r['recorded_at'] or '-':<29} {r['call_id']:<24} {r['kind']:<12} {r['status']:<8} "
                f"{r['seconds'] or 0:>7.1f}s {r['path'] or r['error'] or '-'}"
                + (f"  [hold: {r['hold_reason']}]" if r["legal_hold"] else "")
            )
    elif c in ("hold", "release"):
        count = recordings.set_hold(db, args.call_id, args.reason if c == "hold" else None)
        state = "held" if c == "hold" else "released from hold"
        print(f"{count} recording(s) of call {args.call_id} {state}")
    else:
        root = cfg.resolve(cfg.settings.storage.recordings)
        when = _as_of(cfg, args.as_of)
        report = purge.purge(db, root, policy_of(cfg), when, by=os_user(), apply=args.apply)
        verb = "purged" if args.apply else "would purge"
        for row, decision in report.purged:
            print(f"{verb}: {row['call_id']} {row['path']} ({row['recorded_at']}; {decision.reason})")
        kept = ", ".join(f"{n} {k}" for k, n in sorted(report.kept.items())) or "none"
        print(
            f"{verb} {len(report.purged)} recording(s), {report.bytes} bytes, "
            f"{report.seconds:.0f} s of audio; kept: {kept}"
        )
        if not args.apply and report.purged:
            print("a dry run: nothing was deleted (add --apply)")
    return 0


def run_followups(cfg: LoadedConfig, args: argparse.Namespace) -> int:
    table = args.command
    db = recordings.open_db(cfg.database())
    if args.action == "list":
        rows = (
            followups.voicemails(db, args.status)
            if table == "voicemails"
            else followups.callbacks(db, args.status)
        )
        for r in rows:
            who = r.get("handled_by") or r.get("assigned_to") or "-"
            if table == "voicemails":
                print(
                    f"{r['id']:>5} {r['at']:<29} {r['caller']:<14} {r['seconds'] or 0:>5.1f}s "
                    f"{r['status']:<9} {who}"
                )
            else:
                print(
                    f"{r['id']:>5} {r['requested_at']:<29} {r['number']:<14} {r['listed']:<9} "
                    f"attempts {r['attempts'] or 0} {who}"
                )
        return 0
    if args.id is None:
        raise HotlineError(f"ivr {table} {args.action}: give the id (see `ivr {table}`)")
    if args.action == "assign":
        if not args.counselor:
            raise HotlineError(f"ivr {table} assign {args.id}: give the counselor id, e.g. c01")
        known = [c.id for c in cfg.settings.counselors]
        followups.assign(db, table, args.id, args.counselor, _now(cfg), known)
        print(f"{table} {args.id} assigned to {args.counselor}")
    else:
        followups.done(db, table, args.id, os_user(), _now(cfg))
        print(f"{table} {args.id} done")
    return 0
