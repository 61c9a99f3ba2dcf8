"""The rows of a period for reports, read from the SQLite file (a ReportSource).

Read-only: a fresh read-only connection per report, so reports never wait
behind the service's writer (WAL lets both go on).

Stamps are ISO strings with an offset. Those of `calls` carry the hotline's
zone, but `counselor_events` carry the service host's zone, so a string
comparison alone would cut a period at the wrong moment: the SQL takes a
margin of a day on each side and Python keeps exactly the period.

Calls answered by Asterisk's fallback queue have no `queue_log` rows of ours;
their timeline (ivr/store/fallback_calls.py) is translated here into the same
queue log lines, in the queue `hotline-fallback`.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

import sqlite_utils

from ivr.errors import StoreError
from ivr.reports.rows import (
    CallbackRow,
    CallEventRow,
    CounselorEventRow,
    Period,
    QueueLogRow,
    ReportRows,
    SurveyRow,
)
from ivr.store import engine
from ivr.store.call_rows import facts_of
from ivr.store.engine import Target
from ivr.store.kb_report_rows import kb_rows
from ivr.store.queue_log import FALLBACK_QUEUE

MARGIN = timedelta(days=1)
REPORT_EVENTS = ("menu_choice", "consult_started", "consult_returned", "transferred", "voicemail")
# A fallback call's timeline kind -> the queue log event it stands for.
FALLBACK_EVENTS = {
    "queued": "entered",
    "connected": "connected",
    "abandoned": "abandoned",
    "exit_timeout": "exit_timeout",
    "exit_empty": "exit_empty",
    "exit_with_key": "exit_key",
    "completed": "completed",
}


def _iso(at: datetime) -> str:
    return at.isoformat(timespec="milliseconds")


class _Rows:
    """Rows of a SELECT as dicts, on either engine."""

    def __init__(self, db: sqlite_utils.Database) -> None:
        self.db = db

    def execute(self, sql: str, args: list[Any] | None = None) -> list[dict[str, Any]]:
        return list(self.db.query(sql, args or []))


class SqliteReportRows:
    """ReportSource on the project's SQLite file."""

    def __init__(self, path: Target) -> None:
        self.path = path

    @contextmanager
    def _connect(self) -> Iterator[_Rows]:
        shown = engine.shown(self.path)
        if not engine.exists(self.path):
            raise StoreError(f"{shown}: no call records yet (the service creates this file)")
        try:
            conn = engine.read_only(self.path)
        except engine.errors() as exc:
            raise StoreError(f"{shown}: {exc}") from exc
        try:
            yield _Rows(conn)
        except engine.errors() as exc:
            raise StoreError(f"{shown}: {exc}") from exc
        finally:
            conn.close()

    def rows(self, period: Period, *, repeat_days: int = 7, now: datetime | None = None) -> ReportRows:
        lo, hi = _iso(period.start - MARGIN), _iso(period.end + MARGIN)
        back = _iso(period.start - timedelta(days=repeat_days) - MARGIN)
        with self._connect() as db:
            calls = [
                facts_of(dict(r))
                for r in db.execute(
                    "SELECT * FROM calls WHERE started_at >= ? AND started_at < ? ORDER BY started_at",
                    [back, hi],
                )
            ]
            in_period = tuple(c for c in calls if c.started_at in period)
            earlier = tuple(
                c for c in calls if period.start - timedelta(days=repeat_days) <= c.started_at < period.start
            )
            log = [
                QueueLogRow(
                    at=datetime.fromisoformat(r["at"]),
                    call_id=r["call_id"],
                    queue=r["queue"],
                    event=r["event"],
                    counselor_id=r["counselor_id"],
                    waited=r["waited"],
                    talked=r["talked"],
                )
                for r in db.execute(
                    "SELECT * FROM queue_log WHERE at >= ? AND at < ? ORDER BY at, id", [lo, hi]
                )
            ]
            marks = ", ".join("?" for _ in REPORT_EVENTS)
            events = [
                CallEventRow(
                    r["call_id"], datetime.fromisoformat(r["at"]), r["kind"], json.loads(r["detail"] or "{}")
                )
                for r in db.execute(
                    f"SELECT * FROM call_events WHERE at >= ? AND at < ? AND kind IN ({marks}) "
                    "ORDER BY at, id",
                    [lo, hi, *REPORT_EVENTS],
                )
            ]
            log += self._fallback_lines(db, lo, hi)
            counselor = self._counselor_events(db, period)
            surveys = tuple(
                s
                for r in db.execute("SELECT * FROM survey_answers WHERE at >= ? AND at < ?", [lo, hi])
                if (
                    s := SurveyRow(
                        r["call_id"], r["question"], int(r["answer"]), datetime.fromisoformat(r["at"])
                    )
                ).at
                in period
            )
            callbacks = tuple(
                c
                for r in db.execute(
                    "SELECT * FROM callbacks WHERE requested_at >= ? AND requested_at < ?", [lo, hi]
                )
                if (
                    c := CallbackRow(
                        r["id"], datetime.fromisoformat(r["requested_at"]), r["status"], r["attempts"] or 0
                    )
                ).requested_at
                in period
            )
            kb = kb_rows(db.db, period)
        return ReportRows(
            period=period,
            calls=in_period,
            earlier_calls=earlier,
            queue_log=tuple(log),
            call_events=tuple(events),
            counselor_events=counselor,
            surveys=surveys,
            callbacks=callbacks,
            now=now or datetime.now(period.tz),
            kb=kb,
        )

    def _fallback_lines(self, db: _Rows, lo: str, hi: str) -> list[QueueLogRow]:
        """The queue log lines of calls answered (or not) by the fallback queue."""
        marks = ", ".join("?" for _ in FALLBACK_EVENTS)
        found: list[QueueLogRow] = []
        for r in db.execute(
            f"""SELECT e.call_id, e.at, e.kind, e.detail FROM call_events e JOIN calls c ON c.id = e.call_id
                 WHERE c.disposition LIKE 'fallback_%' AND e.at >= ? AND e.at < ? AND e.kind IN ({marks})
                 ORDER BY e.at, e.id""",
            [lo, hi, *FALLBACK_EVENTS],
        ):
            detail: dict[str, Any] = json.loads(r["detail"] or "{}")
            event = FALLBACK_EVENTS[r["kind"]]
            if event == "completed":
                event = "completed_caller" if detail.get("by") == "caller" else "completed_counselor"
            counselor = detail.get("counselor")
            found.append(
                QueueLogRow(
                    at=datetime.fromisoformat(r["at"]),
                    call_id=r["call_id"],
                    queue=FALLBACK_QUEUE,
                    event=event,
                    counselor_id=counselor if counselor and counselor != "NONE" else None,
                    waited=detail.get("hold_seconds", detail.get("wait_seconds")),
                    talked=detail.get("talk_seconds"),
                )
            )
        return found

    def _counselor_events(self, db: _Rows, period: Period) -> tuple[CounselorEventRow, ...]:
        """Each counselor's changes in the period, led by their last change before it."""
        lo, hi = _iso(period.start - MARGIN), _iso(period.end + MARGIN)
        rows = list(
            db.execute(
                """SELECT * FROM counselor_events
                    WHERE (at >= ? AND at < ?)
                       OR id IN (SELECT MAX(id) FROM counselor_events WHERE at < ? GROUP BY counselor_id)
                    ORDER BY id""",
                [lo, hi, lo],
            )
        )
        events = [
            CounselorEventRow(r["counselor_id"], datetime.fromisoformat(r["at"]), r["to_state"], r["reason"])
            for r in rows
        ]
        before: dict[str, CounselorEventRow] = {}
        inside: list[CounselorEventRow] = []
        for e in events:
            if e.at < period.start:
                before[e.counselor_id] = e
            elif e.at < period.end:
                inside.append(e)
        return (*before.values(), *inside)

    def cdr(self, period: Period) -> list[dict[str, Any]]:
        lo, hi = _iso(period.start - MARGIN), _iso(period.end + MARGIN)
        with self._connect() as db:
            rows = [
                dict(r)
                for r in db.execute(
                    "SELECT * FROM calls WHERE started_at >= ? AND started_at < ? ORDER BY started_at, id",
                    [lo, hi],
                )
            ]
        return [r for r in rows if datetime.fromisoformat(r["started_at"]) in period]
