"""Supervisors' figures of 민원: open cases per department, how many are past their
deadline, how many were answered in a period and in how many days on average.

Pure: handed the cases (open ones, and those answered in the period) and now.
Processing days are calendar days from receipt to the department's answer,
to one decimal (the law's deadline is in working days; this says how long a
citizen waited).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from ivr.cases.case import Case
from ivr.cases.deadlines import overdue
from ivr.cases.states import OPEN

TOTAL = "total"


@dataclass(frozen=True)
class DepartmentFigures:
    """One department's line (department TOTAL: every department)."""

    department: str
    name: str
    open: int
    overdue: int
    answered: int
    average_days: float | None


def figures(
    cases: Iterable[Case],
    now: datetime,
    names: Mapping[str, str],
    answered_from: datetime | None = None,
    answered_to: datetime | None = None,
) -> list[DepartmentFigures]:
    """A line per department that has a case (names' order first), then the total."""
    found = list(cases)
    departments = [d for d in names if any(c.department == d for c in found)]
    departments += sorted({c.department for c in found} - set(departments))
    lines = [
        _line(d, names.get(d, d), [c for c in found if c.department == d], now, answered_from, answered_to)
        for d in departments
    ]
    lines.append(_line(TOTAL, "전체", found, now, answered_from, answered_to))
    return lines


def _line(
    department: str,
    name: str,
    cases: list[Case],
    now: datetime,
    start: datetime | None,
    end: datetime | None,
) -> DepartmentFigures:
    still = [c for c in cases if c.status in OPEN]
    answered = [
        c
        for c in cases
        if c.answered_at is not None
        and (start is None or c.answered_at >= start)
        and (end is None or c.answered_at < end)
    ]
    days = [(c.answered_at - c.received_at).total_seconds() / 86400 for c in answered if c.answered_at]
    return DepartmentFigures(
        department=department,
        name=name,
        open=len(still),
        overdue=sum(overdue(c.deadline, now) for c in still),
        answered=len(answered),
        average_days=round(sum(days) / len(days), 1) if days else None,
    )


def overdue_cases(cases: Iterable[Case], now: datetime) -> list[Case]:
    """Open cases past their deadline, the longest overdue first: each is an alert."""
    return sorted(
        (c for c in cases if c.status in OPEN and overdue(c.deadline, now)), key=lambda c: c.deadline
    )
