"""Reports on the fixture day (tests/unit/report_day.py), read back from a real SQLite file.

Every expected value is worked out by hand from the day's timeline; the
arithmetic is in the comments. T = 20 s, target 80 %, short abandons < 5 s.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from ivr.reports.metrics import Rules
from ivr.reports.period import parse_period
from ivr.reports.report import build
from ivr.reports.rows import ReportRows
from ivr.store.report_rows import SqliteReportRows
from tests.unit.report_day import DAY, SEOUL, at, write_day

RULES = Rules(short_abandon_seconds=5, service_level_seconds=20, service_level_target=0.8, repeat_days=7)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def day_db(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path | str:
    """The fixture day, written once a module on each engine."""
    if request.param == "sqlite":
        db: Path | str = tmp_path_factory.mktemp("report") / "hotline.sqlite3"
    else:
        db = request.getfixturevalue("pg_cluster").fresh()
    asyncio.run(write_day(db))
    return db


@pytest.fixture(scope="module")
def day_rows(day_db: Path | str) -> ReportRows:
    return SqliteReportRows(day_db).rows(parse_period(DAY, DAY, SEOUL), repeat_days=7)


def summary(rows: ReportRows) -> dict[str, Any]:
    return {r["metric"]: r["value"] for r in build(rows, RULES).rows}


def by(rows: ReportRows, group: str) -> dict[str, dict[str, Any]]:
    table = build(rows, RULES, group)
    return {str(r[table.columns[0]]): r for r in table.rows}


def test_the_day_reads_only_its_own_calls(day_rows: ReportRows) -> None:
    # 12 calls on the day (a1 b1 c1 d1 e1 f1 g1 h1 j1 k1 r1 w1); x1, x2 before, y1 after.
    assert sorted(c.call_id for c in day_rows.calls) == [
        "a1",
        "b1",
        "c1",
        "d1",
        "e1",
        "f1",
        "g1",
        "h1",
        "j1",
        "k1",
        "r1",
        "w1",
    ]
    assert {c.call_id for c in day_rows.earlier_calls} == {"x1"}  # x2 is 14 days back: outside 7


def test_offered_answered_abandoned_and_both_service_levels(day_rows: ReportRows) -> None:
    s = summary(day_rows)
    # In line: a1 b1 c1 d1 e1 h1 r1 w1 in `general`, j1 in the fallback queue = 9 offered.
    assert s["offered"] == 9
    # Answered: a1 (waited 10), b1 (30), e1 (40), j1 (8) = 4.
    assert s["answered"] == 4
    # Hung up in line: c1 (3 s: short, under 5), d1 (15), h1 (25), r1 (18, while c01's phone
    # rang), w1 (60, after c01 missed the ring) -> 4 abandoned + 1 short.
    assert (s["abandoned"], s["short_abandoned"]) == (4, 1)
    # app_queue servicelevelperf: answered within 20 s / answered = a1, j1 = 2 / 4.
    assert s["service_level"] == pytest.approx(0.5)
    # servicelevelperf2: (answered in 20 s + abandoned in 20 s) / (answered + abandoned)
    #   = (2 + c1, d1, r1 = 3) / (4 + 5) = 5 / 9.
    assert s["service_level_with_abandons"] == pytest.approx(5 / 9)
    # abandoned / (offered - short) = 4 / (9 - 1).
    assert s["abandon_rate"] == pytest.approx(4 / 8)
    # ASA = (10 + 30 + 40 + 8) / 4 = 22.0; longest wait w1's 60.
    assert s["average_answer_seconds"] == pytest.approx(22.0)
    assert s["longest_wait_seconds"] == pytest.approx(60.0)


def test_handle_time_is_talk_plus_hold_plus_wrap_up(day_rows: ReportRows) -> None:
    s = summary(day_rows)
    # Conversations: a1, b1, e1, j1 and the callback k1 = 5.
    # talk:  a1 120; b1 240 - 60 hold = 180; e1 up to the transfer 10:30:42-10:33:42 = 180;
    #        j1 180; k1 180                                    -> 840, average 168
    # hold:  b1 60                                             -> 60, average 12
    # wrap:  a1 30 (09:02:15-09:02:45); b1 60 (09:14:34-09:15:34, extended once);
    #        e1 30; j1 0 (the fallback records no wrap-up); k1 30 -> 150, average 30
    # handle = (840 + 60 + 150) / 5 = 210.
    assert s["handled"] == 5
    assert s["average_talk_seconds"] == pytest.approx(168.0)
    assert s["average_hold_seconds"] == pytest.approx(12.0)
    assert s["average_wrap_up_seconds"] == pytest.approx(30.0)
    assert s["average_handle_seconds"] == pytest.approx(210.0)


def test_occupancy_counts_on_call_and_wrap_up_over_working_time(day_rows: ReportRows) -> None:
    # (r1's and w1's rings are c01's reserved time: working, not busy, like available.)
    # c01 working (logged in 08:50-17:00 = 29400 s, less break 900 and meal 3600) = 24900,
    #     busy = on_call 120 + 180 + 180 + wrap-up 30 + 30 + 30 = 570;
    # c02 working 09:00-12:30 = 12600, busy = on_call 240 + wrap-up 60 = 300;
    # c03 available from midnight (logged in the evening before) to 02:00 = 7200, busy 0.
    # (570 + 300 + 0) / (24900 + 12600 + 7200) = 870 / 44700.
    assert summary(day_rows)["occupancy"] == pytest.approx(870 / 44700)


def test_per_counselor_calls_talk_wrap_up_pauses_and_logged_in_time(day_rows: ReportRows) -> None:
    rows = by(day_rows, "counselor")
    c01, c02 = rows["c01"], rows["c02"]
    # c01: a1, e1, k1; talk 120 + 180 + 180; wrap-up 3 x 30; 08:50-17:00; break 15 min, meal 1 h.
    assert (c01["calls"], c01["talk"], c01["hold"], c01["wrap_up"]) == (3, 480.0, 0.0, 90.0)
    assert c01["logged_in"] == pytest.approx(8 * 3600 + 10 * 60)
    assert (c01["pause_break"], c01["pause_meal"]) == (900.0, 3600.0)
    assert c01["occupancy"] == pytest.approx(570 / 24900)
    # c02: b1 and the fallback call j1; talk 180 + 180; hold 60; wrap-up 60; 09:00-12:30; no pause.
    assert (c02["calls"], c02["talk"], c02["hold"], c02["wrap_up"]) == (2, 360.0, 60.0, 60.0)
    assert c02["logged_in"] == pytest.approx(3.5 * 3600)
    assert (c02["pause_break"], c02["pause_meal"]) == (0.0, 0.0)


def test_by_hour_and_by_queue(day_rows: ReportRows) -> None:
    hours = by(day_rows, "hour")
    assert list(hours) == [f"{DAY} {h}:00" for h in ("09", "10", "11", "12", "13", "14")]
    nine = hours[f"{DAY} 09:00"]
    # 09h: a1, b1 answered, c1 short; a1 within 20 s -> SL 1/2; SL2 (1 + c1) / (2 + 1).
    assert (nine["offered"], nine["answered"], nine["short_abandoned"]) == (3, 2, 1)
    assert nine["service_level"] == pytest.approx(0.5)
    assert nine["service_level_with_abandons"] == pytest.approx(2 / 3)
    # 09h occupancy: c01 busy 120 + 30, c02 busy 240 + 60, both working all 3600 s: 450 / 7200.
    assert nine["occupancy"] == pytest.approx(450 / 7200)
    # 13h: r1 and w1 hung up in line (18 s and 60 s), nobody answered; c01 working, not busy.
    thirteen = hours[f"{DAY} 13:00"]
    assert (thirteen["offered"], thirteen["answered"], thirteen["abandoned"]) == (2, 0, 2)
    assert (thirteen["service_level"], thirteen["service_level_with_abandons"]) == (None, 0.5)
    assert thirteen["occupancy"] == 0.0
    # 14h: only the callback's conversation (k1: 180 talk + 30 wrap-up).
    assert (hours[f"{DAY} 14:00"]["offered"], hours[f"{DAY} 14:00"]["average_handle_seconds"]) == (0, 210.0)
    queues = by(day_rows, "queue")
    assert queues["general"]["offered"] == 8 and queues["hotline-fallback"]["answered"] == 1
    assert queues["hotline-fallback"]["average_answer_seconds"] == pytest.approx(8.0)


def test_options_topics_self_service_and_repeats(day_rows: ReportRows) -> None:
    options = by(day_rows, "option")
    # main:1 a1 c1 h1 r1; main:2 b1 d1 e1 w1; main:9 f1 (self-served) g1 (left a voicemail).
    assert {k: (v["calls"], v["self_served"]) for k, v in options.items()} == {
        "main:1": (4, 0),
        "main:2": (4, 0),
        "main:9": (2, 1),
    }
    assert options["main:9"]["self_service_rate"] == pytest.approx(0.5)
    topics = by(day_rows, "topic")
    # Repeats: a1 (x1 on parking 4 days before), e1 (d1 on tax that morning). f1's x2 is 14 days back.
    assert {k: (v["calls"], v["self_served"], v["repeat_calls"]) for k, v in topics.items()} == {
        "-": (2, 0, 0),
        "hours": (2, 1, 0),
        "parking": (4, 0, 1),
        "tax": (4, 0, 1),
    }
    # parking: h1 and r1 abandoned, c1 short; tax: d1 and w1 abandoned.
    assert topics["tax"]["answered"] == 2 and topics["parking"]["abandoned"] == 2
    assert topics["tax"]["abandoned"] == 2
    s = summary(day_rows)
    assert (s["self_served"], s["self_service_rate"], s["repeat_calls"]) == (1, pytest.approx(1 / 12), 2)


def test_surveys_and_callbacks(day_rows: ReportRows) -> None:
    s = summary(day_rows)
    # satisfaction: 5 and 3 -> 4.0; resolved: 1.
    assert (s["survey_satisfaction_answers"], s["survey_satisfaction_average"]) == (2, 4.0)
    assert s["survey_resolved_average"] == 1.0
    # Requests: done, failed, still new -> success = 1 / (1 + 1).
    assert (s["callbacks_requested"], s["callbacks_done"], s["callbacks_failed"], s["callbacks_open"]) == (
        3,
        1,
        1,
        1,
    )
    assert s["callback_success_rate"] == pytest.approx(0.5)


def test_staffing_from_the_measured_hour(day_rows: ReportRows) -> None:
    rows = build(day_rows, RULES, "staffing").rows
    nine = next(r for r in rows if r["hour"] == "09:00")
    # Monday 09h: 3 calls in the one Monday hour measured; handle (a1 150 + b1 300) / 2 = 225 s.
    # A = 3 x 225 / 3600 = 0.1875 erlangs. One counselor: P(wait) = A = 0.1875,
    # SL = 1 - 0.1875 x e^(-(1 - 0.1875) x 20 / 225) = 1 - 0.1875 x 0.93033 = 0.8256 >= 0.8.
    assert (nine["weekday"], nine["calls_per_hour"], nine["average_handle_seconds"]) == ("Mon", 3.0, 225.0)
    assert nine["erlangs"] == pytest.approx(0.1875)
    assert nine["counselors_needed"] == 1
    assert nine["service_level"] == pytest.approx(0.8256, abs=1e-4)


def test_a_day_without_calls_gives_zeros_and_no_ratios(records_at: Path | str) -> None:
    db = records_at
    asyncio.run(write_day(db))
    rows = SqliteReportRows(db).rows(parse_period("2025-12-01", "2025-12-01", SEOUL), repeat_days=7)
    s = summary(rows)
    assert (s["calls"], s["offered"], s["service_level"], s["average_handle_seconds"]) == (0, 0, None, None)


def test_while_the_day_is_still_going_counselor_time_runs_up_to_now(day_db: Path | str) -> None:
    rows = SqliteReportRows(day_db).rows(parse_period(DAY, DAY, SEOUL), repeat_days=7, now=at("12:30:00"))
    c01 = by(rows, "counselor")["c01"]
    # c01 logged in at 08:50 and is still on her meal break at 12:30: 3 h 40 min so far,
    # of which the break's 15 min and 30 min of the meal.
    assert c01["logged_in"] == pytest.approx(3 * 3600 + 40 * 60)
    assert (c01["pause_break"], c01["pause_meal"]) == (900.0, 1800.0)


def test_a_counselor_logged_in_before_the_period_counts_from_its_start(
    day_rows: ReportRows, day_db: Path
) -> None:
    # c03 logged in at 22:00 the evening before and out at 02:00: two hours on this day.
    c03 = by(day_rows, "counselor")["c03"]
    assert (c03["calls"], c03["logged_in"], c03["occupancy"]) == (0, 7200.0, 0.0)
    # The next day nobody logged in: no rows, not rows of zeros.
    rows = SqliteReportRows(day_db).rows(parse_period("2025-11-25", "2025-11-25", SEOUL), repeat_days=7)
    assert by(rows, "counselor") == {}
