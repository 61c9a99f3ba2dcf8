"""The pieces a booked callback hour (예약 상담) is offered and read back with,
per language: option keys, today/tomorrow, months, days of the month,
weekdays and hours. Each piece is rendered ahead like every prompt
(flows/promptbook.py); a call plays them in a row.
"""

from __future__ import annotations

from datetime import date, datetime

from ivr.prompts import korean

_WEEKDAYS = {
    "ko": "월요일 화요일 수요일 목요일 금요일 토요일 일요일".split(),
    "en": "Monday Tuesday Wednesday Thursday Friday Saturday Sunday".split(),
    "zh": "星期一 星期二 星期三 星期四 星期五 星期六 星期日".split(),
    "vi": ["thứ Hai", "thứ Ba", "thứ Tư", "thứ Năm", "thứ Sáu", "thứ Bảy", "Chủ nhật"],
}
_MONTHS_EN = "January February March April May June July August September October November December".split()
# Korean months are sino numerals, with two that drop a sound: 유월 (6), 시월 (10).
_MONTHS_KO = {6: "유월", 10: "시월"}
MAX_OPTIONS = 9  # keys 1-9


def key(language: str, n: int) -> str:
    """What comes before an option: "일 번," (ko) ... "Press 1 for" (en)."""
    return {
        "ko": f"{korean.sino(n)} 번,",
        "en": f"Press {n} for",
        "zh": f"请按{n}，",
        "vi": f"Bấm phím {n}:",
    }[language]


def today(language: str) -> str:
    return {"ko": "오늘", "en": "today", "zh": "今天", "vi": "hôm nay"}[language]


def tomorrow(language: str) -> str:
    return {"ko": "내일", "en": "tomorrow", "zh": "明天", "vi": "ngày mai"}[language]


def month(language: str, m: int) -> str:
    if language == "ko":
        return _MONTHS_KO.get(m, f"{korean.sino(m)}월")
    return {"en": _MONTHS_EN[m - 1], "zh": f"{m}月", "vi": f"tháng {m}"}[language]


def day_of_month(language: str, d: int) -> str:
    return {"ko": f"{korean.sino(d)} 일", "en": str(d), "zh": f"{d}日", "vi": f"ngày {d}"}[language]


def weekday(language: str, w: int) -> str:
    return _WEEKDAYS[language][w]


def hour(language: str, h: int) -> str:
    """An hour of the day as said: 9 "오전 아홉 시", 12 "낮 열두 시", 14 "오후 두 시" (native hours)."""
    if language == "ko":
        if h == 0:
            return "밤 열두 시"
        if h < 12:
            return f"오전 {korean.native_count(h, '시')}"
        return "낮 열두 시" if h == 12 else f"오후 {korean.native_count(h - 12, '시')}"
    twelve = h % 12 or 12
    if language == "en":
        return f"{twelve} {'a.m.' if h < 12 else 'p.m.'}"
    if language == "zh":
        return f"{'上午' if h < 12 else '下午'}{twelve}点"
    return f"{twelve} giờ {'sáng' if h < 12 else 'chiều'}"


def piece_texts(language: str) -> dict[str, str]:
    """Every piece's prompt id -> its text in `language`."""
    out = {f"slot_key_{n}": key(language, n) for n in range(1, MAX_OPTIONS + 1)}
    out["slot_today"] = today(language)
    out["slot_tomorrow"] = tomorrow(language)
    out.update({f"slot_month_{m}": month(language, m) for m in range(1, 13)})
    out.update({f"slot_dom_{d}": day_of_month(language, d) for d in range(1, 32)})
    out.update({f"slot_weekday_{w}": weekday(language, w) for w in range(7)})
    out.update({f"slot_hour_{h}": hour(language, h) for h in range(24)})
    return out


def day_pieces(language: str, day: date, now: date) -> list[str]:
    """A day as prompt ids: today/tomorrow first when it is, then its date and weekday."""
    near = {0: ["slot_today"], 1: ["slot_tomorrow"]}.get((day - now).days, [])
    m, d, w = f"slot_month_{day.month}", f"slot_dom_{day.day}", f"slot_weekday_{day.weekday()}"
    # Vietnamese says the day before the month: "ngày 9 tháng 12".
    dated = [w, d, m] if language == "vi" else ([w, m, d] if language == "en" else [m, d, w])
    return near + dated


def slot_pieces(language: str, slot: datetime, now: date) -> list[str]:
    """A booked slot as prompt ids: its day, then its hour."""
    return [*day_pieces(language, slot.date(), now), f"slot_hour_{slot.hour}"]


def read_back(language: str, slot: datetime, now: date) -> str:
    """The read-back as text (the desk, tests): "내일 십이월 팔 일 화요일 오후 두 시"."""
    texts = piece_texts(language)
    return " ".join(texts[p] for p in slot_pieces(language, slot, now))
