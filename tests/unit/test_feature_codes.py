"""Feature codes from a counselor's desk phone."""

from __future__ import annotations

import pytest

from ivr.acd.actions import Action, ActionResult
from ivr.acd.counselor_model import PauseReason
from ivr.acd.feature_codes import parse, spoken
from ivr.prompts.catalog import PROMPTS


@pytest.mark.parametrize(
    ("dialed", "expected"),
    [
        ("*21", (Action.LOGIN, None)),
        ("*22", (Action.LOGOUT, None)),
        ("*23", (Action.PAUSE, PauseReason.BREAK)),
        ("*232", (Action.PAUSE, PauseReason.MEAL)),
        ("*234", (Action.PAUSE, PauseReason.ADMIN)),
        ("*24", (Action.UNPAUSE, None)),
        ("*25", (Action.EXTEND_WRAP_UP, None)),
        ("*235", None),  # no such pause reason
        ("*29", None),
        ("2221000", None),
        ("", None),
    ],
)
def test_codes(dialed: str, expected: tuple[Action, PauseReason | None] | None) -> None:
    assert parse(dialed) == expected


def test_every_answer_is_a_prompt_in_korean_and_english() -> None:
    ok = ActionResult(True, "available", None, "", "")
    answers = {spoken(a, ok) for a in Action}
    answers |= {
        spoken(Action.PAUSE, ActionResult(True, "on_call", "pause(break)", "", "")),
        spoken(Action.LOGIN, ActionResult(False, "available", None, "", "")),
        spoken(None, None),
    }
    assert len(answers) == 8
    for name in answers:
        assert set(PROMPTS[name]) == {"ko", "en"}, name


@pytest.mark.parametrize("dialed", ["*9", "*81", "*82", "*83"])
def test_an_ending_dialed_off_a_call_is_told_it_works_only_during_one(dialed: str) -> None:
    assert parse(dialed) is None
    assert spoken(None, None, dialed) == "desk-not-on-call"
    assert "통화 중이 아닙니다" in PROMPTS["desk-not-on-call"]["ko"]
