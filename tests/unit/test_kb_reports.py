"""First-call resolution, the most used articles and the searches that found nothing."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

from ivr.reports.metrics import Rules
from ivr.reports.period import parse_period
from ivr.reports.report import build
from ivr.reports.resolution import (
    ArticleUseRow,
    Handled,
    KbRows,
    ResolutionRow,
    articles_table,
    misses_table,
    resolution_table,
)
from ivr.store import engine, kb_usage
from ivr.store.calls import create_schema as create_call_schema
from ivr.store.desk_schema import create_schema
from ivr.store.report_rows import SqliteReportRows
from tests.unit.report_day import SEOUL

HANDLED = [
    Handled("a", "local_tax", "general", "c1"),
    Handled("b", "local_tax", "general", "c2"),
    Handled("c", "water", "general", "c1"),
    Handled(
        "c", "water", "tax", "c2"
    ),  # transferred: counted once for its topic, once per queue and counselor
    Handled("d", "water", "general", "c1"),
]
KB = KbRows(
    resolutions=(
        ResolutionRow("a", "resolved"),
        ResolutionRow("b", "follow_up"),
        ResolutionRow("c", "resolved"),
    ),
    uses=(
        ArticleUseRow("a", "property-tax", "재산세"),
        ArticleUseRow("b", "property-tax", "재산세"),
        ArticleUseRow("b", "property-tax", "재산세"),
        ArticleUseRow("c", "water-leak-report", "누수 신고"),
    ),
    misses=("반려견 등록", "반려견  등록", "쓰레기 봉투"),
)


def test_first_call_resolution_counts_marked_calls_per_topic_queue_and_counselor() -> None:
    rows = {(r["by"], r["key"]): r for r in resolution_table(HANDLED, KB).rows}
    assert rows[("topic", "local_tax")] | {} == {
        "by": "topic",
        "key": "local_tax",
        "answered": 2,
        "resolved": 1,
        "follow_up": 1,
        "unmarked": 0,
        "first_call_resolution": 0.5,
    }
    water = rows[("topic", "water")]
    assert (water["answered"], water["resolved"], water["unmarked"], water["first_call_resolution"]) == (
        2,
        1,
        1,
        1.0,
    )
    assert rows[("counselor", "c1")]["answered"] == 3 and rows[("counselor", "c2")]["answered"] == 2
    assert rows[("queue", "tax")]["first_call_resolution"] == 1.0
    assert [r["by"] for r in resolution_table(HANDLED, KB).rows][:2] == ["topic", "topic"]


def test_most_used_articles_and_most_frequent_misses() -> None:
    assert articles_table(KB).rows == [
        {"article": "property-tax", "title": "재산세", "uses": 3, "calls": 2},
        {"article": "water-leak-report", "title": "누수 신고", "uses": 1, "calls": 1},
    ]
    assert misses_table(KB).rows == [
        {"search": "반려견 등록", "times": 2},
        {"search": "쓰레기 봉투", "times": 1},
    ]


def test_the_store_hands_the_periods_marks_to_the_report(records_at: Path | str, tmp_path: Path) -> None:
    path = records_at
    db = engine.connect(path)
    engine.install_compat(db)
    create_call_schema(db)
    create_schema(db)
    for call_id, started in [
        ("in", "2026-03-02T10:00:00.000+09:00"),
        ("before", "2026-03-01T10:00:00.000+09:00"),
    ]:
        db.table("calls").insert(
            {
                "id": call_id,
                "caller": "010",
                "dialed": "2221000",
                "started_at": started,
                "open": 0,
                "counselor_id": "c1",
            }
        )
        at = datetime.fromisoformat(started)
        kb_usage.resolve(db, call_id, "c1", "minji", "resolved", None, at)
        kb_usage.mark(
            db,
            {
                "call_id": call_id,
                "counselor_id": "c1",
                "author": "minji",
                "kind": "used",
                "slug": "x",
                "version": 1,
            },
            None,
            at,
        )
        kb_usage.log_miss(db, at, "minji", f"없는 질문 {call_id}", call_id, None)
    db.close()
    period = parse_period("2026-03-02", "2026-03-02", SEOUL)
    rows = SqliteReportRows(path).rows(period, now=datetime(2026, 3, 3, tzinfo=UTC))
    kb = rows.kb
    assert build(rows, Rules(), "misses").rows == [{"search": "없는 질문 in", "times": 1}]
    assert build(rows, Rules(), "articles").rows == [{"article": "x", "title": "x", "uses": 1, "calls": 1}]
    assert build(rows, Rules(), "resolution").rows == []  # no conversation in the queue log: nothing answered
    assert kb.resolutions == (ResolutionRow("in", "resolved"),)
    assert kb.uses == (ArticleUseRow("in", "x", "x"),)
    assert kb.misses == ("없는 질문 in",)
    assert date(2026, 3, 2) == period.start.date()
