"""Case numbers: `2026-000123`, a sequence per year that never gives a number twice.

The last sequence of each year is its own row (case_numbers), bumped inside
the transaction that inserts the case: a case deleted by hand leaves a gap,
never a number to reuse, and a registration that fails rolls the bump back
with it.
"""

from __future__ import annotations

import sqlite_utils

from ivr.cases.case import format_number
from ivr.store.case_tables import NUMBERS


def next_number(db: sqlite_utils.Database, year: int) -> str:
    """The next number of `year` (call inside the transaction that inserts the case)."""
    bumped = db.execute(f"UPDATE {NUMBERS} SET last = last + 1 WHERE year = ?", [year]).rowcount
    if not bumped:
        db.table(NUMBERS).insert({"year": year, "last": 1})
    rows = list(db.table(NUMBERS).rows_where("year = ?", [year]))
    return format_number(year, int(rows[0]["last"]))
