"""Numbers in Korean prompt texts, written as the Hangul words a caller should hear.

Prompt texts go to a TTS, and a TTS reads "3번째" or "5분" however it likes. So
numbers are spelled out here, in the numeral system Korean speech uses:

- native numerals (한, 두, 세 …) for counting things, people, times and hours
  (`ordinal`, `native_count`, the hours in `minutes`);
- sino-Korean numerals (일, 이, 삼 …) for minutes, amounts and plain numbers (`sino`);
- digit by digit, with 0 as "공", for phone and case numbers (`digits`).

Native numerals stop at 99. From 100 on, the hundreds and above are read in
sino-Korean and the last two digits stay native: 100 "백 번째", 101 "백한 번째",
125 "백스물다섯 명", as in the title of the drama "101번째 프로포즈" (백한 번째).
One rule for `ordinal` and `native_count` alike; "백일 번째" is also heard, but
mixing the two readings would make read-backs inconsistent.
"""

from __future__ import annotations

SINO_MAX = 99_999_999
"""The largest number `sino` reads: below 억 (10^8), more than any call center needs."""

NATIVE_COUNTERS = frozenset("명 번 개 시 시간 살 건 통 곳 군데 가지 마리 장 권 잔 대 달".split())
"""Counters read with native numerals. 분 is left out on purpose: minutes are sino (오 분),
the honorific person counter is native (다섯 분), and the text alone cannot tell them apart."""

_SINO_DIGITS = ("", "일", "이", "삼", "사", "오", "육", "칠", "팔", "구")
# The attributive forms, used before a counter: 하나 -> 한 명, 둘 -> 두 명, 셋 -> 세 명, 넷 -> 네 명.
_NATIVE_ONES = ("", "한", "두", "세", "네", "다섯", "여섯", "일곱", "여덟", "아홉")
_NATIVE_TENS = ("", "열", "스물", "서른", "마흔", "쉰", "예순", "일흔", "여든", "아흔")
# Phone numbers read 0 as 공, not 영; the other digits are the sino ones.
_PHONE_DIGITS = dict(zip("0123456789", ("공", *_SINO_DIGITS[1:]), strict=True))


def _native(n: int) -> str:
    """1..99 in native numerals, in the form used before a counter."""
    if n == 20:
        return "스무"  # 스물 drops its ㄹ before a counter, but only when nothing follows: 스물한 명.
    tens, ones = divmod(n, 10)
    return _NATIVE_TENS[tens] + _NATIVE_ONES[ones]


def _sino_below_10000(n: int) -> str:
    words = ""
    for value, unit in ((1000, "천"), (100, "백"), (10, "십"), (1, "")):
        digit, n = divmod(n, value)
        if digit:
            # 1 is silent before 천, 백 and 십: 천, not 일천; 십오, not 일십오.
            words += ("" if digit == 1 and unit else _SINO_DIGITS[digit]) + unit
    return words


def sino(n: int) -> str:
    """Sino-Korean reading of 0..99,999,999: 0 "영", 15 "십오", 2221000 "이백이십이만 천".

    A space follows 만, as Korean spacing groups numbers by 만.
    """
    if not 0 <= n <= SINO_MAX:
        raise ValueError(f"{n}: sino() reads 0 to {SINO_MAX:,}")
    if n == 0:
        return "영"
    man, rest = divmod(n, 10_000)
    words = []
    if man:
        words.append(("" if man == 1 else _sino_below_10000(man)) + "만")
    if rest:
        words.append(_sino_below_10000(rest))
    return " ".join(words)


def _counted(n: int) -> str:
    """A count before a native counter: native below 100, then sino hundreds + native rest."""
    hundreds, rest = divmod(n, 100)
    return (sino(hundreds * 100) if hundreds else "") + (_native(rest) if rest else "")


def ordinal(n: int) -> str:
    """1 "첫 번째", 3 "세 번째", 20 "스무 번째", 21 "스물한 번째", 101 "백한 번째"."""
    if n < 1:
        raise ValueError(f"{n}: an ordinal starts at 1")
    return "첫 번째" if n == 1 else f"{_counted(n)} 번째"


def native_count(n: int, counter: str) -> str:
    """A count with a native counter: (1, "명") "한 명", (20, "명") "스무 명", (25, "명") "스물다섯 명".

    Zero has no native reading ("영 명" is not said); say "없습니다" instead, so n < 1 raises.
    """
    if counter not in NATIVE_COUNTERS:
        known = " ".join(sorted(NATIVE_COUNTERS))
        raise ValueError(f"'{counter}': not a native-numeral counter (known: {known}); use sino() for others")
    if n < 1:
        raise ValueError(f"{n}: native_count() counts from 1")
    return f"{_counted(n)} {counter}"


def _duration(n: int, approximate: bool) -> str:
    hours, mins = divmod(n, 60)
    parts = []
    if hours:
        parts.append(native_count(hours, "시간"))  # hours are native: 한 시간, 두 시간
    if mins:
        parts.append(f"{sino(mins)} 분")  # minutes are sino: 오 분, 십 분
    text = " ".join(parts)
    return f"약 {text}" if approximate else text


def minutes(n: int, approximate: bool = True) -> str:
    """A duration as heard: 5 "약 오 분", 70 "약 한 시간 십 분", 120 "약 두 시간".

    0 or less reads "곧" (soon): an estimate that has run out must not be read as
    "약 영 분". Rounding (to 5 minutes, say) is the caller's decision, not made here.
    """
    if n <= 0:
        return "곧"
    return _duration(n, approximate)


def digits(s: str) -> str:
    """Read a phone or case number digit by digit: "010-1234-5678" "공 일 공, 일 이 삼 사, 오 육 칠 팔".

    Hyphens and spaces break groups (read with a pause: ", "); 0 is "공", as
    Koreans read phone numbers. Anything else raises, so a "#" from a keypad or a
    letter never reaches the caller's ear unread.
    """
    groups: list[list[str]] = [[]]
    for ch in s:
        if ch in _PHONE_DIGITS:
            groups[-1].append(_PHONE_DIGITS[ch])
        elif ch == "-" or ch.isspace():
            if groups[-1]:
                groups.append([])
        else:
            raise ValueError(f"'{s}': {ch!r} is not a digit; only digits, spaces and hyphens are read")
    words = [" ".join(g) for g in groups if g]
    if not words:
        raise ValueError(f"'{s}': no digits to read")
    return ", ".join(words)


def queue_position(n: int) -> str:
    """3 -> "대기 순번은 세 번째입니다."."""
    return f"대기 순번은 {ordinal(n)}입니다."


def wait_estimate(minutes: int) -> str:
    """5 -> "예상 대기 시간은 약 오 분입니다."; 0 or less -> "곧 상담사와 연결해 드리겠습니다."

    The zero case is its own sentence: "예상 대기 시간은 곧입니다" is not Korean.
    """
    if minutes <= 0:
        return "곧 상담사와 연결해 드리겠습니다."
    return f"예상 대기 시간은 {_duration(minutes, approximate=True)}입니다."
