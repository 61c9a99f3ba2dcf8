"""A report table, printed as an aligned table, CSV or JSON.

Values stay numbers to the end: seconds as floats, shares as 0..1. The table
form rounds seconds to one decimal and shows shares as percentages; CSV and
JSON keep three decimals and leave a missing value empty (CSV) or null (JSON).
"""

from __future__ import annotations

import csv
import io
import json
import math
import unicodedata
from dataclasses import dataclass, field
from typing import Any

FORMATS = ("table", "csv", "json")
_SHARES = ("service_level", "rate", "occupancy")  # column names holding a share (0..1)


@dataclass(frozen=True)
class Table:
    """What a report prints: a title, its columns in order, and rows keyed by them."""

    title: str
    columns: tuple[str, ...]
    rows: list[dict[str, Any]] = field(default_factory=list)


def _is_share(name: str) -> bool:
    return any(part in name for part in _SHARES)


def _plain(value: Any) -> Any:
    if isinstance(value, float):
        return None if math.isinf(value) or math.isnan(value) else round(value, 3)
    return value


def _shown(name: str, value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        if math.isinf(value):
            return "∞"
        return f"{value * 100:.1f}%" if _is_share(name) else f"{value:.1f}"
    return str(value)


def _width(text: str) -> int:
    # Korean topics and names take two columns in a terminal.
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def as_table(table: Table, heading: str) -> str:
    """Aligned columns under a heading line; for a summary, one metric a line."""
    if table.columns == ("metric", "value"):
        cells = [[r["metric"], _shown(r["metric"], r["value"])] for r in table.rows]
    else:
        cells = [[_shown(c, r.get(c)) for c in table.columns] for r in table.rows]
    widths = [max([_width(c)] + [_width(row[i]) for row in cells]) for i, c in enumerate(table.columns)]
    lines = [heading, ""]
    lines.append(
        "  ".join(c + " " * (w - _width(c)) for c, w in zip(table.columns, widths, strict=True)).rstrip()
    )
    for row in cells:
        # The first column names the row (left); figures line up on the right.
        first = row[0] + " " * (widths[0] - _width(row[0]))
        rest = (" " * (w - _width(v)) + v for v, w in zip(row[1:], widths[1:], strict=True))
        lines.append("  ".join([first, *rest]).rstrip())
    if not cells:
        lines.append("(no calls in this period)")
    return "\n".join(lines) + "\n"


def as_csv(table: Table) -> str:
    """A header line of column names, then one line per row."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(table.columns)
    for r in table.rows:
        writer.writerow(["" if (v := _plain(r.get(c))) is None else v for c in table.columns])
    return out.getvalue()


def as_json(table: Table, meta: dict[str, Any]) -> str:
    """`meta` (period, rules) plus the columns and rows."""
    body = {
        **meta,
        "title": table.title,
        "columns": list(table.columns),
        "rows": [{c: _plain(r.get(c)) for c in table.columns} for r in table.rows],
    }
    return json.dumps(body, ensure_ascii=False, indent=2) + "\n"
