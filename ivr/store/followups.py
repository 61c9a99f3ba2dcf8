"""Voicemails and callback requests as work for staff: new, assigned, done.

Plain functions on a database connection, for `ivr voicemails` / `ivr
callbacks` and for a web page later. Callback requests keep their own
statuses (the automatic runner's `new` and `queued`, then `done` or `failed`);
listed here, `new` means new or queued, and `assigned` takes a request away
from the automatic runner: the assigned person returns the call by hand.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlite_utils

from ivr.calls.followup_states import FollowupEvent, IllegalFollowupTransition, Kind, follow
from ivr.errors import HotlineError

STATUSES = ("new", "assigned", "done")
CALLBACK_STATUSES = (*STATUSES, "failed")
_CALLBACK_FILTER = {
    "new": "status IN ('new', 'queued')",
    "assigned": "status = 'assigned'",
    "done": "status = 'done'",
    "failed": "status = 'failed'",
}


def _stamp(at: datetime) -> str:
    return at.isoformat(timespec="seconds")


def _check(status: str | None, allowed: tuple[str, ...]) -> None:
    if status is not None and status not in allowed:
        raise HotlineError(f"--status {status!r}: use one of {', '.join(allowed)}")


def voicemails(db: sqlite_utils.Database, status: str | None = None) -> list[dict[str, Any]]:
    """Messages, oldest first (the order to return them in), optionally of one status."""
    _check(status, STATUSES)
    where = "WHERE status = ?" if status else ""
    return [
        dict(r)
        for r in db.query(f"SELECT * FROM voicemails {where} ORDER BY at, id", [status] if status else [])
    ]


def callbacks(db: sqlite_utils.Database, status: str | None = None) -> list[dict[str, Any]]:
    """Callback requests in the order of their places, with their listed status."""
    _check(status, CALLBACK_STATUSES)
    where = f"WHERE {_CALLBACK_FILTER[status]}" if status else ""
    rows = db.query(f"SELECT * FROM callbacks {where} ORDER BY COALESCE(place_at, requested_at), id")
    return [{**r, "listed": "new" if r["status"] in ("new", "queued") else r["status"]} for r in rows]


def _one(db: sqlite_utils.Database, table: str, item_id: int) -> dict[str, Any]:
    if table not in ("voicemails", "callbacks"):
        raise ValueError(f"no follow-up table {table!r}")
    rows = list(db.table(table).rows_where("id = ?", [item_id]))
    if not rows:
        what = "voicemail" if table == "voicemails" else "callback request"
        raise HotlineError(f"there is no {what} {item_id}")
    return rows[0]


def _known(counselor_id: str, known: list[str] | None) -> None:
    if known is not None and counselor_id not in known:
        raise HotlineError(f"{counselor_id!r} is no counselor in config.yaml (known: {', '.join(known)})")


def assign(
    db: sqlite_utils.Database,
    table: str,
    item_id: int,
    counselor_id: str,
    at: datetime,
    known: list[str] | None = None,
) -> None:
    """Give a voicemail or a callback request to a counselor to return."""
    _known(counselor_id, known)
    row = _one(db, table, item_id)
    status = _follow(table, item_id, row, FollowupEvent.ASSIGN)
    with db.conn:
        db.execute(
            f"UPDATE {table} SET status = ?, assigned_to = ?, assigned_at = ? WHERE id = ?",
            [status, counselor_id, _stamp(at), item_id],
        )


def done(db: sqlite_utils.Database, table: str, item_id: int, by: str, at: datetime) -> None:
    """Mark a voicemail or callback request handled, by its assignee (else `by`)."""
    row = _one(db, table, item_id)
    status = _follow(table, item_id, row, FollowupEvent.DONE_BY_HAND)
    handled_by = row.get("assigned_to") or by
    closed = "done_at" if table == "voicemails" else "closed_at"
    with db.conn:
        db.execute(
            f"UPDATE {table} SET status = ?, handled_by = ?, {closed} = ? WHERE id = ?",
            [status, handled_by, _stamp(at), item_id],
        )


def _follow(table: str, item_id: int, row: dict[str, Any], event: FollowupEvent) -> str:
    kind = Kind.VOICEMAIL if table == "voicemails" else Kind.CALLBACK
    try:
        return follow(kind, row["status"], event)
    except IllegalFollowupTransition as exc:
        by = f" (by {row['handled_by']})" if row.get("handled_by") else ""
        raise HotlineError(f"{item_id}: {exc}{by}") from None
