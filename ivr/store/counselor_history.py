"""Each counselor's last state, how long they have been in it, and today's calls,
read back from counselor_events so a restarted service does not start at zero.

Rows the restore itself wrote (note RESTORED_NOTE) are skipped: a state began
when the counselor entered it, not when the service came back. Stamps carry
the service host's offset, so "today" is compared as datetimes, not strings.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlite_utils

from ivr.acd.restart import RESTORED_NOTE, History

_RUN_LIMIT = 500  # rows read back per counselor to find where their last state began


def counselor_histories(db: sqlite_utils.Database, midnight: datetime, now: datetime) -> dict[str, History]:
    """counselor id -> History, for every counselor with a stored state change."""
    if not db.table("counselor_events").exists():
        return {}
    last = db.execute(
        "SELECT counselor_id, to_state, reason FROM counselor_events WHERE id IN "
        "(SELECT MAX(id) FROM counselor_events GROUP BY counselor_id)"
    ).fetchall()
    calls = _calls_since(db, midnight)
    found: dict[str, History] = {}
    for cid, state, reason in last:
        began = _state_began(db, cid, state, reason)
        seconds = max(0.0, (now - began).total_seconds()) if began is not None else None
        found[cid] = History(state, reason, seconds, calls.get(cid, 0))
    return found


def _state_began(db: sqlite_utils.Database, cid: str, state: str, reason: str | None) -> datetime | None:
    """When the counselor's own records last entered `state` (and `reason`)."""
    rows = db.execute(
        "SELECT to_state, reason, at FROM counselor_events WHERE counselor_id = ? "
        "AND COALESCE(note, '') != ? ORDER BY id DESC LIMIT ?",
        [cid, RESTORED_NOTE, _RUN_LIMIT],
    ).fetchall()
    began = None
    for to_state, to_reason, at in rows:
        if (to_state, to_reason) != (state, reason):
            break
        began = datetime.fromisoformat(at)
    return began


def _calls_since(db: sqlite_utils.Database, midnight: datetime) -> dict[str, int]:
    """Calls each counselor answered since `midnight` (reserved -> on_call, as calls_taken counts)."""
    rows = db.execute(
        "SELECT counselor_id, at FROM counselor_events WHERE from_state = 'reserved' AND "
        "to_state = 'on_call' AND COALESCE(note, '') != ? AND at >= ?",
        [RESTORED_NOTE, (midnight - timedelta(days=1)).isoformat()],
    ).fetchall()
    counts: dict[str, int] = {}
    for cid, at in rows:
        if datetime.fromisoformat(at) >= midnight:
            counts[cid] = counts.get(cid, 0) + 1
    return counts
