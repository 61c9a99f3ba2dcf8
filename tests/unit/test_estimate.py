"""Wait estimates: honest when there is enough data, silent when there is not."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from ivr.acd.counselor_states import Counselor, CounselorState, PauseReason
from ivr.acd.estimate import (
    EstimateSettings,
    HandledCall,
    NoEstimate,
    WaitEstimate,
    announce_minutes,
    assess_wait,
    estimate_wait,
    working_count,
)

S = CounselorState
NOW = 10_000.0
STEADY = [200.0, 280.0] * 15  # 30 calls, mean 240 s, spread about 41 s


def history(handles: list[float], oldest_age: float = 1500.0) -> list[HandledCall]:
    """Calls whose wrap-up ended between `oldest_age` seconds ago and now; wrap-up 30 s each."""
    step = oldest_age / max(1, len(handles))
    return [HandledCall(NOW - oldest_age + i * step, h - 30, 30) for i, h in enumerate(handles)]


def crew(**states: int) -> list[Counselor]:
    """Counselors by state name, e.g. crew(on_call=3, paused=2)."""
    out = []
    for name, count in states.items():
        state = S(name)
        facts: dict[str, Any] = {
            "pause_reason": PauseReason.BREAK if state is S.PAUSED else None,
            "call_id": "call" if state in (S.RESERVED, S.ON_CALL, S.WRAP_UP) else None,
            "wrap_up_until": NOW if state is S.WRAP_UP else None,
        }
        out += [Counselor(f"{name}{i}", {"general": 1}, state=state, **facts) for i in range(count)]
    return out


ELEVEN = crew(available=1, reserved=1, on_call=7, wrap_up=2)


@pytest.mark.parametrize(
    ("position", "counselors", "handles", "minutes"),
    [
        (1, ELEVEN, STEADY, 1),  # 240 / 11 = 22 s: announced as the 1-minute minimum
        (10, ELEVEN, STEADY, 4),  # 2400 / 11 = 218 s
        (30, ELEVEN, STEADY, 11),  # 7200 / 11 = 655 s
        (10, crew(on_call=5, paused=6), STEADY, 8),  # paused counselors serve nobody: 2400 / 5
        (10, crew(wrap_up=5, logged_out=6), STEADY, 8),  # wrap-up counts, logged out does not
        (3, crew(on_call=1), [600.0] * 10, 30),  # no spread: 1800 s exactly
    ],
)
def test_given_enough_recent_calls_and_working_counselors_then_an_estimate_in_whole_minutes(
    position: int, counselors: list[Counselor], handles: list[float], minutes: int
) -> None:
    got = estimate_wait(position, history(handles), counselors, NOW)
    assert got is not None and got.minutes == minutes
    assert got.low_seconds <= got.seconds <= got.high_seconds
    assert got.mean_handle_seconds == pytest.approx(sum(handles) / len(handles))


@pytest.mark.parametrize(
    ("position", "counselors", "calls", "reason"),
    [
        (1, ELEVEN, history(STEADY[:9]), "too-few-samples"),
        (1, ELEVEN, history(STEADY, oldest_age=9000), "too-few-samples"),  # most fell out of the window
        (1, ELEVEN, [], "too-few-samples"),
        (1, crew(paused=5, logged_out=6), history(STEADY), "no-counselor-working"),
        (1, [], history(STEADY), "no-counselor-working"),
        (5, crew(on_call=2), history([60.0] * 9 + [2000.0]), "too-uncertain"),
        (1, ELEVEN, history([60.0] * 9 + [2000.0]), "too-uncertain"),
        (2, crew(on_call=11), history([30.0, 1800.0] * 5), "too-uncertain"),
    ],
)
def test_given_not_enough_to_go_on_then_no_estimate_is_announced(
    position: int, counselors: list[Counselor], calls: list[HandledCall], reason: str
) -> None:
    assert estimate_wait(position, calls, counselors, NOW) is None
    got = assess_wait(position, calls, counselors, NOW)
    assert isinstance(got, NoEstimate) and got.reason == reason and got.detail


def test_given_an_unreachable_phone_then_that_counselor_is_not_working() -> None:
    counselors = [
        Counselor("a", state=S.AVAILABLE, reachable=False),
        Counselor("b", state=S.ON_CALL, call_id="k"),
    ]
    assert working_count(counselors) == 1


def test_given_the_same_caller_asking_again_later_then_recomputed_from_the_window_now() -> None:
    calls = history(STEADY, oldest_age=1500)
    assert estimate_wait(5, calls, ELEVEN, NOW) is not None
    assert estimate_wait(5, calls, ELEVEN, NOW + 1300) is None  # 21 of the 30 calls have left the window
    assert estimate_wait(5, calls, ELEVEN, NOW - 1100) is None  # calls "in the future" are not counted


def test_given_counselors_going_on_break_then_the_estimate_grows() -> None:
    before = estimate_wait(10, history(STEADY), crew(on_call=10), NOW)
    after = estimate_wait(10, history(STEADY), crew(on_call=5, paused=5), NOW)
    assert before is not None and after is not None
    assert (before.minutes, after.minutes) == (4, 8)


def test_given_the_method_then_the_numbers_follow_the_documented_formula() -> None:
    got = assess_wait(10, history(STEADY), ELEVEN, NOW)
    assert isinstance(got, WaitEstimate)
    spread = 40.0 * (30 / 29) ** 0.5  # sample standard deviation of STEADY
    half = 1.2816 * (spread / 11) * (10 + 100 / 30) ** 0.5
    assert got.seconds == pytest.approx(10 * 240 / 11)
    assert (got.low_seconds, got.high_seconds) == pytest.approx((got.seconds - half, got.seconds + half))
    assert (got.position, got.working, got.samples, got.answers_per_hour) == (10, 11, 30, 60.0)


@pytest.mark.parametrize(
    ("seconds", "minutes"),
    [(0, 1), (29, 1), (89.9, 1), (90, 2), (149, 2), (150, 3), (600, 10), (3599, 60)],
)
def test_given_seconds_then_announced_as_whole_minutes_half_up_at_least_one(
    seconds: float, minutes: int
) -> None:
    assert announce_minutes(seconds) == minutes


@pytest.mark.parametrize(
    "build",
    [
        lambda: assess_wait(0, [], ELEVEN, NOW),
        lambda: HandledCall(NOW, -1, 30),
        lambda: EstimateSettings(confidence=0.5),
        lambda: EstimateSettings(min_samples=1),
        lambda: EstimateSettings(window_seconds=0),
    ],
)
def test_given_malformed_input_then_a_value_error(build: Callable[[], object]) -> None:
    with pytest.raises(ValueError):
        build()
