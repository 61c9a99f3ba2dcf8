"""A counselor's own requests (desk buttons and phone feature codes share these)."""

from __future__ import annotations

import pytest

from ivr.acd.actions import Action, CounselorActions
from ivr.acd.counselor_model import Counselor, CounselorRules, Event, PauseReason
from ivr.acd.dispatcher import Dispatcher
from ivr.acd.routing import QueueConfig


class Clock:
    t = 10.0

    def __call__(self) -> float:
        return self.t


def desk() -> tuple[CounselorActions, Dispatcher, Clock]:
    clock = Clock()
    acd = Dispatcher(
        [Counselor("c1", skills={"general": 1})],
        [QueueConfig("general")],
        CounselorRules(wrap_up_seconds=30, wrap_up_extension_seconds=60, max_wrap_up_seconds=90),
        clock,
    )
    return CounselorActions(acd), acd, clock


def test_log_in_pause_with_a_reason_unpause_log_out() -> None:
    actions, acd, _ = desk()
    assert actions.request("c1", Action.LOGIN).state == "available"
    paused = actions.request("c1", Action.PAUSE, PauseReason.MEAL)
    assert (paused.ok, paused.state) == (True, "paused")
    assert acd.counselors["c1"].pause_reason is PauseReason.MEAL
    assert actions.request("c1", Action.UNPAUSE).state == "available"
    assert actions.request("c1", Action.LOGOUT).state == "logged_out"


def test_a_request_the_state_does_not_allow_is_refused_in_korean_and_changes_nothing() -> None:
    actions, acd, _ = desk()
    result = actions.request("c1", Action.UNPAUSE)
    assert not result.ok
    assert result.state == "logged_out"
    assert "로그아웃" in result.message_ko
    assert "unpause" in result.message_en
    assert acd.state("c1").value == "logged_out"


@pytest.mark.parametrize("reason", [None, PauseReason.COOLDOWN, PauseReason.MISSED_CALLS])
def test_counselors_choose_only_their_own_pause_reasons(reason: PauseReason | None) -> None:
    actions, acd, _ = desk()
    actions.request("c1", Action.LOGIN)
    result = actions.request("c1", Action.PAUSE, reason)
    assert not result.ok and result.state == "available"
    assert "사유" in result.message_ko
    assert acd.counselors["c1"].pause_reason is None


def test_a_pause_asked_for_during_a_call_waits_for_the_call_to_end() -> None:
    actions, acd, _ = desk()
    actions.request("c1", Action.LOGIN)
    acd.apply("c1", Event.offer("call-1"))
    acd.apply("c1", Event.answer("call-1"))
    result = actions.request("c1", Action.PAUSE, PauseReason.BREAK)
    assert result.ok and result.state == "on_call"
    assert result.pending == "pause(break)"
    assert "통화가 끝나면" in result.message_ko


def test_wrap_up_extends_until_its_limit() -> None:
    actions, acd, _ = desk()
    actions.request("c1", Action.LOGIN)
    acd.apply("c1", Event.offer("call-1"))
    acd.apply("c1", Event.answer("call-1"))
    acd.apply("c1", Event.hangup())
    assert actions.request("c1", Action.EXTEND_WRAP_UP).ok  # 30 s -> 90 s, the limit
    refused = actions.request("c1", Action.EXTEND_WRAP_UP)
    assert not refused.ok and refused.state == "wrap_up"
    assert "후처리" in refused.message_ko


def test_an_unknown_counselor_is_a_programming_error() -> None:
    actions, _, _ = desk()
    with pytest.raises(KeyError):
        actions.request("c9", Action.LOGIN)
