"""The four situations of the 2019 행정안전부 guidance for public call centers.

Each is an ending a counselor may key on their phone (or press on the desk):
the first press reads a formal warning into the call, a second press of the
same situation reads its closing prompt and ends the call. The situation is
stored with the call (`calls.flagged`), counted against the caller's number
(`caller_strikes.reason`) and gives the counselor a cooldown.
"""

from __future__ import annotations

import enum


class Situation(enum.Enum):
    """Why a counselor ends a call; the value is the stored flag and the command."""

    ABUSE = "abuse"  # 언어폭력: *9, the protection key the hotline always had
    HARASSMENT = "harassment"  # 성희롱
    SUPERIOR = "superior"  # 상급자 통화 요구
    REPEATED = "repeated"  # 반복·장시간 (the same demand, at length)

    @property
    def code(self) -> str:
        """The key sequence on the counselor's phone (ivr/acd/keycodes.py)."""
        return CODES[self]

    @property
    def warning(self) -> str:
        """The system prompt of the warning step (ivr/prompts/catalog.py)."""
        return f"{self.value}-warning"

    @property
    def closing(self) -> str:
        """The system prompt of the end step."""
        return f"{self.value}-closing"

    @property
    def label_ko(self) -> str:
        return LABELS[self][0]

    @property
    def label_en(self) -> str:
        return LABELS[self][1]


# *9 stays what it always was; the other three share *8 and a digit, in the
# guidance's order. No other in-call or desk-phone code starts with *8.
CODES = {
    Situation.ABUSE: "*9",
    Situation.HARASSMENT: "*81",
    Situation.SUPERIOR: "*82",
    Situation.REPEATED: "*83",
}

LABELS = {
    Situation.ABUSE: ("언어폭력", "Verbal abuse"),
    Situation.HARASSMENT: ("성희롱", "Sexual harassment"),
    Situation.SUPERIOR: ("상급자 통화 요구", "Insisting on a superior"),
    Situation.REPEATED: ("반복·장시간", "Repeated demands at length"),
}


def situation_of(flag: str | None) -> Situation | None:
    """The situation a stored flag names, or None (no flag, or another kind)."""
    try:
        return Situation(flag) if flag else None
    except ValueError:
        return None
