"""Hearing prompts in what a synthetic caller received: found, silent, missing, cut short."""

from __future__ import annotations

import random

from ivr.rehearsal.audio import ALAW, COUNSELOR, HOLD, ULAW, alaw_frames, check_burst

SILENT = 8.0  # A-law's silence, decoded


def speech(seconds: float, seed: int) -> list[float]:
    """A loudness envelope like speech: syllables of varied loudness, short pauses."""
    rng = random.Random(seed)
    out: list[float] = []
    while len(out) < seconds * 50:
        out += [rng.uniform(800, 6000) for _ in range(rng.randint(6, 14))]
        out += [SILENT] * rng.randint(2, 8)
    return out[: int(seconds * 50)]


GREETING, MENU, INFO = speech(2.0, 1), speech(3.0, 2), speech(4.0, 3)


def problems(received: list[float], expected: list[tuple[str, list[float] | None]]) -> dict[str, str | None]:
    return {h.prompt: h.problem for h in check_burst(received, expected)}


def test_a_law_decodes_silence_and_loudness() -> None:
    assert ALAW[0xD5] == 8 and ALAW[0x55] == -8
    assert alaw_frames(bytes([0xD5]) * 320) == [8.0, 8.0]
    assert alaw_frames(bytes([0xAA]) * 160)[0] > 10000  # near full scale
    assert ULAW[0xFF] == 0 and ULAW[0x7F] == 0 and ULAW[0x00] == -32124 and ULAW[0x80] == 32124


def test_prompts_played_one_after_another_are_each_heard_at_their_length() -> None:
    received = GREETING + [SILENT] * 3 + MENU
    assert problems(received, [("greeting", GREETING), ("menu", MENU)]) == {"greeting": None, "menu": None}


def test_a_prompt_replaced_by_silence_is_named() -> None:
    quiet = [SILENT] * len(INFO)
    found = problems(GREETING + quiet + MENU, [("greeting", GREETING), ("info", quiet), ("menu", MENU)])
    assert found == {
        "greeting": None,
        "info": "heard silence where it plays (energy below silence)",
        "menu": None,
    }


def test_a_prompt_whose_file_is_gone_is_named_and_the_rest_still_found() -> None:
    found = problems(GREETING + MENU, [("greeting", GREETING), ("info", None), ("menu", MENU)])
    assert found == {"greeting": None, "info": "its file is not on the PBX", "menu": None}


def test_a_prompt_that_never_came_is_not_heard() -> None:
    found = problems(GREETING, [("greeting", GREETING), ("menu", MENU)])
    assert found["menu"] == "not heard: its audio is not in what the caller received"


def test_a_prompt_cut_short_is_more_than_ten_percent_off() -> None:
    cut = MENU[: int(len(MENU) * 0.6)]
    found = problems(GREETING + cut + [SILENT] * 40, [("greeting", GREETING), ("menu", MENU)])
    assert found["menu"] is not None and "more than 10 % apart" in found["menu"]


def test_music_on_hold_after_a_prompt_hides_its_end_and_the_next_prompt_is_found_after_the_talk() -> None:
    music = speech(5.0, 9)
    received = GREETING + music + INFO
    found = problems(received, [("greeting", GREETING), (HOLD, None), (COUNSELOR, None), ("info", INFO)])
    assert found == {"greeting": None, "info": None}
