"""민원 for supervisors: the 민원 tab of /reports (per department: open, overdue, answered in the
period, average processing days) and the wallboard's small figure, where every case past its
deadline is an alert."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from aiohttp import web

from ivr.admin import cases as case_use
from ivr.cases.figures import TOTAL, figures, overdue_cases
from ivr.reports.happy_calls import happy_table
from ivr.store import case_out, case_rows
from ivr.store.reads import read
from ivr.web.access import allow
from ivr.web.context import DESK, Desk
from ivr.web.pages import render
from ivr.web.reports_page import period_of

ALERTS_SHOWN = 5  # overdue cases named on the wallboard; the rest counted in one line


@allow("supervisor")
async def cases_tab(request: web.Request) -> web.StreamResponse:
    desk = request.app[DESK]
    period, first, last = period_of(request, desk)
    now = desk.clock()
    table = await read(
        desk.db, lambda db: case_use.figures_table(db, desk.cases, now, period.start, period.end)
    )
    happy = await read(desk.db, lambda db: case_out.happy_rows(db, period.start, period.end))
    happy_lines = happy_table(happy, desk.cases.departments).rows
    return render(request, "reports_cases.html", first=first, last=last, rows=table.rows, happy=happy_lines)


async def board_figure(desk: Desk, today: datetime) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The wallboard's 민원 figure (open, overdue, answered today) and an alert per overdue case."""
    now, tomorrow = desk.clock(), today + timedelta(days=1)
    found = await read(desk.db, lambda db: case_rows.for_figures(db, today, tomorrow))
    lines = figures(found, now, desk.cases.departments, today, tomorrow)
    total = next(f for f in lines if f.department == TOTAL)
    late = overdue_cases(found, now)
    names = desk.cases.departments
    alerts: list[dict[str, Any]] = [
        {
            "kind": "case_overdue",
            "counselor": None,
            "counselors": [],
            "case": c.number,
            "ko": f"민원 {c.number} 처리 기한 경과 ({names.get(c.department, c.department)})",
            "en": f"case {c.number} is past its deadline ({c.department})",
        }
        for c in late[:ALERTS_SHOWN]
    ]
    if len(late) > ALERTS_SHOWN:
        more = len(late) - ALERTS_SHOWN
        alerts.append(
            {
                "kind": "case_overdue",
                "counselor": None,
                "counselors": [],
                "ko": f"기한 경과 민원 {more}건 더",
                "en": f"{more} more overdue cases",
            }
        )
    return {"open": total.open, "overdue": total.overdue, "answered_today": total.answered}, alerts


def add_routes(app: web.Application) -> None:
    app.router.add_get("/reports/cases", cases_tab)
