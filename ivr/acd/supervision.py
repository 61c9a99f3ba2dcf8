"""Supervisors' codes: listen to, whisper to, or barge into a counselor's call.

*31NN listen (neither side hears the supervisor), *32NN whisper (only the
counselor hears them), *33NN barge (everyone hears everyone). NN is the
counselor's place in config.yaml, 01 for the first.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence


class Mode(enum.Enum):
    LISTEN = "listen"
    WHISPER = "whisper"
    BARGE = "barge"


_MODES = {"1": Mode.LISTEN, "2": Mode.WHISPER, "3": Mode.BARGE}


def parse(dialed: str, counselors: Sequence[str]) -> tuple[Mode, str] | None:
    """(mode, counselor id) for a code such as *3102, or None."""
    if len(dialed) != 5 or not dialed.startswith("*3") or dialed[2] not in _MODES:
        return None
    if not dialed[3:].isdigit():
        return None
    n = int(dialed[3:])
    if not 1 <= n <= len(counselors):
        return None
    return _MODES[dialed[2]], counselors[n - 1]


_DIGITS = {mode: digit for digit, mode in _MODES.items()}


def code(mode: Mode, counselor_id: str, counselors: Sequence[str]) -> str:
    """The code a supervisor would key for this: *31 + the counselor's place (02 for the second).
    The wallboard's buttons ring the supervisor's phone into the very same code."""
    return f"*3{_DIGITS[mode]}{counselors.index(counselor_id) + 1:02d}"
