"""Use cases on 민원 shared by `ivr cases` and the desks: the filters as people type them,
handing a case to a department, and the CSV export (audited).

docs/cases.md describes the case; the rules are ivr/cases/, the rows store/case_*.py.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import asdict
from datetime import date, datetime, time, timedelta, tzinfo

import sqlite_utils

from ivr.cases.case import ANSWER_CHANNELS, Case, CaseInputError
from ivr.cases.deadlines import overdue
from ivr.cases.figures import figures
from ivr.cases.rules import CaseRules, UnknownCaseChoice
from ivr.cases.states import OPEN, STATUS_NAMES, CaseEvent, CaseStatus
from ivr.reports.output import Table
from ivr.store import audit, case_rows
from ivr.store.case_changes import CaseChange, change
from ivr.store.case_rows import CaseFilter

STATUS_CHOICES = ("open", *(s.value for s in CaseStatus))


def parse_filter(
    rules: CaseRules,
    zone: tzinfo,
    status: str | None = None,
    department: str | None = None,
    overdue_only: bool = False,
    date_from: str | None = None,
    date_to: str | None = None,
) -> CaseFilter:
    """The desks' and the command line's filters, each bad one named (dates are local, `to` inclusive)."""
    if status and status not in STATUS_CHOICES:
        raise CaseInputError(
            "status", f"상태 '{status[:20]}'은(는) 없습니다(가능: {', '.join(STATUS_CHOICES)})."
        )
    if department:
        try:
            rules.department_name(department)
        except UnknownCaseChoice as exc:
            raise CaseInputError("department", str(exc)) from None
    start = _day(date_from, "from", zone)
    end = _day(date_to, "to", zone)
    return CaseFilter(
        status=status or None,
        department=department or None,
        overdue=overdue_only,
        received_from=start,
        received_to=end + timedelta(days=1) if end else None,
    )


def _day(text: str | None, name: str, zone: tzinfo) -> datetime | None:
    if not text:
        return None
    try:
        day = date.fromisoformat(text.strip())
    except ValueError:
        raise CaseInputError(name, f"{name} '{text[:20]}': 날짜는 2026-09-22처럼 적어 주십시오.") from None
    return datetime.combine(day, time(0), zone)


def assign(
    db: sqlite_utils.Database,
    rules: CaseRules,
    number: str,
    department: str,
    by: str,
    at: datetime,
    why: str = "",
    ip: str | None = None,
) -> Case:
    """Hand a received case to a department, or a returned one to another (재이관)."""
    current = case_rows.get(db, number)
    event = CaseEvent.REASSIGN if current.status == CaseStatus.RETURNED else CaseEvent.ASSIGN
    return change(db, CaseChange(number, event, by, why, to_department=department), at, rules, ip)


CSV_HEADER = (
    "number",
    "status",
    "received_at",
    "deadline",
    "overdue",
    "type",
    "department",
    "caller",
    "name",
    "answer_channel",
    "topic",
    "description",
    "answer",
    "answered_at",
    "closed_at",
)


def export(
    db: sqlite_utils.Database, f: CaseFilter, actor: str, now: datetime, ip: str | None = None
) -> list[Case]:
    """The cases the filter finds, the read audited as one export with its count and filter."""
    found = case_rows.find(db, f, now, order="number")
    audit.record(db, now, actor, "case_export", "", f"{len(found)} cases; {describe(f)}", ip)
    return found


def describe(f: CaseFilter) -> str:
    parts = [
        f"{k}={v}"
        for k, v in (
            ("status", f.status),
            ("department", f.department),
            ("from", f.received_from and f.received_from.date()),
            ("to", f.received_to and (f.received_to - timedelta(days=1)).date()),
        )
        if v
    ]
    return " ".join([*parts, *(["overdue"] if f.overdue else [])]) or "all"


def to_csv(cases: Iterable[Case], rules: CaseRules, zone: tzinfo, now: datetime) -> str:
    """The export as CSV text (UTF-8 with a BOM added by the writer, for spreadsheets)."""
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(CSV_HEADER)
    for c in cases:
        w.writerow(
            [
                c.number,
                STATUS_NAMES[CaseStatus(c.status)],
                _local(c.received_at, zone),
                _local(c.deadline, zone),
                "Y" if c.status in OPEN and overdue(c.deadline, now) else "",
                rules.types[c.type].name if c.type in rules.types else c.type,
                rules.departments.get(c.department, c.department),
                c.caller,
                c.name,
                ANSWER_CHANNELS.get(c.answer_channel, c.answer_channel),
                c.topic,
                c.description,
                c.answer,
                _local(c.answered_at, zone),
                _local(c.closed_at, zone),
            ]
        )
    return out.getvalue()


def _local(at: datetime | None, zone: tzinfo) -> str:
    return at.astimezone(zone).strftime("%Y-%m-%d %H:%M") if at else ""


FIGURE_COLUMNS = ("department", "name", "open", "overdue", "answered", "average_days")


def figures_table(
    db: sqlite_utils.Database, rules: CaseRules, now: datetime, start: datetime, end: datetime
) -> Table:
    """`ivr report --cases` and the 민원 tab of /reports: per department, open, overdue
    (as of now), answered in [start, end) and their average processing days."""
    lines = figures(case_rows.for_figures(db, start, end), now, rules.departments, start, end)
    return Table("민원 · cases", FIGURE_COLUMNS, [asdict(line) for line in lines])
