"""The pilot report on a fixture period of three days, every figure worked out by hand.

2026-01-05 (Mon): a (0001, tax) waits 10 s, b (0002, tax) waits 30 s, c (no topic)
  hangs up after 20 s in line. Survey: a 5, b 2.
  service level (≤ 20 s) 1/2 = 0.5; abandon rate 1/3; answer 20 s;
  first-call resolution 2/2 = 1.0; satisfaction 3.5 -> misses service level,
  abandon rate and satisfaction.
2026-01-06 (Tue): d (0001, tax again: a repeat of a) waits 5 s, e (0003, water)
  waits 15 s. Survey: d 4.
  service level 1.0; abandon rate 0.0; answer 10 s; first-call resolution 1/2;
  satisfaction 4.0 -> misses first-call resolution.
2026-01-07 (Wed): no calls: no figure, nothing missed.
Trend per day: service level +0.5, abandon rate -1/3, answer -10 s, first-call
resolution -0.5, satisfaction +0.5, calls (3, 2, 0) -1.5.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from ivr.ports import CallFacts
from ivr.reports.metrics import Rules
from ivr.reports.pilot import Targets, pilot
from ivr.reports.rows import Period, QueueLogRow, ReportRows, SurveyRow

SEOUL = ZoneInfo("Asia/Seoul")


def at(day: int, hh: int, mm: int, ss: int = 0) -> datetime:
    return datetime(2026, 1, day, hh, mm, ss, tzinfo=SEOUL)


def call(call_id: str, caller: str, topic: str | None, start: datetime) -> CallFacts:
    return CallFacts(call_id, caller, "2221000", start, topic=topic)


def waited(call_id: str, entered: datetime, seconds: float, event: str = "connected") -> list[QueueLogRow]:
    end = entered + timedelta(seconds=seconds)
    who = "c01" if event == "connected" else None
    return [
        QueueLogRow(entered, call_id, "general", "entered"),
        QueueLogRow(end, call_id, "general", event, counselor_id=who, waited=seconds),
    ]


ROWS = ReportRows(
    period=Period(at(5, 0, 0), at(8, 0, 0), SEOUL),
    calls=(
        call("a", "01000000001", "tax", at(5, 9, 0)),
        call("b", "01000000002", "tax", at(5, 10, 0)),
        call("c", "01000000004", None, at(5, 11, 0)),
        call("d", "01000000001", "tax", at(6, 9, 0)),
        call("e", "01000000003", "water", at(6, 9, 30)),
    ),
    queue_log=(
        *waited("a", at(5, 9, 0), 10),
        *waited("b", at(5, 10, 0), 30),
        *waited("c", at(5, 11, 0), 20, "abandoned"),
        *waited("d", at(6, 9, 0), 5),
        *waited("e", at(6, 9, 30), 15),
    ),
    surveys=(
        SurveyRow("a", "satisfaction", 5, at(5, 9, 5)),
        SurveyRow("b", "satisfaction", 2, at(5, 10, 5)),
        SurveyRow("d", "satisfaction", 4, at(6, 9, 5)),
    ),
)


def test_each_day_against_the_targets_with_the_trend_and_the_days_that_missed() -> None:
    table = pilot(ROWS, Rules(), Targets())
    rows = {r["day"]: r for r in table.rows}
    assert rows["2026-01-05"] == {
        "day": "2026-01-05",
        "calls": 3,
        "service_level": 0.5,
        "abandon_rate": pytest.approx(1 / 3),
        "average_answer_seconds": 20.0,
        "first_call_resolution": 1.0,
        "satisfaction": 3.5,
        "missed": "service_level, abandon_rate, satisfaction",
    }
    assert rows["2026-01-06"] == {
        "day": "2026-01-06",
        "calls": 2,
        "service_level": 1.0,
        "abandon_rate": 0.0,
        "average_answer_seconds": 10.0,
        "first_call_resolution": 0.5,
        "satisfaction": 4.0,
        "missed": "first_call_resolution",
    }
    quiet = rows["2026-01-07"]
    assert quiet["calls"] == 0 and quiet["missed"] == "" and quiet["service_level"] is None
    assert rows["trend"] == {
        "day": "trend",
        "calls": -1.5,
        "service_level": 0.5,
        "abandon_rate": pytest.approx(-1 / 3),
        "average_answer_seconds": -10.0,
        "first_call_resolution": -0.5,
        "satisfaction": 0.5,
        "missed": "",
    }
    assert rows["days_missed"] == {
        "day": "days_missed",
        "calls": None,
        "service_level": 1,
        "abandon_rate": 1,
        "average_answer_seconds": 0,
        "first_call_resolution": 1,
        "satisfaction": 1,
        "missed": 2,
    }
    assert rows["target"]["service_level"] == 0.8 and rows["target"]["satisfaction"] == 4.0


def test_a_figure_the_pilot_does_not_aim_at_is_never_missed() -> None:
    table = pilot(ROWS, Rules(), Targets(satisfaction=None, abandon_rate=None))
    first = next(r for r in table.rows if r["day"] == "2026-01-05")
    assert first["missed"] == "service_level"
