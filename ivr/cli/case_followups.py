"""`ivr case-followups` and `ivr outbox`: the supervisors' list of 민원 left for a person, and
the 문자 waiting for a gateway."""

from __future__ import annotations

import argparse
import getpass
from datetime import datetime
from zoneinfo import ZoneInfo

from ivr.calls.followup_states import FollowupEvent
from ivr.config import LoadedConfig
from ivr.errors import HotlineError
from ivr.store import case_out, case_outbox
from ivr.store.desk_schema import transaction


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "case-followups",
        help="민원 left for a person (nobody reached, an unhappy 해피콜): list, assign ID WHO, done ID",
    )
    p.add_argument("action", nargs="?", choices=("list", "assign", "done"), default="list")
    p.add_argument("id", nargs="?", type=int)
    p.add_argument("who", nargs="?")
    p.add_argument("--status", choices=("new", "assigned", "done", "all"), default="new")
    out = sub.add_parser("outbox", help="문자 to citizens: queued until an SMS gateway adapter sends them")
    out.add_argument("--case", help="only this case's messages (2026-000123)")


def run(cfg: LoadedConfig, args: argparse.Namespace) -> int:
    path = cfg.database()
    if args.command == "outbox":
        with transaction(path) as db:
            rows = case_outbox.messages(db, args.case) if args.case else case_outbox.take(db, 1000)
        for r in rows:
            print(f"{r['id']:>5} {r['queued_at']:<26} {r['number']} {r['status']:<7} {r['note']}")
        if not rows:
            print("(no messages)")
        return 0
    now = datetime.now(ZoneInfo(cfg.settings.hotline.timezone))
    with transaction(path) as db:
        if args.action == "list":
            for r in case_out.follow_ups(db, None if args.status == "all" else args.status):
                who = r["by"] or "-"
                print(f"{r['id']:>5} {r['at']:<26} {r['number']} {r['status']:<9} {who:<10} {r['reason']}")
            return 0
        if args.id is None:
            raise HotlineError(f"ivr case-followups {args.action}: give the id (see `ivr case-followups`)")
        if args.action == "assign":
            if not args.who:
                raise HotlineError(f"ivr case-followups assign {args.id}: give who takes it, e.g. s1")
            case_out.take_follow_up(db, args.id, FollowupEvent.ASSIGN, args.who, now)
            print(f"case follow-up {args.id} assigned to {args.who}")
        else:
            case_out.take_follow_up(db, args.id, FollowupEvent.DONE_BY_HAND, getpass.getuser(), now)
            print(f"case follow-up {args.id} done")
    return 0
