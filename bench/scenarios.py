"""The call shapes: IVR only, queue and connect, surge; and the loads they run with by default."""

from __future__ import annotations

from dataclasses import dataclass

# Digits go this long after a prompt's last sample, so they fall in silence
# even when a prompt starts a little late.
DIGIT_GAP_MS = 800
_TONE_MS = 200  # a digit's tone and its end packets (bench/dtmf.py)


@dataclass(frozen=True)
class Shares:
    """Who does what in a mixed load (the soak), as probabilities per call."""

    hang_up_in_menus: float  # hang up during the greeting or the first menu
    self_service: float  # of the rest: press 1 then 9 (goodbye), no counselor
    hang_up_after_digits: float  # of those who want a counselor: hang up waiting, ringing or talking


@dataclass(frozen=True)
class Scenario:
    """A call shape and its default load."""

    name: str
    about: str
    digits: str  # the two menu digits: "1" then "9" (goodbye) or "0" (counselor)
    counselors: bool
    calls: int
    rate: float
    concurrent: int
    talk_ms: tuple[int, int] = (10000, 20000)
    shares: Shares | None = None


SCENARIOS = {
    s.name: s
    for s in (
        Scenario("ivr", "greeting, two menu digits, goodbye; no counselor", "19", False, 50, 5, 20),
        Scenario("queue", "greeting, two digits, wait, connect, talk, goodbye", "10", True, 40, 1, 30),
        Scenario(
            "surge",
            "a burst of callers at once, most of them waiting",
            "10",
            True,
            30,
            10,
            30,
            (10000, 15000),
        ),
        Scenario(
            "soak",
            "a long mixed load: early hangups at random times, self-service, counselors",
            "10",
            True,
            10000,
            5,
            200,
            (10000, 20000),
            Shares(hang_up_in_menus=0.1, self_service=0.4, hang_up_after_digits=0.3),
        ),
    )
}


def digit_times(greeting_s: float, menu_s: float, topic_s: float) -> tuple[int, int]:
    """When (ms after the answer) a caller presses the first and the second digit."""
    first = round((greeting_s + menu_s) * 1000) + DIGIT_GAP_MS
    second = first + _TONE_MS + round(topic_s * 1000) + DIGIT_GAP_MS
    return first, second
