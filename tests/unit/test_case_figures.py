"""Supervisors' 민원 figures from cases, worked by hand."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from ivr.cases.case import Case
from ivr.cases.figures import TOTAL, figures, overdue_cases

KST = timezone(timedelta(hours=9))
T0 = datetime(2026, 11, 2, 9, tzinfo=KST)


def case(
    number: str, department: str, status: str, due_days: int, answered_days: float | None = None
) -> Case:
    return Case(
        number=number,
        status=status,
        version=1,
        received_at=T0,
        received_by="kim",
        caller="01012345678",
        description="-",
        type="query",
        department=department,
        deadline=T0 + timedelta(days=due_days),
        answered_at=T0 + timedelta(days=answered_days) if answered_days is not None else None,
    )


def test_open_overdue_answered_and_average_days_per_department_and_in_total() -> None:
    cases = [
        case("2026-000001", "road", "in_progress", 1),  # overdue at now
        case("2026-000002", "road", "answered", 7, answered_days=2),
        case("2026-000003", "road", "closed", 7, answered_days=3),
        case("2026-000004", "tax", "assigned", 14),
        case("2026-000005", "tax", "answered", 7, answered_days=30),  # answered after the period
    ]
    now = T0 + timedelta(days=5)
    lines = figures(cases, now, {"tax": "세정과", "road": "도로과"}, T0, T0 + timedelta(days=10))
    got = {f.department: (f.name, f.open, f.overdue, f.answered, f.average_days) for f in lines}
    assert [f.department for f in lines] == ["tax", "road", TOTAL]  # the configured order, then the total
    assert got == {
        "tax": ("세정과", 1, 0, 0, None),
        "road": ("도로과", 1, 1, 2, 2.5),
        TOTAL: ("전체", 2, 1, 2, 2.5),
    }
    assert [c.number for c in overdue_cases(cases, now)] == ["2026-000001"]
