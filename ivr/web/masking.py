"""Callers' numbers as people read them: whole and grouped (010-9999-0003), or, for people
without a need to know them, masked (010-****-5678)."""

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


def format_number(number: str | None) -> str:
    """A Korean number grouped as people write it: 010-9999-0003, 02-123-4567, 063-222-1000,
    1588-1234. Anything else (foreign, withheld, too short) is shown as it came."""
    if not number:
        return ""
    digits = "".join(ch for ch in number if ch.isdigit())
    if digits != number.strip() or not digits.startswith(("0", "1")):
        return number
    if len(digits) == 8 and digits.startswith("1"):  # 1588-1234: nationwide service numbers
        return f"{digits[:4]}-{digits[4:]}"
    head_len = 2 if digits.startswith(_TWO_DIGIT_AREAS) else 3
    rest = digits[head_len:]
    if not digits.startswith("0") or len(rest) not in (7, 8):
        return number
    middle = len(rest) - 4
    return f"{digits[:head_len]}-{rest[:middle]}-{rest[middle:]}"
