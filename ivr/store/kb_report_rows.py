"""The knowledge base's marks of a period, for reports: outcomes, articles used, searches that found nothing.

Read on the report's own read-only connection (store/report_rows.py). A file
from before the knowledge base has none of these tables: no marks, not an error.
"""

from __future__ import annotations

from datetime import UTC

import sqlite_utils

from ivr.reports.resolution import ArticleUseRow, KbRows, ResolutionRow
from ivr.reports.rows import Period
from ivr.store.kb_usage import MISSES, RESOLUTIONS, USES


def _has(db: sqlite_utils.Database, *tables: str) -> bool:
    return all(db.table(t).exists() for t in tables)


def kb_rows(db: sqlite_utils.Database, period: Period) -> KbRows:
    """Marks made on calls that started in the period, and searches made in it."""
    if not _has(db, USES, RESOLUTIONS, MISSES):
        return KbRows()
    # calls.started_at carries the hotline's zone; the desk's own stamps are UTC.
    calls = "SELECT id FROM calls WHERE started_at >= ? AND started_at < ?"
    span = [period.start.isoformat(timespec="milliseconds"), period.end.isoformat(timespec="milliseconds")]
    utc = [
        period.start.astimezone(UTC).isoformat(timespec="seconds"),
        period.end.astimezone(UTC).isoformat(timespec="seconds"),
    ]
    resolutions = tuple(
        ResolutionRow(r[0], r[1])
        for r in db.execute(f"SELECT call_id, outcome FROM {RESOLUTIONS} WHERE call_id IN ({calls})", span)
    )
    uses = tuple(
        ArticleUseRow(r[0], r[1], r[2] or r[1])
        for r in db.execute(
            f"SELECT u.call_id, u.slug, a.title FROM {USES} u LEFT JOIN kb_articles a ON a.slug = u.slug "
            f"WHERE u.kind = 'used' AND u.call_id IN ({calls}) ORDER BY u.id",
            span,
        )
    )
    misses = tuple(r[0] for r in db.execute(f"SELECT query FROM {MISSES} WHERE at >= ? AND at < ?", utc))
    return KbRows(resolutions, uses, misses)
