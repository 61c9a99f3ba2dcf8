"""/reports at server level: the fixture day's figures, three SVG charts, CSV downloads, bad input.

The day is tests/unit/report_day.py, written through the real store into the
desk's SQLite file before the desk starts; its figures are worked out by hand
in tests/unit/test_reports.py.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from aiohttp.test_utils import TestServer

from ivr.reports.metrics import Rules
from ivr.store.db import Database
from ivr.store.desk_schema import create_schema
from ivr.web.context import DeskDeps
from ivr.web.desk import build_desk
from tests.unit.report_day import DAY, write_day
from tests.web.conftest import COUNSELORS, Desk, FakeClock, Monotonic, dispatcher

PAGE = f"/reports?from={DAY}&to={DAY}"


@pytest.fixture
async def day(db_path: Path) -> Path:
    await write_day(db_path)
    return db_path


def figure(html: str, element_id: str) -> str:
    found = re.search(rf'id="{element_id}">([^<]*)<', html)
    assert found, f"no #{element_id} on the page"
    return found.group(1)


async def test_given_a_day_of_calls_when_a_supervisor_opens_reports_then_its_figures(
    day: Path, desk: Desk
) -> None:
    client = await desk.logged_in("supervisor")
    response = await client.get(PAGE)
    assert response.status == 200
    html = await response.text()
    # 9 offered, 4 answered, 4 abandoned (+1 short), SL 2/4, SL2 5/9, ASA 88/4, AHT 1050/5.
    assert [figure(html, i) for i in ("fig-calls", "fig-offered", "fig-answered", "fig-abandoned")] == [
        "12",
        "9",
        "4",
        "4",
    ]
    assert [figure(html, i) for i in ("fig-sl", "fig-sl2", "fig-asa", "fig-aht")] == [
        "50.0%",
        "55.6%",
        "22.0초",
        "210.0초",
    ]
    assert "5초 미만 1건 별도" in html
    # Per counselor: c01 3 calls, 8:10 logged in, break 0:15 and meal 1:00.
    assert re.search(r"<td>c01 \(c01\)</td><td>3</td><td>0:08</td><td>0:01</td><td>8:10</td>", html)
    assert "휴식 0:15, 식사 1:00" in html


async def test_the_charts_are_svg_drawn_on_the_server_without_inline_style_or_script(
    day: Path, desk: Desk
) -> None:
    client = await desk.logged_in("admin")
    response = await client.get(PAGE)
    html = await response.text()
    assert html.count("<svg ") == 3
    # The CSP forbids inline style and inline script (scripts come from /static/ files only).
    assert "style=" not in html and re.findall(r"<script(?![^>]*\bsrc=\"/static/)", html) == []
    assert "script-src" not in response.headers["Content-Security-Policy"]  # default-src 'self' covers it
    # Calls per hour: at 09 two answered (a1, b1) and one not (c1); 10 one and one.
    assert "<title>09 응답 · answered 2</title>" in html
    assert "<title>09 미응답 · not answered 1</title>" in html
    # Service level by day: the one day at 50 %, with the 80 % target drawn.
    assert f"<title>{DAY} 50.0%</title>" in html and 'class="target"' in html
    # Abandons by day: 4 abandoned and 1 short.
    assert "<title>11-24 포기 · abandoned 4</title>" in html
    assert "<title>11-24 5초 미만 · short 1</title>" in html


async def test_csv_downloads_by_group(day: Path, desk: Desk) -> None:
    client = await desk.logged_in("supervisor")
    response = await client.get(f"/reports/export.csv?from={DAY}&to={DAY}&by=counselor")
    assert response.status == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert (
        response.headers["Content-Disposition"] == f'attachment; filename="report-{DAY}-{DAY}-counselor.csv"'
    )
    text = (await response.read()).decode("utf-8")
    assert text.startswith("\ufeff")  # so spreadsheets read UTF-8
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert [(r["counselor"], r["calls"], r["wrap_up"]) for r in rows] == [
        ("c01", "3", "90.0"),
        ("c02", "2", "60.0"),
        ("c03", "0", "0.0"),
    ]
    summary = await client.get(f"/reports/export.csv?from={DAY}&to={DAY}")
    values = dict(csv.reader(io.StringIO((await summary.read()).decode("utf-8").lstrip("\ufeff"))))
    assert (values["offered"], values["service_level"]) == ("9", "0.5")


async def test_without_dates_the_last_seven_days_are_shown(desk: Desk) -> None:
    client = await desk.logged_in("supervisor")
    html = await (await client.get("/reports")).text()
    # The tests' clock is 2026-03-02 in Seoul: 02-24 .. 03-02.
    assert 'name="from" value="2026-02-24"' in html and 'name="to" value="2026-03-02"' in html
    assert figure(html, "fig-offered") == "0" and figure(html, "fig-sl") == "-"


@pytest.mark.parametrize(
    ("query", "problem"),
    [
        ("from=2025-13-01&to=2025-11-24", "from: &#39;2025-13-01&#39; is not a date like 2026-11-23"),
        ("from=2025-11-24&to=2025-11-01", "to 2025-11-01 is before from 2025-11-24"),
    ],
)
async def test_given_bad_dates_then_400_naming_the_field(desk: Desk, query: str, problem: str) -> None:
    client = await desk.logged_in("supervisor")
    for path in ("/reports", "/reports/export.csv"):
        response = await client.get(f"{path}?{query}")
        assert response.status == 400
        assert problem in await response.text()


async def test_given_an_unknown_grouping_then_400_listing_the_choices(desk: Desk) -> None:
    client = await desk.logged_in("supervisor")
    response = await client.get(f"/reports/export.csv?from={DAY}&to={DAY}&by=week")
    assert response.status == 400
    assert "by: &#39;week&#39; is not one of hour, day, queue, counselor, topic, option, staffing" in (
        await response.text()
    )


async def test_a_counselor_may_not_see_reports(desk: Desk) -> None:
    client = await desk.logged_in("counselor")
    assert (await client.get(PAGE)).status == 403
    assert (await client.get(f"/reports/export.csv?from={DAY}&to={DAY}")).status == 403


async def test_the_wallboard_counts_against_the_configured_service_level(
    db_path: Path, clock: FakeClock
) -> None:
    # config.yaml reports: 45 s and 90 %. Two callers answered after 10 s and 40 s in line:
    # both within 45 s (with the default 20 s only one would be), so 100 %, no alert.
    db = Database(db_path, create_schema)
    db.start()
    app = build_desk(
        DeskDeps(
            db,
            counselors=COUNSELORS,
            clock=clock,
            acd=dispatcher(Monotonic()),
            report_rules=Rules(service_level_seconds=45, service_level_target=0.9),
        )
    )
    server = TestServer(app)
    desk = Desk(server, db_path, clock, dispatcher(Monotonic()))
    try:
        for n, wait in ((1, 10), (2, 40)):
            started = f"2026-03-02T08:0{n}:00.000+09:00"
            row = {
                "id": f"a{n}",
                "caller": "01055556666",
                "dialed": "2221000",
                "started_at": started,
                "open": 0,
            }
            desk.insert("calls", row | {"connected_at": f"2026-03-02T08:0{n}:{wait:02d}.000+09:00"})
            desk.insert(
                "call_events", {"call_id": f"a{n}", "at": started, "kind": "queue_entered", "detail": "{}"}
            )
        client = await desk.logged_in("supervisor")
        body = await (await client.get("/api/wallboard")).json()
        today = body["today"]
        assert (today["service_seconds"], today["service_target"], today["service_level"]) == (45, 0.9, 1.0)
        assert [a for a in body["alerts"] if a["kind"] == "service_level"] == []
    finally:
        await desk.close()
        await server.close()
        db.close()


async def test_the_pilot_tab_shows_the_day_against_its_targets_and_exports_csv(day: Path, desk: Desk) -> None:
    client = await desk.logged_in("supervisor")
    page = await (await client.get(PAGE)).text()
    assert f'href="/reports/pilot?from={DAY}&amp;to={DAY}" id="tab-pilot"' in page
    response = await client.get(f"/reports/pilot?from={DAY}&to={DAY}")
    assert response.status == 200
    html = await response.text()
    # SL 2/4, abandons 4/(9-1), ASA 88/4; FCR: a1 and e1 repeat, of 10 calls with a topic;
    # satisfaction (5+3)/2.
    row = re.search(rf"<tr class=\"missed\"><td>{DAY}</td>(.*?)</tr>", html)
    assert row, html
    cells = re.findall(r"<td>([^<]*)</td>", row.group(1))
    assert cells == [
        "12",
        "50.0%",
        "50.0%",
        "22.0초",
        "80.0%",
        "4.00",
        "service_level, abandon_rate, average_answer_seconds",
    ]
    exported = await client.get(f"/reports/export.csv?from={DAY}&to={DAY}&by=pilot")
    rows = list(csv.DictReader(io.StringIO((await exported.read()).decode("utf-8").lstrip("\ufeff"))))
    assert [r["day"] for r in rows] == [DAY, "target", "trend", "days_missed"]
    assert rows[3]["missed"] == "1"
