"""South Korean public holidays (Seollal, Chuseok and their substitute days), from the `holidays` package."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from datetime import date, datetime

import holidays


@functools.lru_cache(maxsize=32)
def _holidays_of(year: int) -> Mapping[date, str]:
    # The package computes a whole year at once (lunar dates, substitute days), so cache per year.
    return dict(holidays.country_holidays("KR", language="ko", years=year))


def korean_holiday(d: date) -> str | None:
    """The Korean name of the South Korean public holiday on `d` ("추석", "설날 대체 휴일"), or None.

    Two holidays on one date come back as the package joins them ("부처님오신날; 어린이날").
    """
    day = d.date() if isinstance(d, datetime) else d
    return _holidays_of(day.year).get(day)
