"""Numbers in Korean prompt texts: the Hangul words the TTS reads, in the right numeral system."""

from __future__ import annotations

import pytest

from ivr.prompts.korean import (
    NATIVE_COUNTERS,
    SINO_MAX,
    digits,
    minutes,
    native_count,
    ordinal,
    queue_position,
    sino,
    wait_estimate,
)


@pytest.mark.parametrize(
    ("n", "spoken"),
    [
        (1, "첫 번째"),
        (2, "두 번째"),
        (3, "세 번째"),
        (4, "네 번째"),
        (5, "다섯 번째"),
        (9, "아홉 번째"),
        (10, "열 번째"),
        (11, "열한 번째"),
        (12, "열두 번째"),
        (20, "스무 번째"),
        (21, "스물한 번째"),
        (30, "서른 번째"),
        (44, "마흔네 번째"),
        (99, "아흔아홉 번째"),
        # From 100 on: sino hundreds, native last two digits (see the module docstring).
        (100, "백 번째"),
        (101, "백한 번째"),
        (120, "백스무 번째"),
        (125, "백스물다섯 번째"),
        (200, "이백 번째"),
        (1000, "천 번째"),
        (1001, "천한 번째"),
    ],
)
def test_given_number_when_ordinal_then_native_ordinal(n: int, spoken: str) -> None:
    assert ordinal(n) == spoken


@pytest.mark.parametrize("n", [0, -1])
def test_given_less_than_one_when_ordinal_then_value_error(n: int) -> None:
    with pytest.raises(ValueError, match="an ordinal starts at 1"):
        ordinal(n)


@pytest.mark.parametrize(
    ("n", "counter", "spoken"),
    [
        (1, "명", "한 명"),
        (2, "명", "두 명"),
        (3, "번", "세 번"),
        (4, "개", "네 개"),
        (12, "시", "열두 시"),
        (20, "명", "스무 명"),
        (25, "명", "스물다섯 명"),
        (1, "시간", "한 시간"),
        (101, "명", "백한 명"),
        (2, "건", "두 건"),
    ],
)
def test_given_count_when_native_count_then_native_numeral_and_counter(
    n: int, counter: str, spoken: str
) -> None:
    assert native_count(n, counter) == spoken


@pytest.mark.parametrize(
    ("n", "counter", "message"),
    [
        (0, "명", "0: native_count\\(\\) counts from 1"),
        (5, "분", "'분': not a native-numeral counter"),
        (5, "원", "'원': not a native-numeral counter"),
    ],
)
def test_given_zero_or_sino_counter_when_native_count_then_value_error(
    n: int, counter: str, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        native_count(n, counter)


def test_given_counter_list_when_inspected_then_ambiguous_bun_is_not_there() -> None:
    assert {"명", "번", "개", "시"} <= NATIVE_COUNTERS
    assert "분" not in NATIVE_COUNTERS


@pytest.mark.parametrize(
    ("n", "spoken"),
    [
        (0, "영"),
        (1, "일"),
        (5, "오"),
        (10, "십"),
        (15, "십오"),
        (16, "십육"),
        (20, "이십"),
        (100, "백"),
        (105, "백오"),
        (110, "백십"),
        (1000, "천"),
        (1111, "천백십일"),
        (9999, "구천구백구십구"),
        (10000, "만"),
        (10001, "만 일"),
        (11000, "만 천"),
        (110000, "십일만"),
        (2221000, "이백이십이만 천"),
        (2220000, "이백이십이만"),
        (10000000, "천만"),
        (SINO_MAX, "구천구백구십구만 구천구백구십구"),
    ],
)
def test_given_number_when_sino_then_sino_korean_reading(n: int, spoken: str) -> None:
    assert sino(n) == spoken


@pytest.mark.parametrize("n", [-1, SINO_MAX + 1])
def test_given_out_of_range_when_sino_then_value_error(n: int) -> None:
    with pytest.raises(ValueError, match="sino\\(\\) reads 0 to 99,999,999"):
        sino(n)


@pytest.mark.parametrize(
    ("n", "approximate", "spoken"),
    [
        (5, True, "약 오 분"),
        (5, False, "오 분"),
        (1, True, "약 일 분"),
        (10, True, "약 십 분"),
        (45, True, "약 사십오 분"),
        (60, True, "약 한 시간"),
        (70, True, "약 한 시간 십 분"),
        (70, False, "한 시간 십 분"),
        (120, True, "약 두 시간"),
        (185, True, "약 세 시간 오 분"),
        (0, True, "곧"),
        (0, False, "곧"),
        (-3, True, "곧"),
    ],
)
def test_given_minutes_when_minutes_then_native_hours_and_sino_minutes(
    n: int, approximate: bool, spoken: str
) -> None:
    assert minutes(n, approximate) == spoken


def test_given_default_when_minutes_then_approximate() -> None:
    assert minutes(5) == "약 오 분"


@pytest.mark.parametrize(
    ("text", "spoken"),
    [
        ("010-1234-5678", "공 일 공, 일 이 삼 사, 오 육 칠 팔"),
        ("063 222 1000", "공 육 삼, 이 이 이, 일 공 공 공"),
        ("2221000", "이 이 이 일 공 공 공"),
        ("2026-0001", "이 공 이 육, 공 공 공 일"),
        (" 12 -- 34 ", "일 이, 삼 사"),
        ("7", "칠"),
        ("1 2\t3", "일, 이, 삼"),
    ],
)
def test_given_digit_string_when_digits_then_one_digit_at_a_time(text: str, spoken: str) -> None:
    assert digits(text) == spoken


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("010-1234-567a", "'010-1234-567a': 'a' is not a digit"),
        ("123#", "'123#': '#' is not a digit"),
        ("(063) 222", "'\\(063\\) 222': '\\(' is not a digit"),
        ("١٢٣", "'١٢٣': '١' is not a digit"),  # Arabic-Indic digits: str.isdigit() would let these in
        ("", "'': no digits to read"),
        (" - ", "' - ': no digits to read"),
    ],
)
def test_given_other_characters_when_digits_then_value_error(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        digits(text)


@pytest.mark.parametrize(
    ("n", "sentence"),
    [
        (1, "대기 순번은 첫 번째입니다."),
        (3, "대기 순번은 세 번째입니다."),
        (20, "대기 순번은 스무 번째입니다."),
        (21, "대기 순번은 스물한 번째입니다."),
    ],
)
def test_given_position_when_queue_position_then_polite_sentence(n: int, sentence: str) -> None:
    assert queue_position(n) == sentence


def test_given_position_zero_when_queue_position_then_value_error() -> None:
    with pytest.raises(ValueError):
        queue_position(0)


@pytest.mark.parametrize(
    ("wait", "sentence"),
    [
        (5, "예상 대기 시간은 약 오 분입니다."),
        (12, "예상 대기 시간은 약 십이 분입니다."),
        (90, "예상 대기 시간은 약 한 시간 삼십 분입니다."),
        (0, "곧 상담사와 연결해 드리겠습니다."),
        (-1, "곧 상담사와 연결해 드리겠습니다."),
    ],
)
def test_given_minutes_when_wait_estimate_then_polite_sentence(wait: int, sentence: str) -> None:
    assert wait_estimate(wait) == sentence
