"""Callers' numbers as people without a need to know them see them: 010-****-5678."""

from __future__ import annotations

# Korean area codes of two digits (Seoul); the rest have three (063 is Jeonju).
_TWO_DIGIT_AREAS = ("02",)


def mask_number(number: str | None) -> str:
    """The number with its middle digits hidden; its first and last digits stay
    so a counselor can still tell two callers apart ("the one ending 5678")."""
    if not number:
        return ""
    digits = "".join(ch for ch in number if ch.isdigit())
    if not digits:
        return number  # "anonymous", "unknown": nothing personal in it
    plus = "+" if number.strip().startswith("+") else ""
    if len(digits) < 8:
        return plus + "*" * (len(digits) - 2) + digits[-2:] if len(digits) > 2 else plus + "*" * len(digits)
    head_len = 2 if digits.startswith(_TWO_DIGIT_AREAS) and not plus else 3
    head, tail = digits[:head_len], digits[-4:]
    return f"{plus}{head}-{'*' * (len(digits) - head_len - 4)}-{tail}"
