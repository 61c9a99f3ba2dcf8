"""Counselor states -> fallback queue membership -> idempotent AMI actions."""

from __future__ import annotations

import pytest

from ivr.acd.counselor_model import CounselorState, PauseReason
from ivr.ami.members import OUT, Membership, actions_for, changed, membership
from tests.contract.fake_ami import QueueModel

S = CounselorState


@pytest.mark.parametrize(
    ("state", "reason", "want"),
    [
        (S.LOGGED_OUT, None, OUT),
        (S.AVAILABLE, None, Membership(True)),
        (S.RESERVED, None, Membership(True)),
        (S.ON_CALL, None, Membership(True)),
        (S.WRAP_UP, None, Membership(True)),
        (S.PAUSED, PauseReason.MEAL, Membership(True, True, "meal")),
        (S.PAUSED, PauseReason.MISSED_CALLS, Membership(True, True, "missed_calls")),
    ],
)
def test_membership_of_each_state(
    state: CounselorState, reason: PauseReason | None, want: Membership
) -> None:
    assert membership(state, reason) == want


def test_a_logged_out_counselor_is_removed() -> None:
    assert actions_for("c1", "desk-c1", OUT) == [
        {"Action": "QueueRemove", "Queue": "hotline-fallback", "Interface": "PJSIP/desk-c1"}
    ]


def test_a_paused_counselor_is_added_paused_then_paused_with_the_reason() -> None:
    add, pause = actions_for("c1", "desk-c1", Membership(True, True, "break"))
    assert add == {
        "Action": "QueueAdd",
        "Queue": "hotline-fallback",
        "Interface": "PJSIP/desk-c1",
        "MemberName": "c1",
        "StateInterface": "PJSIP/desk-c1",
        "Paused": "true",
    }
    assert pause == {
        "Action": "QueuePause",
        "Queue": "hotline-fallback",
        "Interface": "PJSIP/desk-c1",
        "Paused": "true",
        "Reason": "break",
    }


WANTS = [OUT, Membership(True), Membership(True, True, "meal"), Membership(True, True, "training")]


@pytest.mark.parametrize("start", WANTS, ids=str)
@pytest.mark.parametrize("want", WANTS, ids=str)
def test_from_any_start_the_actions_once_or_twice_end_where_wanted(
    start: Membership, want: Membership
) -> None:
    queue = QueueModel()
    for action in actions_for("c1", "desk-c1", start):
        queue.apply(action)
    expected = {"c1": (want.paused, want.reason or "")} if want.member else {}
    for _ in range(2):  # a re-sent action must do no harm
        for action in actions_for("c1", "desk-c1", want):
            queue.apply(action)
        assert queue.view() == expected


def test_only_changed_counselors_are_sent() -> None:
    before = {"c1": Membership(True), "c2": OUT}
    after = {"c1": Membership(True), "c2": Membership(True), "c3": OUT}
    assert changed(before, after) == ["c2", "c3"]
    assert changed({}, after) == ["c1", "c2", "c3"]
