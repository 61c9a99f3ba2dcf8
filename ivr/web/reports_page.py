"""/reports: a period's figures for supervisors, with charts and CSV downloads.

The same figures as `ivr report` (ivr/reports/, docs/metrics.md), read from
the call records on a read-only connection in a worker thread, so a long
period never holds up the service's writer. `from` and `to` are whole days
in the hotline's zone; without them the page shows the last seven days.
"""

from __future__ import annotations

import asyncio
from datetime import date, timedelta
from typing import Any

from aiohttp import web

from ivr.acd.actions import REASON_KO
from ivr.admin.problems import InvalidInput
from ivr.reports import output
from ivr.reports.metrics import Rules
from ivr.reports.output import Table
from ivr.reports.period import PeriodError, parse_period
from ivr.reports.pilot import pilot
from ivr.reports.report import GROUPS, build
from ivr.reports.rows import Period, ReportRows, ReportSource
from ivr.store.report_rows import SqliteReportRows
from ivr.web.access import allow
from ivr.web.charts import Chart, share_line, stacked_bars
from ivr.web.context import DESK, Desk
from ivr.web.pages import render

DEFAULT_DAYS = 7
DOWNLOADS = (
    (None, "요약", "Summary"),
    ("day", "일별", "By day"),
    ("hour", "시간대별", "By hour"),
    ("queue", "대기열별", "By queue"),
    ("counselor", "상담사별", "By counselor"),
    ("topic", "상담 주제별", "By topic"),
    ("option", "메뉴 선택별", "By menu option"),
    ("staffing", "필요 인원", "Staffing"),
    ("resolution", "첫 통화 해결률", "First-call resolution"),
    ("articles", "많이 쓴 문서", "Most used articles"),
    ("misses", "결과 없는 검색", "Searches that found nothing"),
    ("pilot", "시범 운영 목표 대비", "Pilot: days against targets"),
)


def _dates(request: web.Request, desk: Desk) -> tuple[str, str]:
    today = desk.clock().astimezone(desk.timezone).date()
    first = request.query.get("from") or str(today - timedelta(days=DEFAULT_DAYS - 1))
    last = request.query.get("to") or str(today)
    return first, last


def _period(request: web.Request, desk: Desk) -> tuple[Period, str, str]:
    first, last = _dates(request, desk)
    try:
        return parse_period(first, last, desk.timezone, names=("from", "to")), first, last
    except PeriodError as exc:
        raise InvalidInput(exc.problems) from None


# The period form every tab of /reports reads (the 민원 tab: case_figures.py).
period_of = _period


async def _rows(desk: Desk, period: Period) -> ReportRows:
    source: ReportSource = SqliteReportRows(desk.db.path)
    now = desk.clock().astimezone(desk.timezone)
    return await asyncio.to_thread(source.rows, period, repeat_days=desk.report_rules.repeat_days, now=now)


def _days(period: Period) -> list[str]:
    first: date = period.start.date()
    return [str(first + timedelta(days=i)) for i in range((period.end - period.start).days)]


def charts(rows: ReportRows, rules: Rules) -> list[Chart]:
    """Calls per hour of the day, the service level by day, abandons by day."""
    hours = build(rows, rules, "hour").rows
    offered = [0.0] * 24
    answered = [0.0] * 24
    for r in hours:
        h = int(str(r["hour"])[11:13])
        offered[h] += r["offered"]
        answered[h] += r["answered"]
    per_hour = stacked_bars(
        "시간대별 인입 · Calls per hour of the day",
        [f"{h:02d}" for h in range(24)],
        [
            ("응답 · answered", "bar-answered", answered),
            ("미응답 · not answered", "bar-missed", [o - a for o, a in zip(offered, answered, strict=True)]),
        ],
        units="세로: 통화 수(건) · 가로: 시각(시)",
        every=3,
    )
    by_day = {str(r["day"]): r for r in build(rows, rules, "day").rows}
    days = _days(rows.period)
    trend = share_line(
        f"일별 서비스 레벨 ({rules.service_level_seconds:g}초 이내 응답) · Service level by day",
        days,
        [by_day[d]["service_level"] if d in by_day else None for d in days],
        rules.service_level_target,
        units="세로: 목표 시간 안에 받은 통화의 비율(%) · 가로: 날짜(월-일)",
    )
    abandons = stacked_bars(
        "일별 포기 호 · Abandoned calls by day",
        [d[5:] for d in days],
        [
            (
                "포기 · abandoned",
                "bar-abandoned",
                [float(by_day[d]["abandoned"]) if d in by_day else 0.0 for d in days],
            ),
            (
                f"{rules.short_abandon_seconds:g}초 미만 · short",
                "bar-short",
                [float(by_day[d]["short_abandoned"]) if d in by_day else 0.0 for d in days],
            ),
        ],
        every=max(1, len(days) // 12),
        units="세로: 포기한 통화 수(건) · 가로: 날짜(월-일)",
    )
    return [per_hour, trend, abandons]


def _summary(table: Table) -> dict[str, Any]:
    return {r["metric"]: r["value"] for r in table.rows}


@allow("supervisor")
async def reports_page(request: web.Request) -> web.StreamResponse:
    desk = request.app[DESK]
    period, first, last = _period(request, desk)
    rows = await _rows(desk, period)
    rules = desk.report_rules
    return render(
        request,
        "reports.html",
        first=first,
        last=last,
        rules=rules,
        figures=_summary(build(rows, rules)),
        counselors=build(rows, rules, "counselor"),
        resolution=build(rows, rules, "resolution"),
        articles=build(rows, rules, "articles"),
        misses=build(rows, rules, "misses"),
        counselor_names=desk.counselors,
        reason_names={r.value: ko for r, ko in REASON_KO.items()},
        charts=charts(rows, rules),
        downloads=DOWNLOADS,
    )


@allow("supervisor")
async def reports_csv(request: web.Request) -> web.StreamResponse:
    """The figures as CSV (`by` as in `ivr report --by`; none for the summary)."""
    desk = request.app[DESK]
    period, first, last = _period(request, desk)
    by = request.query.get("by") or None
    if by is not None and by not in (*GROUPS, "pilot"):
        raise InvalidInput([f"by: {by!r} is not one of {', '.join(GROUPS)}, pilot"])
    rows = await _rows(desk, period)
    table = (
        pilot(rows, desk.report_rules, desk.pilot_targets)
        if by == "pilot"
        else build(rows, desk.report_rules, by)
    )
    return csv_response(table, f"report-{first}-{last}-{by or 'summary'}.csv")


def csv_response(table: Table, name: str) -> web.Response:
    """A table as a CSV download."""
    return web.Response(
        # A byte-order mark so spreadsheet programs read the Korean as UTF-8.
        body=("\ufeff" + output.as_csv(table)).encode("utf-8"),
        content_type="text/csv",
        charset="utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@allow("supervisor")
async def pilot_page(request: web.Request) -> web.StreamResponse:
    """/reports/pilot: each day of the period against the pilot's targets."""
    desk = request.app[DESK]
    period, first, last = _period(request, desk)
    table = pilot(await _rows(desk, period), desk.report_rules, desk.pilot_targets)
    days = [r for r in table.rows if r["day"] not in ("target", "trend", "days_missed")]
    extra = {r["day"]: r for r in table.rows if r["day"] in ("target", "trend", "days_missed")}
    return render(
        request,
        "reports_pilot.html",
        first=first,
        last=last,
        days=days,
        target=extra["target"],
        trend=extra["trend"],
        days_missed=extra["days_missed"],
    )


def add_routes(app: web.Application) -> None:
    app.router.add_get("/reports", reports_page)
    app.router.add_get("/reports/pilot", pilot_page)
    app.router.add_get("/reports/export.csv", reports_csv)
