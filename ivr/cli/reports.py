"""`ivr report` and `ivr cdr export`: the figures of a period, and its call records as CSV."""

from __future__ import annotations

import argparse
import sys
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from ivr.admin import cases
from ivr.admin.problems import InvalidInput
from ivr.config import LoadedConfig, case_rules
from ivr.errors import HotlineError
from ivr.reports import cdr, output
from ivr.reports.happy_calls import HappyRow, happy_table
from ivr.reports.metrics import Rules
from ivr.reports.output import Table
from ivr.reports.period import PeriodError, parse_period
from ivr.reports.pilot import Targets, pilot
from ivr.reports.report import GROUPS, build
from ivr.reports.rows import Period, ReportSource
from ivr.store.case_out import happy_rows
from ivr.store.desk_schema import transaction
from ivr.store.report_rows import SqliteReportRows


def add_parsers(sub: Any) -> None:
    """The `report` and `cdr` subcommands of `ivr`."""
    report = sub.add_parser("report", help="the call center's figures for a period (docs/metrics.md)")
    _dates(report)
    report.add_argument(
        "--by",
        choices=GROUPS,
        help="one row per hour, day, queue, counselor, topic, option; or staffing advice",
    )
    report.add_argument(
        "--pilot",
        action="store_true",
        help="each day against config.yaml's pilot targets, the trend and the days that missed",
    )
    report.add_argument(
        "--cases",
        action="store_true",
        help="민원: open and overdue per department, answered in the period, average processing days",
    )
    report.add_argument(
        "--happy-calls",
        action="store_true",
        help="해피콜 of cases closed in the period: solved and satisfaction per department and topic",
    )
    report.add_argument("--format", choices=output.FORMATS, default="table")
    cdrs = sub.add_parser("cdr", help="call detail records")
    cdr_sub = cdrs.add_subparsers(dest="cdr_command", required=True)
    export = cdr_sub.add_parser("export", help="the calls of a period as CSV")
    _dates(export)
    export.add_argument(
        "--asterisk-columns",
        action="store_true",
        help="the columns and format of Asterisk's cdr-csv (Master.csv)",
    )
    export.add_argument("-o", "--out", help="write to this file (default: standard output)")


def _dates(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--from", dest="first", required=True, metavar="YYYY-MM-DD", help="first day (hotline.timezone)"
    )
    parser.add_argument("--to", dest="last", required=True, metavar="YYYY-MM-DD", help="last day, included")


def rules_of(cfg: LoadedConfig) -> Rules:
    return Rules(**cfg.settings.reports.model_dump())


def targets_of(cfg: LoadedConfig) -> Targets:
    return Targets(**cfg.settings.pilot.model_dump())


def _period(cfg: LoadedConfig, args: argparse.Namespace) -> Period:
    try:
        return parse_period(args.first, args.last, ZoneInfo(cfg.settings.hotline.timezone))
    except PeriodError as exc:
        raise InvalidInput([f"ivr {args.command}: {p}" for p in exc.problems]) from None


def happy_calls_of(cfg: LoadedConfig, period: Period) -> list[HappyRow]:
    with transaction(cfg.database()) as db:
        return happy_rows(db, period.start, period.end)


def report(cfg: LoadedConfig, args: argparse.Namespace) -> int:
    period = _period(cfg, args)
    rules = rules_of(cfg)
    happy = getattr(args, "happy_calls", False)
    if sum((args.pilot, bool(args.by), args.cases, happy)) > 1:
        raise InvalidInput(
            ["ivr report: --pilot, --cases, --happy-calls and --by are tables of their own; choose one"]
        )
    if args.cases:
        table = _cases(cfg, period)
    elif happy:
        table = happy_table(happy_calls_of(cfg, period), cfg.settings.cases.departments)
    else:
        source: ReportSource = SqliteReportRows(cfg.database())
        rows = source.rows(period, repeat_days=rules.repeat_days)
        table = pilot(rows, rules, targets_of(cfg)) if args.pilot else build(rows, rules, args.by)
    last = (period.end - timedelta(days=1)).date()
    heading = f"{cfg.settings.hotline.name} {period.start.date()} ~ {last} ({table.title})"
    if args.format == "csv":
        sys.stdout.write(output.as_csv(table))
    elif args.format == "json":
        meta = {
            "from": args.first,
            "to": args.last,
            "timezone": cfg.settings.hotline.timezone,
            "by": "happy_calls" if happy else "cases" if args.cases else "pilot" if args.pilot else args.by,
            "service_level_seconds": rules.service_level_seconds,
            "service_level_target": rules.service_level_target,
            "short_abandon_seconds": rules.short_abandon_seconds,
        }
        sys.stdout.write(output.as_json(table, meta))
    else:
        sys.stdout.write(output.as_table(table, heading))
    return 0


def _cases(cfg: LoadedConfig, period: Period) -> Table:
    now = datetime.now(ZoneInfo(cfg.settings.hotline.timezone))
    with transaction(cfg.database()) as db:
        return cases.figures_table(db, case_rules(cfg.settings.cases), now, period.start, period.end)


def cdr_export(cfg: LoadedConfig, args: argparse.Namespace) -> int:
    period = _period(cfg, args)
    source: ReportSource = SqliteReportRows(cfg.database())
    rows = source.cdr(period)
    tz = ZoneInfo(cfg.settings.hotline.timezone)
    text = (
        cdr.asterisk_csv(rows, tz, cfg.settings.asterisk.app) if args.asterisk_columns else cdr.own_csv(rows)
    )
    if args.out:
        try:
            Path(args.out).write_text(text, encoding="utf-8")
        except OSError as exc:
            raise HotlineError(f"cdr export: cannot write {args.out}: {exc.strerror}") from None
        print(f"{len(rows)} call(s) written to {args.out}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0
