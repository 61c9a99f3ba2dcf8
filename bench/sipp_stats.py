"""SIPp's statistics file (`-trace_stat -stf FILE`): semicolon-separated, one row per period."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class SippCounts:
    """What SIPp says of a whole run: calls created, completed, failed."""

    created: int
    successful: int
    failed: int


def parse_stats(text: str) -> SippCounts:
    """The cumulative counts in the last row of a SIPp statistics file."""
    rows = [line.rstrip(";").split(";") for line in text.splitlines() if line.strip()]
    if len(rows) < 2:
        raise ValueError("SIPp's statistics file has no data row")
    header, last = rows[0], rows[-1]
    values = dict(zip(header, last, strict=False))
    try:
        return SippCounts(
            created=int(values["TotalCallCreated"]),
            successful=int(values["SuccessfulCall(C)"]),
            failed=int(values["FailedCall(C)"]),
        )
    except (KeyError, ValueError) as err:
        raise ValueError(f"SIPp's statistics file lacks a count: {err}") from None


def read_stats(path: Path) -> SippCounts:
    """parse_stats of the file at `path`; no file means SIPp ran no call."""
    if not path.exists():
        return SippCounts(0, 0, 0)
    return parse_stats(path.read_text(errors="replace"))
