"""Erlang C against a published worked example, and the edges of the formula."""

from __future__ import annotations

import math

import pytest

from ivr.reports import erlang


def test_the_call_centre_helper_worked_example() -> None:
    """Call Centre Helper, "Erlang C Formula – Made Simple With an Easy Worked Example"
    (callcentrehelper.com): 100 calls in 30 minutes (200 an hour), average handling time
    180 s, target 80 % answered within 20 s. Its numbers: traffic intensity A = 10 erlangs;
    with N = 11 agents the probability a call waits is 68.21 %, the service level 39 %,
    the average speed of answer 122.8 s and occupancy 90.91 %; raising N, 14 agents are the
    first to reach the target (88.84 %) before shrinkage.
    """
    a = erlang.traffic(200, 180)
    assert a == pytest.approx(10.0)
    assert erlang.wait_probability(a, 11) == pytest.approx(0.6821, abs=5e-5)
    assert erlang.service_level(a, 11, 180, 20) == pytest.approx(0.39, abs=5e-3)
    assert erlang.average_answer(a, 11, 180) == pytest.approx(122.8, abs=0.05)
    # 13 agents fall just short (79.6 %), 14 meet it.
    assert erlang.service_level(a, 13, 180, 20) < 0.8
    advice = erlang.counselors_needed(200, 180, 20, 0.8)
    assert advice.counselors == 14
    assert advice.service_level == pytest.approx(0.8884, abs=5e-5)
    assert advice.occupancy == pytest.approx(10 / 14)


def test_too_few_counselors_never_catch_up() -> None:
    assert erlang.wait_probability(10, 10) == 1.0
    assert erlang.service_level(10, 9, 180, 20) == 0.0
    assert math.isinf(erlang.average_answer(10, 10, 180))


def test_no_calls_need_nobody() -> None:
    advice = erlang.counselors_needed(0, 180, 20, 0.8)
    assert (advice.counselors, advice.service_level) == (0, 1.0)


def test_large_traffic_does_not_overflow() -> None:
    # 500 erlangs: A^N and N! alone overflow a float; the running term does not.
    advice = erlang.counselors_needed(10_000, 180, 20, 0.8)
    assert 500 < advice.counselors < 530
    assert 0.8 <= advice.service_level < 0.85


def test_negative_inputs_are_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        erlang.counselors_needed(-1, 180, 20, 0.8)
