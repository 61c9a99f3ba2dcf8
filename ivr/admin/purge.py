"""Purging recordings by retention: the files go, the rows say who, when and why.

Used by `ivr recordings purge` (a dry run unless --apply) and by the running
service once a day at `retention.purge_at`. A purge writes an `audit` row when
the desk's audit table exists, besides the recordings row's own
purged_at / purged_by / purge_reason (both written by store/recordings.py).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlite_utils

from ivr.calls.retention import Decision, Kept, RetentionPolicy, decide
from ivr.errors import StoreError
from ivr.store import recordings
from ivr.store.db import Database

log = logging.getLogger(__name__)

SCHEDULE = "retention schedule"  # purged_by of the service's daily purge


@dataclass
class PurgeReport:
    """What a purge removed (or, in a dry run, would remove) and what it kept."""

    applied: bool
    purged: list[tuple[dict[str, Any], Decision]] = field(default_factory=list)
    kept: dict[str, int] = field(default_factory=dict)  # held | flagged | young -> count

    @property
    def bytes(self) -> int:
        return sum(int(r.get("bytes") or 0) for r, _ in self.purged)

    @property
    def seconds(self) -> float:
        return sum(float(r.get("seconds") or 0) for r, _ in self.purged)


def _kept(row: dict[str, Any]) -> Kept:
    return Kept(
        name=row["name"],
        call_id=row["call_id"],
        kind=row["kind"],
        recorded_at=datetime.fromisoformat(row["recorded_at"]),
        category=row.get("call_category") or row.get("category"),
        flagged=row.get("flagged"),
        legal_hold=bool(row.get("legal_hold")),
        hold_reason=row.get("hold_reason"),
    )


def purge(
    db: sqlite_utils.Database,
    root: Path,
    policy: RetentionPolicy,
    now: datetime,
    *,
    by: str,
    apply: bool,
) -> PurgeReport:
    """Judge every stored recording at `now`; with `apply`, delete what retention lets go."""
    rows = recordings.stored_with_call(db)
    report = PurgeReport(applied=apply)
    for row in rows:
        decision = decide(_kept(row), policy, now)
        if not decision.purge:
            report.kept[decision.keep] = report.kept.get(decision.keep, 0) + 1
            continue
        report.purged.append((row, decision))
        if apply:
            _purge_one(db, root, row, decision, now, by)
    if apply and report.purged:
        log.info("retention purged %d recording(s), %d bytes (by %s)", len(report.purged), report.bytes, by)
    return report


def _purge_one(
    db: sqlite_utils.Database, root: Path, row: dict[str, Any], decision: Decision, now: datetime, by: str
) -> None:
    if row.get("path"):
        (root / row["path"]).unlink(missing_ok=True)
    # Stamped with the real time, even when judged "as of" another (a dry look ahead).
    real = datetime.now(UTC)
    at = real.astimezone(now.tzinfo).isoformat(timespec="seconds")
    recordings.mark_purged(db, row, decision.reason, by=by, at=at, real=real)


def next_run(now: datetime, purge_at: str) -> datetime:
    """The next `purge_at` (HH:MM, in now's time zone) after `now`."""
    hour, minute = (int(x) for x in purge_at.split(":"))
    at = now.replace(hour=hour, minute=minute, second=0, microsecond=0)
    return at if at > now else (at + timedelta(days=1)).replace(hour=hour, minute=minute)


async def purge_daily(
    db: Database, root: Path, policy: RetentionPolicy, purge_at: str, now: Callable[[], datetime]
) -> None:
    """The service's schedule: purge every day at `purge_at`, until cancelled."""
    while True:
        wait = (next_run(now(), purge_at) - now()).total_seconds()
        await asyncio.sleep(max(1.0, wait))
        try:
            report = await db.run(lambda d: purge(d, root, policy, now(), by=SCHEDULE, apply=True))
        except (StoreError, OSError) as exc:
            log.error("ALERT the daily retention purge failed: %s", exc)
            continue
        log.info("daily retention purge: %d recording(s) removed, %d bytes", len(report.purged), report.bytes)
