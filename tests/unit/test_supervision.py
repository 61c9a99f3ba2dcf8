"""Supervisors' codes: *31NN listen, *32NN whisper, *33NN barge."""

from __future__ import annotations

import pytest

from ivr.acd.supervision import Mode, parse

TEAM = ["c1", "c2", "c3"]


@pytest.mark.parametrize(
    ("dialed", "expected"),
    [
        ("*3101", (Mode.LISTEN, "c1")),
        ("*3203", (Mode.WHISPER, "c3")),
        ("*3302", (Mode.BARGE, "c2")),
        ("*3104", None),  # only three counselors
        ("*3100", None),
        ("*3401", None),  # no such mode
        ("*311", None),
        ("*31ab", None),
    ],
)
def test_codes(dialed: str, expected: tuple[Mode, str] | None) -> None:
    assert parse(dialed, TEAM) == expected
