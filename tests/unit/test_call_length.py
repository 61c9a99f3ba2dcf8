"""The call-length timer: every pair of its transition table, and each case of
the limit, with times given (the injected clock), never slept."""

from __future__ import annotations

import itertools

import pytest

from ivr.protection.call_length import (
    TRANSITIONS,
    CallLengthTimer,
    LengthLimit,
    LimitRefused,
    Phase,
    Step,
    move,
)

LIMIT = LengthLimit(warn_after=15 * 60, end_after=20 * 60, extend_by=10 * 60)


@pytest.mark.parametrize(("phase", "step"), list(itertools.product(Phase, Step)))
def test_every_pair_of_the_table_moves_or_is_refused(phase: Phase, step: Step) -> None:
    if (phase, step) in TRANSITIONS:
        assert move(phase, step) is TRANSITIONS[(phase, step)]
    else:
        with pytest.raises(LimitRefused):
            move(phase, step)


def test_given_15_and_20_minutes_then_the_notice_at_15_and_the_end_at_20() -> None:
    timer = CallLengthTimer(LIMIT, started=100.0)
    assert timer.next_deadline() == 100 + 900
    assert timer.due(100 + 899) is None
    assert timer.remaining(100 + 899) == 301
    assert timer.due(100 + 900) is Step.WARN_DUE
    assert timer.phase is Phase.WARNED
    assert timer.due(100 + 900) is None  # the notice is due once
    assert timer.next_deadline() == 100 + 1200
    assert timer.due(100 + 1200) is Step.END_DUE
    assert (timer.phase, timer.next_deadline(), timer.remaining(1300)) == (Phase.ENDED, None, None)


def test_given_a_late_wake_then_the_notice_and_the_end_are_both_due() -> None:
    timer = CallLengthTimer(LIMIT, started=0.0)
    assert [timer.due(5000), timer.due(5000), timer.due(5000)] == [Step.WARN_DUE, Step.END_DUE, None]


def test_given_no_limit_then_nothing_is_ever_due() -> None:
    timer = CallLengthTimer(LengthLimit(), started=0.0)
    assert (timer.phase, timer.next_deadline(), timer.due(10**6), timer.remaining(0)) == (
        Phase.EXEMPT,
        None,
        None,
        None,
    )
    with pytest.raises(LimitRefused):
        timer.extend("still talking")


def test_given_only_an_end_then_the_call_ends_without_a_notice() -> None:
    timer = CallLengthTimer(LengthLimit(end_after=60), started=0.0)
    assert timer.next_deadline() == 60
    assert timer.due(60) is Step.END_DUE


def test_given_only_a_notice_then_the_call_is_never_cut() -> None:
    timer = CallLengthTimer(LengthLimit(warn_after=60), started=0.0)
    assert timer.due(60) is Step.WARN_DUE
    assert (timer.next_deadline(), timer.due(10**6), timer.remaining(61)) == (None, None, None)


def test_an_extension_after_the_notice_moves_the_end_and_a_fresh_notice_comes_first() -> None:
    timer = CallLengthTimer(LIMIT, started=0.0)
    assert timer.due(900) is Step.WARN_DUE
    assert timer.extend("  주소 확인 중  ") == 600
    assert (timer.phase, timer.extended_reason) == (Phase.COUNTING, "주소 확인 중")
    assert timer.remaining(1000) == 1800 - 1000
    assert timer.due(1200) is None  # the old end passes
    assert timer.due(1500) is Step.WARN_DUE
    assert timer.due(1800) is Step.END_DUE


def test_an_extension_needs_a_reason_and_comes_once() -> None:
    timer = CallLengthTimer(LIMIT, started=0.0)
    with pytest.raises(LimitRefused) as no_reason:
        timer.extend("   ")
    assert no_reason.value.message_ko == "연장 사유를 입력해 주십시오."
    assert timer.extended_reason is None  # nothing half-applied
    timer.extend("민원 접수 중")
    with pytest.raises(LimitRefused) as twice:
        timer.extend("한 번 더")
    assert "once" in twice.value.message_en
    assert timer.next_deadline() == 900 + 600


def test_an_ended_call_cannot_be_extended() -> None:
    timer = CallLengthTimer(LIMIT, started=0.0)
    timer.due(2000)
    timer.due(2000)
    with pytest.raises(LimitRefused):
        timer.extend("too late")


@pytest.mark.parametrize("at", [0.0, 950.0])
def test_a_supervisor_joining_or_an_exempt_topic_stops_the_limit(at: float) -> None:
    timer = CallLengthTimer(LIMIT, started=0.0)
    timer.due(at)
    assert timer.exempt("supervisor") is True
    assert (timer.phase, timer.exempt_why, timer.next_deadline()) == (Phase.EXEMPT, "supervisor", None)
    assert timer.due(10**6) is None
    assert timer.exempt("topic:welfare") is False  # already exempt: nothing changes
    with pytest.raises(LimitRefused):
        timer.extend("not needed")


@pytest.mark.parametrize(
    ("warn", "end", "extend"), [(-1.0, 10.0, 1.0), (10.0, 10.0, 1.0), (20.0, 10.0, 1.0), (1.0, 10.0, 0.0)]
)
def test_a_bad_limit_is_refused(warn: float, end: float, extend: float) -> None:
    with pytest.raises(ValueError):
        LengthLimit(warn, end, extend)
