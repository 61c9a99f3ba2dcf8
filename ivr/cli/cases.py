"""`ivr cases list | show | assign | export`: 민원 at the command line, with the desks' filters.

`show` and `export` read personal data: each is audited under the user
running the command (through sudo: the one who ran sudo).
"""

from __future__ import annotations

import argparse
import sys
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from ivr.admin import cases
from ivr.cases.case import CaseNotFound
from ivr.cases.deadlines import overdue
from ivr.cases.states import OPEN, STATUS_NAMES, CaseStatus, event_name
from ivr.config import LoadedConfig, case_rules
from ivr.store import case_rows
from ivr.store.audit import os_user
from ivr.store.desk_schema import transaction
from ivr.store.engine import Target
from ivr.web.masking import mask_number  # `list` is a glance; `show` (audited) has it whole


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("cases", help="민원 handed to departments: list, show, assign, export (CSV)")
    cs = p.add_subparsers(dest="cases_command", required=True)
    for name, text in (("list", "cases by deadline"), ("export", "cases as CSV (audited)")):
        q = cs.add_parser(name, help=text)
        q.add_argument("--status", help=f"one of {', '.join(cases.STATUS_CHOICES)}")
        q.add_argument("--department", help="a department id of config.yaml cases.departments")
        q.add_argument("--overdue", action="store_true", help="only open cases past their deadline")
        q.add_argument("--from", dest="date_from", help="received on or after, e.g. 2026-09-01")
        q.add_argument("--to", dest="date_to", help="received on or before, e.g. 2026-09-30")
        if name == "export":
            q.add_argument("-o", "--out", help="write to this file (default: standard output)")
    cs.add_parser("show", help="one case with its history (audited)").add_argument("number")
    a = cs.add_parser("assign", help="hand a received or returned case to a department")
    a.add_argument("number")
    a.add_argument("department")
    a.add_argument("--reason", default="", help="why (kept in the case's history)")


def run(cfg: LoadedConfig, args: argparse.Namespace) -> int:
    rules = case_rules(cfg.settings.cases)
    zone = ZoneInfo(cfg.settings.hotline.timezone)
    now = datetime.now(zone)
    path = cfg.database()
    c = args.cases_command
    if c in ("list", "export"):
        f = cases.parse_filter(
            rules, zone, args.status, args.department, args.overdue, args.date_from, args.date_to
        )
        with transaction(path) as db:
            if c == "list":
                for case in case_rows.find(db, f, now):
                    late = "기한 경과" if case.status in OPEN and overdue(case.deadline, now) else ""
                    print(
                        f"{case.number}  {STATUS_NAMES[CaseStatus(case.status)]:<6} "
                        f"{case.department:<16} {case.deadline.astimezone(zone):%Y-%m-%d %H:%M} "
                        f"{mask_number(case.caller):<14} {case.topic or '-':<16} {late}"
                    )
                return 0
            found = cases.export(db, f, os_user(), now)
        text = cases.to_csv(found, rules, zone, now)
        if args.out:
            Path(args.out).write_text(text, encoding="utf-8-sig")
            print(f"{len(found)} case(s) written to {args.out}", file=sys.stderr)
        else:
            sys.stdout.write(text)
        return 0
    if c == "show":
        return _show(path, args.number, zone, now)
    with transaction(path) as db:
        case = cases.assign(db, rules, args.number, args.department, os_user(), now, args.reason)
    print(
        f"{case.number}: {STATUS_NAMES[CaseStatus(case.status)]} → {rules.department_name(case.department)}"
    )
    return 0


def _show(path: Target, number: str, zone: ZoneInfo, now: datetime) -> int:
    with transaction(path) as db:
        case = case_rows.open_case(db, number, os_user(), now)
        events = case_rows.history(db, number) if case else []
    if case is None:
        raise CaseNotFound(number)
    print(f"접수번호 {case.number}  상태 {STATUS_NAMES[CaseStatus(case.status)]}  부서 {case.department}")
    print(
        f"접수 {case.received_at.astimezone(zone):%Y-%m-%d %H:%M} ({case.received_by})  "
        f"기한 {case.deadline.astimezone(zone):%Y-%m-%d %H:%M}"
    )
    print(f"민원인 {case.caller} {case.name}  답변 방법 {case.answer_channel}  주제 {case.topic or '-'}")
    print(
        f"통화 {', '.join(case.calls) or '-'}  IVR {case.ivr_path or '-'}  "
        f"상담 DB {', '.join(case.articles) or '-'}"
    )
    print(f"내용: {case.description}")
    if case.answer:
        print(f"답변 ({case.answered_by}): {case.answer}")
    for e in events:
        what = event_name(e["event"])
        print(
            f"  {e['at']}  {e['who']:<12} {what:<10} {e['from_status'] or '-'} → {e['to_status'] or '-'}  "
            f"{e['why'] or ''} {e['detail'] or ''}".rstrip()
        )
    return 0
