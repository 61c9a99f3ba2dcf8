"""Counselors' phone feature codes: the desk's state buttons, from the keypad.

*21 log in · *22 log out · *23 pause (*23 then 1 break, 2 meal, 3 training,
4 admin work; *23 alone is a break) · *24 back from a pause · *25 more
wrap-up time. They go through the same `CounselorActions` as the web desk.
"""

from __future__ import annotations

from ivr.acd.actions import Action, ActionResult
from ivr.acd.counselor_model import PauseReason
from ivr.protection.situations import Situation

PAUSE_DIGITS = {
    "1": PauseReason.BREAK,
    "2": PauseReason.MEAL,
    "3": PauseReason.TRAINING,
    "4": PauseReason.ADMIN,
}
_CODES = {"*21": Action.LOGIN, "*22": Action.LOGOUT, "*24": Action.UNPAUSE, "*25": Action.EXTEND_WRAP_UP}


def parse(dialed: str) -> tuple[Action, PauseReason | None] | None:
    """The request a dialed code stands for, or None for no such code."""
    if dialed in _CODES:
        return _CODES[dialed], None
    if dialed == "*23":
        return Action.PAUSE, PauseReason.BREAK
    if len(dialed) == 4 and dialed.startswith("*23") and dialed[3] in PAUSE_DIGITS:
        return Action.PAUSE, PAUSE_DIGITS[dialed[3]]
    return None


# The protection endings, keyed as a call of their own rather than during one.
IN_CALL_ONLY = frozenset(s.code for s in Situation)


def spoken(action: Action | None, result: ActionResult | None, dialed: str = "") -> str:
    """The system prompt (ivr/prompts/catalog.py) that tells the counselor how it went."""
    if action is None and dialed in IN_CALL_ONLY:
        return "desk-not-on-call"
    if action is None or result is None:
        return "desk-unknown"
    if not result.ok:
        return "desk-refused"
    if result.pending:
        return "desk-pending"
    return {
        Action.LOGIN: "desk-logged-in",
        Action.LOGOUT: "desk-logged-out",
        Action.PAUSE: "desk-paused",
        Action.UNPAUSE: "desk-unpaused",
        Action.EXTEND_WRAP_UP: "desk-wrap-up-extended",
        Action.READY: "desk-unpaused",  # the desk's 지금 상담 가능 (no phone code): available again
    }[action]
