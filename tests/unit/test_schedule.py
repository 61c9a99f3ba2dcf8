"""Opening hours: parsing an admin's schedule, and open/closed/holiday at a given moment.

Holiday dates are the ones the `holidays` package gives for South Korea (checked
against it when these tests were written), not computed here.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from ivr.flows.holidays import korean_holiday
from ivr.flows.schedule import Decision, Schedule, impossible
from ivr.flows.schedule_text import (
    END_OF_DAY,
    Hours,
    ScheduleError,
    ScheduleErrors,
    format_key,
    parse_days,
    parse_hours,
)

SEOUL = ZoneInfo("Asia/Seoul")

HOTLINE = Schedule.from_mapping(
    {
        "hours": {"mon-fri": "09:00-12:00, 13:00-18:00", "sat,sun": "closed"},
        "holidays": "kr",
        "closed_days": ["2026-05-15"],
        "exceptions": {
            "2026-09-25": "10:00-14:00",  # open on Chuseok itself
            date(2026, 9, 23): "closed",  # a Wednesday; ruamel.yaml hands over unquoted dates as dates
            "2026-05-15": "09:00-12:00",  # also a closed day: the exception wins
            "2026-05-14": "closed",
        },
    }
)


def test_given_hotline_mapping_when_from_mapping_then_weekly_hours_and_dates_are_parsed() -> None:
    lunch = ((time(9), time(12)), (time(13), time(18)))
    assert HOTLINE.weekly == dict.fromkeys(range(5), lunch)
    assert HOTLINE.public_holidays is True
    assert HOTLINE.closed_days == frozenset({date(2026, 5, 15)})
    assert HOTLINE.exceptions[date(2026, 9, 23)] == ()
    assert HOTLINE.exceptions[date(2026, 9, 25)] == ((time(10), time(14)),)
    assert HOTLINE.timezone == "Asia/Seoul"


# --- decide: weekly hours --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("when", "outcome", "reason"),
    [
        (datetime(2026, 9, 21, 10, 0), "open", "open until 12:00"),
        (datetime(2026, 9, 21, 9, 0), "open", "open until 12:00"),
        (datetime(2026, 9, 21, 8, 59), "closed", "before hours (opens 09:00)"),
        (datetime(2026, 9, 21, 0, 0), "closed", "before hours (opens 09:00)"),
        (datetime(2026, 9, 21, 12, 0), "closed", "break (reopens 13:00)"),
        (datetime(2026, 9, 21, 12, 30), "closed", "break (reopens 13:00)"),
        (datetime(2026, 9, 21, 13, 0), "open", "open until 18:00"),
        (datetime(2026, 9, 21, 17, 59, 59), "open", "open until 18:00"),
        (datetime(2026, 9, 21, 18, 0), "closed", "after hours (opens tomorrow 09:00)"),
        (datetime(2026, 9, 18, 19, 0), "closed", "after hours (opens Monday 2026-09-21 09:00)"),
        (datetime(2026, 9, 19, 10, 0), "closed", "closed on Saturday"),
        (datetime(2026, 9, 20, 10, 0), "closed", "closed on Sunday"),
    ],
    ids=[
        "weekday-inside",
        "weekday-at-opening",
        "weekday-before-opening",
        "weekday-midnight",
        "lunch-break-starts",
        "lunch-break",
        "after-lunch",
        "last-second",
        "weekday-at-closing",
        "friday-evening",
        "saturday",
        "sunday",
    ],
)
def test_given_weekly_hours_when_decide_then_outcome_and_reason(
    when: datetime, outcome: str, reason: str
) -> None:
    decision = HOTLINE.decide(when)
    assert (decision.outcome, decision.reason) == (outcome, reason)


# --- decide: holidays, closed days, exceptions -----------------------------------------------------


@pytest.mark.parametrize(
    ("day", "outcome", "reason"),
    [
        # Chuseok 2026 is Thu 24 .. Sat 26 September. Its last day falls on a Saturday, and
        # Korea gives a substitute day for Seollal/Chuseok only when they meet a Sunday or
        # another holiday, so Monday the 28th is an ordinary working day.
        (date(2026, 9, 24), "holiday", "추석 전날"),
        (date(2026, 9, 26), "holiday", "추석 다음날"),
        (date(2026, 9, 28), "open", "open until 12:00"),
        # Substitute holidays the package reports.
        (date(2025, 10, 8), "holiday", "추석 대체 휴일"),
        (date(2026, 8, 17), "holiday", "광복절 대체 휴일"),
        (date(2026, 10, 5), "holiday", "개천절 대체 휴일"),
        (date(2027, 2, 9), "holiday", "설날 대체 휴일"),
        (date(2026, 2, 17), "holiday", "설날"),
        # The city's own closed day, and dated exceptions.
        (date(2026, 5, 15), "open", "open until 12:00"),
        (date(2026, 5, 14), "closed", "closed all day on 2026-05-14 (exception)"),
        (date(2026, 9, 23), "closed", "closed all day on 2026-09-23 (exception)"),
        (date(2026, 9, 25), "open", "open until 14:00"),
    ],
    ids=[
        "chuseok-eve",
        "chuseok-day-after-on-saturday",
        "no-substitute-for-chuseok-2026",
        "chuseok-substitute-2025",
        "liberation-day-substitute-2026",
        "foundation-day-substitute-2026",
        "seollal-substitute-2027",
        "seollal-2026",
        "exception-beats-city-closed-day",
        "exception-closes-a-thursday",
        "exception-closes-a-wednesday",
        "exception-opens-on-chuseok",
    ],
)
def test_given_special_day_when_decide_at_ten_then_outcome_and_reason(
    day: date, outcome: str, reason: str
) -> None:
    when = datetime.combine(day, time(10))
    decision = HOTLINE.decide(when)
    assert (decision.outcome, decision.reason) == (outcome, reason)


def test_given_city_closed_day_without_exception_when_decide_then_holiday() -> None:
    schedule = Schedule.from_mapping({"hours": {"mon-fri": "09:00-18:00"}, "closed_days": ["2026-05-15"]})
    assert schedule.decide(datetime(2026, 5, 15, 10)) == Decision("holiday", "city closed day")


def test_given_exception_opening_on_holiday_when_after_its_hours_then_closed_until_next_working_day() -> None:
    decision = HOTLINE.decide(datetime(2026, 9, 25, 15))
    assert decision == Decision("closed", "after hours (opens Monday 2026-09-28 09:00)")


def test_given_holidays_none_when_decide_on_chuseok_then_open() -> None:
    schedule = Schedule.from_mapping({"hours": {"daily": "09:00-18:00"}, "holidays": "none"})
    assert schedule.public_holidays is False
    assert schedule.decide(datetime(2026, 9, 25, 10)) == Decision("open", "open until 18:00")


def test_given_holiday_on_a_closed_weekday_when_decide_then_holiday_wins() -> None:
    # 2026-09-26 is a Saturday (closed anyway); the caller hears the holiday, not "closed on Saturday".
    assert HOTLINE.decide(datetime(2026, 9, 26, 10)).outcome == "holiday"


# --- korean_holiday: the dates the package gives ---------------------------------------------------


def test_given_chuseok_2026_when_listing_holidays_around_it_then_package_dates() -> None:
    start = date(2026, 9, 20)
    found = {
        d: name
        for d in (start + timedelta(days=i) for i in range(21))
        if (name := korean_holiday(d)) is not None
    }
    assert found == {
        date(2026, 9, 24): "추석 전날",
        date(2026, 9, 25): "추석",
        date(2026, 9, 26): "추석 다음날",
        date(2026, 10, 3): "개천절",
        date(2026, 10, 5): "개천절 대체 휴일",  # 10-03 is a Saturday
        date(2026, 10, 9): "한글날",
    }


@pytest.mark.parametrize(
    ("day", "name"),
    [
        (date(2025, 10, 6), "추석"),
        (date(2025, 10, 8), "추석 대체 휴일"),  # Chuseok eve 2025-10-05 was a Sunday
        (date(2026, 3, 2), "삼일절 대체 휴일"),
        (date(2026, 5, 25), "부처님오신날 대체 휴일"),
        (date(2027, 2, 9), "설날 대체 휴일"),  # Seollal 2027-02-07 is a Sunday
        (date(2026, 9, 28), None),
        (date(2026, 9, 21), None),
    ],
)
def test_given_date_when_korean_holiday_then_korean_name_or_none(day: date, name: str | None) -> None:
    assert korean_holiday(day) == name


def test_given_datetime_when_korean_holiday_then_its_date_is_used() -> None:
    assert korean_holiday(datetime(2026, 9, 25, 23, 30)) == "추석"


# --- naive and aware datetimes ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("when", "outcome"),
    [
        (datetime(2026, 9, 21, 10, 0), "open"),  # naive: Seoul wall clock
        (datetime(2026, 9, 21, 10, 0, tzinfo=SEOUL), "open"),
        (datetime(2026, 9, 21, 1, 0, tzinfo=UTC), "open"),  # 10:00 in Seoul
        (datetime(2026, 9, 21, 10, 0, tzinfo=UTC), "closed"),  # 19:00 in Seoul
        (datetime(2026, 9, 23, 15, 30, tzinfo=UTC), "holiday"),  # 00:30 on Chuseok eve
        (datetime(2026, 9, 20, 21, 0, tzinfo=ZoneInfo("America/New_York")), "open"),  # Mon 10:00 Seoul
    ],
    ids=[
        "naive",
        "aware-seoul",
        "aware-utc-open",
        "aware-utc-evening",
        "aware-utc-next-day",
        "aware-new-york",
    ],
)
def test_given_naive_or_aware_datetime_when_decide_then_seoul_time_decides(
    when: datetime, outcome: str
) -> None:
    assert HOTLINE.decide(when).outcome == outcome


def test_given_other_timezone_when_decide_naive_then_naive_is_in_that_timezone() -> None:
    schedule = Schedule.from_mapping({"hours": {"daily": "09:00-18:00"}, "holidays": "none"}, "Europe/Paris")
    assert schedule.decide(datetime(2026, 9, 21, 10)).outcome == "open"
    assert schedule.decide(datetime(2026, 9, 21, 10, tzinfo=SEOUL)).outcome == "closed"  # 03:00 Paris


# --- all day, next opening -------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["24h", "00:00-24:00", "24H"])
def test_given_all_day_hours_when_decide_at_any_time_then_open(text: str) -> None:
    schedule = Schedule.from_mapping({"hours": {"daily": text}, "holidays": "none"})
    for moment in (time(0), time(12), time(23, 59, 59, 999999)):
        assert schedule.decide(datetime.combine(date(2026, 9, 21), moment)).outcome == "open"
    assert schedule.decide(datetime(2026, 9, 21)).reason == "open until 24:00"


@pytest.mark.parametrize(
    ("when", "expected"),
    [
        (datetime(2026, 9, 21, 10), datetime(2026, 9, 21, 10, tzinfo=SEOUL)),
        (datetime(2026, 9, 21, 12, 15), datetime(2026, 9, 21, 13, tzinfo=SEOUL)),
        (datetime(2026, 9, 23, 8), datetime(2026, 9, 25, 10, tzinfo=SEOUL)),
        (datetime(2026, 9, 25, 14), datetime(2026, 9, 28, 9, tzinfo=SEOUL)),
    ],
    ids=["open-now", "after-lunch", "over-exception-and-holiday", "over-weekend"],
)
def test_given_moment_when_next_opening_then_first_open_moment(when: datetime, expected: datetime) -> None:
    assert HOTLINE.next_opening(when) == expected


def test_given_never_open_when_next_opening_then_none() -> None:
    assert Schedule({}, public_holidays=False).next_opening(datetime(2026, 9, 21)) is None


MONDAY_HOUR: dict[int, Hours] = {0: ((time(9), time(10)),)}


@pytest.mark.parametrize(
    ("closed_days", "reason"),
    [
        ([], "after hours (opens Monday 2026-09-28 09:00)"),
        # 2026-10-05 is a substitute holiday (개천절 대체 휴일), so the next Monday after the closed day.
        ([date(2026, 9, 28)], "after hours (opens Monday 2026-10-12 09:00)"),
        (
            [date(2026, 9, 21) + timedelta(weeks=w) for w in range(1, 6)],
            "after hours (nothing opens in the next 31 days)",
        ),
    ],
    ids=["next-week", "skips-closed-day-and-substitute-holiday", "nothing-within-31-days"],
)
def test_given_one_hour_on_mondays_when_decide_after_it_then_reason_names_next_opening(
    closed_days: list[date], reason: str
) -> None:
    schedule = Schedule(MONDAY_HOUR, closed_days=frozenset(closed_days))
    assert schedule.decide(datetime(2026, 9, 21, 11)) == Decision("closed", reason)


def test_given_closed_day_when_hours_on_then_no_hours() -> None:
    assert HOTLINE.hours_on(date(2026, 9, 24)) == ()
    assert HOTLINE.hours_on(date(2026, 9, 25)) == ((time(10), time(14)),)


# --- parse_hours -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("09:00-18:00", ((time(9), time(18)),)),
        ("09:00-12:00, 13:00-18:00", ((time(9), time(12)), (time(13), time(18)))),
        ("13:00-18:00,09:00-12:00", ((time(9), time(12)), (time(13), time(18)))),
        ("09:00-12:00, 12:00-18:00", ((time(9), time(12)), (time(12), time(18)))),
        ("9:00 ~ 18:00", ((time(9), time(18)),)),
        ("closed", ()),
        (" Closed ", ()),
        ("24h", ((time(0), END_OF_DAY),)),
        ("00:00-24:00", ((time(0), END_OF_DAY),)),
        ("18:00-24:00", ((time(18), END_OF_DAY),)),
    ],
)
def test_given_hours_text_when_parse_hours_then_sorted_intervals(
    text: str, expected: tuple[object, ...]
) -> None:
    assert parse_hours(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("9시-18시", "'9시-18시': use HH:MM-HH:MM, for example 09:00-18:00, closed or 24h"),
        ("", "'': use HH:MM-HH:MM, for example 09:00-18:00, closed or 24h"),
        ("09:00", "'09:00': use HH:MM-HH:MM, for example 09:00-18:00, closed or 24h"),
        ("closed, 09:00-12:00", "'closed': use HH:MM-HH:MM, for example 09:00-18:00, closed or 24h"),
        ("18:00-09:00", "'18:00-09:00': the end must be after the start"),
        ("09:00-09:00", "'09:00-09:00': the end must be after the start"),
        ("09:00-25:00", "'09:00-25:00': 25:00 is not a time of day (00:00 to 24:00)"),
        ("09:60-18:00", "'09:60-18:00': 09:60 is not a time of day (00:00 to 24:00)"),
        ("24:00-01:00", "'24:00-01:00': 24:00 can only end an interval"),
        ("09:00-24:30", "'09:00-24:30': 24:30 is not a time of day (00:00 to 24:00)"),
        ("09:00-13:00, 12:00-18:00", "'09:00-13:00, 12:00-18:00': 09:00-13:00 and 12:00-18:00 overlap"),
        ("09:00-18:00, 10:00-11:00", "'09:00-18:00, 10:00-11:00': 09:00-18:00 and 10:00-11:00 overlap"),
    ],
)
def test_given_bad_hours_when_parse_hours_then_admin_readable_error(text: str, message: str) -> None:
    with pytest.raises(ValueError) as caught:
        parse_hours(text)
    assert str(caught.value) == message


# --- parse_days ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("mon", {0}),
        ("sun", {6}),
        ("mon-fri", {0, 1, 2, 3, 4}),
        ("sat,sun", {5, 6}),
        ("mon-wed, fri", {0, 1, 2, 4}),
        ("Sat", {5}),
        ("daily", set(range(7))),
        ("sat-sat", {5}),
    ],
)
def test_given_day_key_when_parse_days_then_weekday_numbers(key: str, expected: set[int]) -> None:
    assert parse_days(key) == frozenset(expected)


KNOWN_DAYS = "Known days: mon..sun, daily, a range (mon-fri) or a list (sat,sun)"


@pytest.mark.parametrize(
    ("key", "message"),
    [
        ("mnday", f"'mnday': unknown day, did you mean 'mon'? {KNOWN_DAYS}"),
        ("monday", f"'monday': unknown day, did you mean 'mon'? {KNOWN_DAYS}"),
        ("tues", f"'tues': unknown day, did you mean 'tue'? {KNOWN_DAYS}"),
        ("thrusday", f"'thrusday': unknown day, did you mean 'thu'? {KNOWN_DAYS}"),
        ("dayly", f"'dayly': unknown day, did you mean 'daily'? {KNOWN_DAYS}"),
        ("mon-fir", f"'fir': unknown day, did you mean 'fri'? {KNOWN_DAYS}"),
        ("월요일", f"'월요일': unknown day. {KNOWN_DAYS}"),
        ("fri-mon", "'fri-mon': a range runs from Monday towards Sunday; write it as two parts"),
        ("mon-fri,wed", "'mon-fri,wed': wed is given twice"),
    ],
)
def test_given_bad_day_key_when_parse_days_then_error_with_hint(key: str, message: str) -> None:
    with pytest.raises(ValueError) as caught:
        parse_days(key)
    assert str(caught.value) == message


# --- from_mapping errors ---------------------------------------------------------------------------


def errors_of(data: dict[str, Any], timezone: str = "Asia/Seoul") -> list[tuple[tuple[str | int, ...], str]]:
    with pytest.raises(ScheduleErrors) as caught:
        Schedule.from_mapping(data, timezone)
    return [(e.key, e.message) for e in caught.value.errors]


WEEKDAYS = {"mon-fri": "09:00-18:00"}


@pytest.mark.parametrize(
    ("data", "key", "message"),
    [
        (
            {"hours": {"mon-fri": "9시-18시"}},
            ("hours", "mon-fri"),
            "'9시-18시': use HH:MM-HH:MM, for example 09:00-18:00, closed or 24h",
        ),
        (
            {"hours": {"mon-fri": "18:00-09:00"}},
            ("hours", "mon-fri"),
            "'18:00-09:00': the end must be after the start",
        ),
        (
            {"hours": {"mon-fri": "09:00-13:00, 12:00-18:00"}},
            ("hours", "mon-fri"),
            "'09:00-13:00, 12:00-18:00': 09:00-13:00 and 12:00-18:00 overlap",
        ),
        (
            {"hours": {"mon-fri": "09:00-18:00", "mnday": "closed"}},
            ("hours", "mnday"),
            f"'mnday': unknown day, did you mean 'mon'? {KNOWN_DAYS}",
        ),
        (
            {"hours": {"mon-fri": "09:00-18:00", "fri,sat": "09:00-13:00"}},
            ("hours", "fri,sat"),
            "fri already given by 'mon-fri'",
        ),
        (
            {"hours": {"mon-wed": "09:00-18:00", "thu": "09:00-18:00", "daily": "closed"}},
            ("hours", "daily"),
            "mon, tue, wed, thu already given by 'mon-wed', 'thu'",
        ),
        (
            {"hours": {"mon": None}},
            ("hours", "mon"),
            "'None': expected text such as 09:00-18:00, closed or 24h",
        ),
        ({"hours": {1: "09:00-18:00"}}, ("hours", "1"), "'1': a day key is text such as mon-fri"),
        ({}, ("hours",), "missing: give hours per day, e.g. mon-fri: 09:00-18:00"),
        ({"hours": "09:00-18:00"}, ("hours",), "expected days and their hours, e.g. mon-fri: 09:00-18:00"),
        (
            {"hours": WEEKDAYS, "holidays": "yes"},
            ("holidays",),
            "'yes': use kr (closed on Korean public holidays) or none",
        ),
        (
            {"hours": WEEKDAYS, "holidays": False},
            ("holidays",),
            "'False': use kr (closed on Korean public holidays) or none",
        ),
        (
            {"hours": WEEKDAYS, "closed_days": ["2026-02-30"]},
            ("closed_days", 0),
            "'2026-02-30': not a date, use YYYY-MM-DD, for example 2026-12-31",
        ),
        (
            {"hours": WEEKDAYS, "closed_days": "2026-05-15"},
            ("closed_days",),
            "expected a list of dates, e.g. [2026-05-15]",
        ),
        (
            {"hours": WEEKDAYS, "closed_days": [datetime(2026, 5, 15, 9)]},
            ("closed_days", 0),
            "'2026-05-15 09:00:00': give a date without a time, for example 2026-12-31",
        ),
        (
            {"hours": WEEKDAYS, "exceptions": {"2026-13-01": "closed"}},
            ("exceptions", "2026-13-01"),
            "'2026-13-01': not a date, use YYYY-MM-DD, for example 2026-12-31",
        ),
        (
            {"hours": WEEKDAYS, "exceptions": {"20261231": "closed"}},
            ("exceptions", "20261231"),
            "'20261231': not a date, use YYYY-MM-DD, for example 2026-12-31",
        ),
        (
            {"hours": WEEKDAYS, "exceptions": {"2026-12-31": "16:00-09:00"}},
            ("exceptions", "2026-12-31"),
            "'16:00-09:00': the end must be after the start",
        ),
        (
            {"hours": WEEKDAYS, "exceptions": {date(2026, 12, 31): "closed", "2026-12-31": "closed"}},
            ("exceptions", "2026-12-31"),
            "'2026-12-31' is given twice",
        ),
        (
            {"hours": WEEKDAYS, "exceptions": ["2026-12-31"]},
            ("exceptions",),
            "expected a mapping of dates to hours",
        ),
        (
            {"hours": WEEKDAYS, "holiday": "kr"},
            ("holiday",),
            "unknown key, did you mean 'holidays'? Known keys: hours, holidays, closed_days, exceptions",
        ),
    ],
)
def test_given_bad_mapping_when_from_mapping_then_one_error_with_its_key(
    data: dict[str, Any], key: tuple[str | int, ...], message: str
) -> None:
    assert errors_of(data) == [(key, message)]


def test_given_unknown_timezone_when_from_mapping_then_error_names_timezone() -> None:
    assert errors_of({"hours": WEEKDAYS}, "Asia/Jeonju") == [
        (("timezone",), "'Asia/Jeonju' is not a known time zone")
    ]


def test_given_several_mistakes_when_from_mapping_then_all_are_collected_with_their_keys() -> None:
    data = {
        "hours": {"mon-fri": "18:00-09:00", "fri": "09:00-12:00", "sunday": "closed"},
        "holidays": "kr",
        "closed_days": ["2026-05-15", "2026-05-32"],
        "exceptions": {"2026-13-01": "closed", "2026-12-31": "9-16"},
    }
    with pytest.raises(ScheduleErrors) as caught:
        Schedule.from_mapping(data)
    assert [e.key for e in caught.value.errors] == [
        ("hours", "mon-fri"),
        ("hours", "fri"),
        ("hours", "sunday"),
        ("closed_days", 1),
        ("exceptions", "2026-13-01"),
        ("exceptions", "2026-12-31"),
    ]
    assert all(isinstance(e, ScheduleError) and isinstance(e, ValueError) for e in caught.value.errors)
    assert isinstance(caught.value, ValueError)
    lines = str(caught.value).splitlines()
    assert lines[0] == "hours.mon-fri: '18:00-09:00': the end must be after the start"
    assert lines[3] == "closed_days[1]: '2026-05-32': not a date, use YYYY-MM-DD, for example 2026-12-31"
    assert len(lines) == 6


@pytest.mark.parametrize(
    ("key", "text"),
    [
        (("hours", "mon-fri"), "hours.mon-fri"),
        (("closed_days", 2), "closed_days[2]"),
        (("exceptions", "2026-13-01"), "exceptions.2026-13-01"),
        (("timezone",), "timezone"),
    ],
)
def test_given_key_path_when_format_key_then_yaml_like_path(key: tuple[str | int, ...], text: str) -> None:
    assert format_key(key) == text


def test_given_closed_spelled_or_missing_when_from_mapping_then_same_schedule() -> None:
    spelled = Schedule.from_mapping({"hours": {"mon-fri": "09:00-18:00", "sat,sun": "closed"}})
    missing = Schedule.from_mapping({"hours": {"mon-fri": "09:00-18:00"}})
    assert spelled == missing


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"weekly": {7: ()}}, "weekly: [7] are not weekdays (Monday=0 .. Sunday=6)"),
        ({"weekly": {}, "timezone": "Mars/Olympus"}, "timezone: 'Mars/Olympus' is not a known time zone"),
    ],
)
def test_given_bad_values_when_schedule_constructed_then_value_error(
    kwargs: dict[str, Any], message: str
) -> None:
    with pytest.raises(ValueError) as caught:
        Schedule(**kwargs)
    assert str(caught.value) == message


# --- impossible: soft warnings ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "today", "warnings"),
    [
        ({"hours": {"mon-fri": "09:00-18:00"}}, None, []),
        (
            {"hours": {"daily": "closed"}},
            None,
            ["never open: no day of the week has hours, every caller hears the closed message"],
        ),
        (
            {"hours": {"sat,sun": "10:00-14:00"}},
            None,
            ["closed Monday to Friday: the center only opens at weekends"],
        ),
        (
            {"hours": WEEKDAYS, "closed_days": ["2026-05-15"], "exceptions": {"2026-05-15": "09:00-12:00"}},
            None,
            ["2026-05-15 is both a closed day and an exception; the exception wins"],
        ),
        (
            {"hours": WEEKDAYS, "closed_days": ["2026-09-25", "2026-09-27"]},
            None,
            [
                "closed day 2026-09-25 is already a public holiday (추석)",
                "closed day 2026-09-27 is a Sunday, closed anyway",
            ],
        ),
        (
            {"hours": WEEKDAYS, "holidays": "none", "closed_days": ["2026-09-25"]},
            None,
            [],
        ),
        (
            {"hours": WEEKDAYS, "closed_days": ["2026-05-15"], "exceptions": {"2026-12-31": "closed"}},
            date(2026, 6, 1),
            ["2026-05-15 is in the past and can be removed"],
        ),
    ],
    ids=[
        "fine",
        "never-open",
        "weekends-only",
        "closed-day-and-exception",
        "redundant",
        "holidays-off",
        "stale",
    ],
)
def test_given_schedule_when_impossible_then_soft_warnings(
    data: dict[str, Any], today: date | None, warnings: list[str]
) -> None:
    assert impossible(Schedule.from_mapping(data), today) == warnings
