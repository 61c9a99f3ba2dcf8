"""Calling citizens back: the calling window, retries and their limits."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from ivr.calls.callback_plan import (
    AttemptResult,
    CallbackRules,
    after_attempt,
    calling_allowed,
    next_calling_time,
)

KST = timezone(timedelta(hours=9))
RULES = CallbackRules()


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=KST)


@pytest.mark.parametrize(
    ("when", "allowed"),
    [
        ("2026-11-27 09:00", True),  # Friday, opening minute
        ("2026-11-27 08:59", False),
        ("2026-11-27 17:59", True),
        ("2026-11-27 18:00", False),  # the window is [start, end)
        ("2026-11-28 10:00", False),  # Saturday
        ("2026-09-25 10:00", False),  # Chuseok
        ("2026-10-05 10:00", False),  # substitute holiday for 개천절
    ],
)
def test_calling_window(when: str, allowed: bool) -> None:
    assert calling_allowed(at(when), RULES) is allowed


@pytest.mark.parametrize(
    ("when", "next_"),
    [
        ("2026-11-27 10:15", "2026-11-27 10:15"),  # inside: now
        ("2026-11-27 07:30", "2026-11-27 09:00"),  # before opening: today
        ("2026-11-27 18:30", "2026-11-30 09:00"),  # Friday evening: Monday
        ("2026-11-28 11:00", "2026-11-30 09:00"),  # Saturday: Monday
        ("2026-09-23 19:00", "2026-09-28 09:00"),  # into Chuseok (24-26) and a Sunday
    ],
)
def test_next_calling_time(when: str, next_: str) -> None:
    assert next_calling_time(at(when), RULES) == at(next_)


def test_every_day_rules_call_on_weekends_too() -> None:
    rules = CallbackRules(weekdays_only=False)
    assert next_calling_time(at("2026-11-28 11:00"), rules) == at("2026-11-28 11:00")
    assert next_calling_time(at("2026-11-28 20:00"), rules) == at("2026-11-29 09:00")


def test_a_citizen_who_does_not_answer_is_tried_again_later_then_given_up() -> None:
    first = after_attempt(AttemptResult.NO_ANSWER, 1, at("2026-11-27 10:00"), RULES)
    assert (first.event, first.retry_at) == ("retry_due", at("2026-11-27 10:10"))
    late = after_attempt(AttemptResult.BUSY, 2, at("2026-11-27 17:55"), RULES)
    assert (late.event, late.retry_at) == ("retry_due", at("2026-11-30 09:00"))
    assert after_attempt(AttemptResult.NO_ANSWER, 3, at("2026-11-27 10:00"), RULES).event == "gave_up"
    assert after_attempt(AttemptResult.FAILED, 3, at("2026-11-27 10:00"), RULES).event == "gave_up"


def test_a_counselor_who_misses_the_ring_costs_the_citizen_no_attempt() -> None:
    missed = after_attempt(AttemptResult.COUNSELOR_MISSED, 3, at("2026-11-27 10:00"), RULES)
    assert (missed.event, missed.counts) == ("retry_due", False)
    assert after_attempt(AttemptResult.CONNECTED, 1, at("2026-11-27 10:00"), RULES).event == "connected"
