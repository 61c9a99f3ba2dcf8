"""A case number as the prompts that read it: `2026-000123` → 이 공 이 육 에 공 공 공 일 이 삼.

Read digit by digit, 0 as 공, as ivr/prompts/korean.py `digits` reads phone
and case numbers (it checks the text: only digits and hyphens reach a caller's
ear); each digit is its own pre-rendered prompt (`digit-N`), so any number is
read without rendering audio while the citizen listens. Read twice: an
elderly citizen writing it down gets a second chance.
"""

from __future__ import annotations

from ivr.prompts.korean import digits


def case_number_prompts(number: str) -> list[str]:
    """The prompt ids that read `number` to a caller, twice; ValueError for anything but digits and '-'."""
    digits(number)  # refuses letters and keypad signs
    spoken = ["case-number-dash" if ch == "-" else f"digit-{ch}" for ch in number.strip()]
    return ["case-number-intro", *spoken, "case-number-again", *spoken, "case-number-end"]
