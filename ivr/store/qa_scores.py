"""QA scores: a scorecard filled in for one call, with feedback to its counselor.

A second scoring of the same call is a new row, and the newest is the call's
score; the counselor's reading of it is stamped. Its reviewer (or a
supervisor) may edit a score or withdraw it: the row keeps when, a withdrawn
one stays (struck through, not counted), and each change is audited with the
points before and after.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import sqlite_utils

from ivr.store import audit
from ivr.store.sql import query

COLUMNS: dict[str, type] = {
    "id": int,
    "call_id": str,
    "counselor_id": str,
    "scorecard": str,
    "points": str,  # JSON: criterion id -> points given
    "total": float,  # weighted, 0–100
    "feedback": str,
    "scored_by": str,
    "at": str,
    "read_at": str,  # when the counselor opened it
    "edited_at": str,  # the last edit, if any
    "withdrawn_at": str,  # withdrawn: shown struck through, counted nowhere
    "withdrawn_by": str,
}
# Columns added after the table's first version: files made before them get them at open.
_LATER = ("edited_at", "withdrawn_at", "withdrawn_by")


def create_qa_schema(db: sqlite_utils.Database) -> None:
    table = db.table("qa_scores")
    if not table.exists():
        table.create(
            COLUMNS, pk="id", not_null={"call_id", "scorecard", "points", "total", "scored_by", "at"}
        )
        table.create_index(["call_id", "id"])
        table.create_index(["counselor_id", "at"])
    have = table.columns_dict
    for column in _LATER:
        if column not in have:
            table.add_column(column, str)


def add_score(
    db: sqlite_utils.Database,
    *,
    call_id: str,
    counselor_id: str | None,
    scorecard: str,
    points: dict[str, int],
    total: float,
    feedback: str,
    scored_by: str,
    at: datetime,
) -> int:
    table = db.table("qa_scores")
    table.insert(
        {
            "call_id": call_id,
            "counselor_id": counselor_id,
            "scorecard": scorecard,
            "points": json.dumps(points, ensure_ascii=False, sort_keys=True),
            "total": total,
            "feedback": feedback,
            "scored_by": scored_by,
            "at": at.isoformat(timespec="seconds"),
        }
    )
    return int(str(table.last_pk))


def mark_read(db: sqlite_utils.Database, call_id: str, counselor_id: str, at: datetime) -> None:
    """The counselor has seen the feedback on their call."""
    db.execute(
        "UPDATE qa_scores SET read_at = ? WHERE call_id = ? AND counselor_id = ? AND read_at IS NULL",
        [at.isoformat(timespec="seconds"), call_id, counselor_id],
    )


def unread_for(db: sqlite_utils.Database, counselor_id: str) -> list[dict[str, Any]]:
    """Feedback the counselor has not opened yet, newest first."""
    return query(
        db,
        "SELECT id, call_id, total, feedback, at FROM qa_scores "
        "WHERE counselor_id = ? AND read_at IS NULL AND withdrawn_at IS NULL ORDER BY id DESC",
        [counselor_id],
    )


# What the QA pages write, each in one transaction with its audit row.


def reviewed(
    db: sqlite_utils.Database, at: datetime, who: str, call_id: str, reader: str | None, ip: str | None
) -> None:
    """`who` opened a call for review; `reader`, the call's counselor reading its feedback, marks it read."""
    audit.record(db, at, who, "call_reviewed", call_id, "", ip)
    if reader:
        mark_read(db, call_id, reader, at)


def score_call(
    db: sqlite_utils.Database,
    at: datetime,
    who: str,
    call_id: str,
    scorecard: str,
    points: dict[str, int],
    total: float,
    feedback: str,
    ip: str | None,
) -> int | None:
    """A scorecard filled in for a call, for its counselor, audited: the score's id; None if no such call."""
    rows = list(db.table("calls").rows_where("id = ?", [call_id], select="counselor_id"))
    if not rows:
        return None
    score_id = add_score(
        db,
        call_id=call_id,
        counselor_id=rows[0]["counselor_id"],
        scorecard=scorecard,
        points=points,
        total=total,
        feedback=feedback,
        scored_by=who,
        at=at,
    )
    audit.record(db, at, who, "call_scored", call_id, f"{scorecard} total={total}", ip)
    return score_id


def find_score(db: sqlite_utils.Database, score_id: int) -> dict[str, Any] | None:
    """One score's row (withdrawn or not); None if there is none."""
    rows = query(db, "SELECT * FROM qa_scores WHERE id = ?", [score_id])
    return rows[0] if rows else None


def edit_score(
    db: sqlite_utils.Database,
    at: datetime,
    who: str,
    score_id: int,
    points: dict[str, int],
    total: float,
    feedback: str,
    ip: str | None,
) -> bool:
    """New points and feedback for a score not withdrawn, audited with the total before; False if none."""
    row = find_score(db, score_id)
    if row is None or row["withdrawn_at"]:
        return False
    db.execute(
        "UPDATE qa_scores SET points = ?, total = ?, feedback = ?, edited_at = ?, read_at = NULL "
        "WHERE id = ?",
        [json.dumps(points, ensure_ascii=False, sort_keys=True), total, feedback, stamp_of(at), score_id],
    )
    detail = f"score={score_id} total={row['total']}->{total}"
    audit.record(db, at, who, "score_edited", row["call_id"], detail, ip)
    return True


def withdraw_score(db: sqlite_utils.Database, at: datetime, who: str, score_id: int, ip: str | None) -> bool:
    """Withdraw a score (it stays, struck through), audited; False if none or already withdrawn."""
    row = find_score(db, score_id)
    if row is None or row["withdrawn_at"]:
        return False
    db.execute(
        "UPDATE qa_scores SET withdrawn_at = ?, withdrawn_by = ? WHERE id = ?", [stamp_of(at), who, score_id]
    )
    audit.record(db, at, who, "score_withdrawn", row["call_id"], f"score={score_id} total={row['total']}", ip)
    return True


def stamp_of(at: datetime) -> str:
    return at.isoformat(timespec="seconds")
