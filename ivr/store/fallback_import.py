"""Fallback calls become ordinary call records, once each, when the service is back.

While the service is down it hears no events at all, so the import reads
what Asterisk writes by itself: app_queue's queue_log (see queue_log.py).
A cursor (the file's inode, a byte offset and a line number) is kept in the
same SQLite transaction as the records it led to, and every imported call id
is remembered: a crash between the two, a restart, or reading the same lines
again never imports a call twice. The cursor never passes the first line of
a call still going on, so a call is imported once its last line is written.

queue_log rotated (`logger rotate`): the rest of the old file is read from
its rotated name (found by inode), then the new file from its start.

A database without a cursor starts where queue_log is now (before the first
call still going on): the calls before it belong to no record this database
kept. When there is no queue_log yet, the file that appears is read from its
start.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from pathlib import Path

import sqlite_utils

from ivr.store.call_rows import event_row, facts_of, row_of
from ivr.store.db import Database
from ivr.store.fallback_calls import FallbackRecord, merge, to_record
from ivr.store.queue_log import FALLBACK_QUEUE, FallbackCall, Scan, scan, split_lines

log = logging.getLogger(__name__)

SOURCE = "queue_log"
NO_FILE_YET = 0  # the inode of a cursor taken before queue_log existed


@dataclass(frozen=True)
class Cursor:
    """Where the next import starts reading."""

    inode: int
    offset: int
    line: int


def create_tables(db: sqlite_utils.Database) -> None:
    if not db.table("fallback_imports").exists():
        db.table("fallback_imports").create(
            {"call_id": str, "imported_at": str, "source": str, "line": int}, pk="call_id"
        )
    if not db.table("import_cursors").exists():
        db.table("import_cursors").create(
            {"source": str, "inode": int, "offset": int, "line": int, "updated_at": str}, pk="source"
        )


def read_cursor(db: sqlite_utils.Database) -> Cursor | None:
    create_tables(db)
    row = db.execute('SELECT inode, "offset", line FROM import_cursors WHERE source = ?', [SOURCE]).fetchone()
    return Cursor(*row) if row else None


def store(db: sqlite_utils.Database, records: list[FallbackRecord], cursor: Cursor) -> int:
    """Write the records not imported before, and the cursor; how many were new."""
    create_tables(db)
    now = datetime.now(UTC).isoformat(timespec="milliseconds")
    new = 0
    for rec in records:
        call_id = rec.facts.call_id
        if db.execute("SELECT 1 FROM fallback_imports WHERE call_id = ?", [call_id]).fetchone():
            continue
        # A caller the draining service sent here already has a record: complete it.
        existing = list(db.table("calls").rows_where("id = ?", [call_id]))
        facts = merge(facts_of(existing[0]), rec.facts) if existing else rec.facts
        db.table("calls").upsert(row_of(facts, open_=False), pk="id")
        db.table("call_events").insert_all(event_row(call_id, at, k, d) for at, k, d in rec.events)
        db.table("fallback_imports").insert(
            {"call_id": call_id, "imported_at": now, "source": SOURCE, "line": rec.first_line}
        )
        new += 1
    row = {"source": SOURCE, "inode": cursor.inode, "offset": cursor.offset, "line": cursor.line}
    db.table("import_cursors").upsert({**row, "updated_at": now}, pk="source")
    return new


class FallbackImporter:
    """Reads queue_log from the cursor and stores the finished fallback calls."""

    def __init__(
        self, db: Database, path: Path, tz: tzinfo, dialed: str, queue: str = FALLBACK_QUEUE
    ) -> None:
        self.db = db
        self.path = path
        self.tz = tz
        self.dialed = dialed
        self.queue = queue
        self._lock = asyncio.Lock()
        self.imported = 0

    async def import_new(self) -> int:
        """One pass: how many fallback calls became records."""
        async with self._lock:
            cursor = await self.db.run(read_cursor)
            found = await asyncio.to_thread(self.read, cursor)
            if found is None:
                if cursor is None:
                    await self.db.run(lambda db: store(db, [], Cursor(NO_FILE_YET, 0, 0)))
                return 0
            calls, after = found
            if cursor is None and calls:
                log.info("%d fallback call(s) in %s predate this database", len(calls), self.path)
                calls = []
            records = [to_record(c, self.tz, self.dialed) for c in calls]
            new = await self.db.run(lambda db: store(db, records, after))
        if new:
            log.info("imported %d fallback call(s) from %s", new, self.path)
        self.imported += new
        return new

    async def run(self, every: float) -> None:
        """Import at once, then every `every` seconds, until cancelled."""
        while True:
            try:
                await self.import_new()
            except Exception:
                # A bad file must never stop the service; the next pass tries again.
                log.exception("importing fallback calls from %s failed", self.path)
            await asyncio.sleep(every)

    def read(self, cursor: Cursor | None) -> tuple[list[FallbackCall], Cursor] | None:
        """The finished calls after `cursor`, and the cursor after them (None: no file yet)."""
        try:
            st = self.path.stat()
        except FileNotFoundError:
            return None
        start = Cursor(st.st_ino, 0, 0)
        finished: list[FallbackCall] = []
        carried: list[FallbackCall] = []
        keep: Cursor | None = None
        if cursor is not None and cursor.inode == NO_FILE_YET:
            pass  # the file appeared after the cursor was taken: all of it is new
        elif cursor is not None and cursor.inode != st.st_ino:
            old = self._rotated(cursor.inode)
            if old is None:
                log.warning("%s was replaced and its old file is gone; reading the new one", self.path)
            else:
                old_scan = self._scan(old, cursor, [])
                finished += old_scan.finished
                carried = old_scan.unfinished
                keep = Cursor(cursor.inode, old_scan.resume_offset, old_scan.resume_line)
        elif cursor is not None and st.st_size < cursor.offset:
            log.warning("%s is shorter than where the last import stopped; reading it again", self.path)
        elif cursor is not None:
            start = cursor
        new_scan = self._scan(self.path, start, carried)
        after = Cursor(st.st_ino, new_scan.resume_offset, new_scan.resume_line)
        still_open = {c.call_id for c in new_scan.unfinished}
        if keep is not None and any(c.call_id in still_open for c in carried):
            after = keep  # a call began in the rotated file and goes on: read it again next time
        return finished + new_scan.finished, after

    def _scan(self, path: Path, start: Cursor, carried: list[FallbackCall]) -> Scan:
        with path.open("rb") as f:
            f.seek(start.offset)
            data = f.read()
        lines, end_offset, end_line = split_lines(data, start.offset, start.line)
        return scan(lines, (end_offset, end_line), str(path), self.queue, carried, now=time.time())

    def _rotated(self, inode: int) -> Path | None:
        for candidate in sorted(self.path.parent.glob(f"{self.path.name}.*")):
            try:
                if candidate.stat().st_ino == inode:
                    return candidate
            except OSError:
                continue
        return None
