"""Counselor key codes: *9 and nothing else by accident."""

from __future__ import annotations

import pytest

from ivr.acd.keycodes import KeyCodes


def keyed(presses: list[tuple[float, str]]) -> list[str]:
    codes = KeyCodes()
    return [c for t, k in presses if (c := codes.feed(k, t)) is not None]


@pytest.mark.parametrize(
    ("presses", "commands"),
    [
        ([(0, "*"), (0.3, "9")], ["abuse"]),
        ([(0, "*"), (0.3, "9"), (5, "*"), (5.2, "9")], ["abuse", "abuse"]),
        ([(0, "9")], []),  # no star: a digit for the caller
        ([(0, "*"), (3.5, "9")], []),  # too slow: the star was stray
        ([(0, "*"), (0.2, "*"), (0.4, "9")], ["abuse"]),  # a doubled star starts over
        ([(0, "*"), (0.2, "1"), (0.4, "9")], []),  # *1 is no code; the 9 alone is nothing
        ([(0, "*"), (0.2, "4"), (0.4, "0")], []),  # there is no department 0
        ([(0, "1"), (0.1, "*"), (0.2, "9"), (0.3, "9")], ["abuse"]),
        ([(0, "*"), (0.3, "4"), (0.6, "2")], ["blind:2"]),
        ([(0, "*"), (0.3, "5"), (0.6, "1"), (9, "*"), (9.2, "6")], ["consult:1", "complete"]),
        ([(0, "*"), (0.3, "5"), (0.6, "1"), (9, "*"), (9.2, "7")], ["consult:1", "return"]),
        ([(0, "*"), (0.3, "4"), (5, "2")], []),  # the department digit came too late
        ([(0, "*"), (0.2, "8"), (0.4, "1")], ["harassment"]),
        ([(0, "*"), (0.2, "8"), (0.4, "2")], ["superior"]),
        ([(0, "*"), (0.2, "8"), (0.4, "3"), (1, "*"), (1.2, "8"), (1.4, "3")], ["repeated", "repeated"]),
        ([(0, "*"), (0.2, "8"), (0.4, "9")], []),  # *89 is no ending
        ([(0, "*"), (0.2, "8"), (4, "1")], []),  # the situation digit came too late
    ],
)
def test_codes(presses: list[tuple[float, str]], commands: list[str]) -> None:
    assert keyed(presses) == commands
