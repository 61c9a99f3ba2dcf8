"""One SQLite file (or PostgreSQL database), written by one thread, fed from asyncio.

A SQLite connection works only on the thread that made it, and one writer
keeps the order of events as they happened. WAL lets readers (the web desk,
reports) read while the writer writes. On PostgreSQL (storage.database:
postgresql://...) the same writer thread holds one connection: the order
of a call's writes is kept the same way (ivr/store/engine.py).
"""

from __future__ import annotations

import asyncio
import logging
import queue
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import sqlite_utils

from ivr.errors import HotlineError, StoreError
from ivr.store import engine
from ivr.store.engine import Target

log = logging.getLogger(__name__)
T = TypeVar("T")
_STOP = object()


# How long a write waits for another process's lock (a report, a backup, an
# admin's sqlite3 shell) before it is given up: long, because a call record
# must not be lost to a moment of contention.
BUSY_PATIENCE_SECONDS = 300.0
BEHIND_BATCH = 200  # writes nobody waits for, committed together at most
SLOW_JOB_SECONDS = 0.2  # a job this long in the queue and running is logged
SLOW_LOG_EVERY_SECONDS = 5.0
CHECKPOINT_EVERY_SECONDS = 1.0
WRITER_CHECKPOINT_PAGES = 20000


def _busy(exc: sqlite3.OperationalError) -> bool:
    return "locked" in str(exc) or "busy" in str(exc)


class Database:
    """Runs functions of a sqlite_utils.Database on its own thread."""

    def __init__(
        self,
        path: Target,
        schema: Callable[[sqlite_utils.Database], None],
        *,
        busy_ms: int = 5000,
        patience: float = BUSY_PATIENCE_SECONDS,
    ) -> None:
        self.path = path if engine.is_postgres(path) else Path(engine.checked(path))
        self._schema = schema
        self._busy_ms = busy_ms
        self._patience = patience
        self._jobs: queue.Queue[Any] = queue.Queue()
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self._error: BaseException | None = None
        self._slow_logged_at = -SLOW_LOG_EVERY_SECONDS
        self._checkpointer: threading.Thread | None = None
        self._closing = threading.Event()
        # Run first in every job's transaction when set: the standby lease's
        # epoch check (ivr/store/lease.py), which refuses a stale service's writes.
        self.fence: Callable[[sqlite_utils.Database], None] | None = None

    def start(self) -> None:
        if isinstance(self.path, Path):
            self.path.parent.mkdir(parents=True, exist_ok=True)
        self._thread = threading.Thread(target=self._serve, name="sqlite-writer", daemon=True)
        self._thread.start()
        self._ready.wait(30)
        if self._error is not None:
            raise StoreError(f"cannot open {engine.shown(self.path)}: {self._error}") from self._error
        self._closing.clear()
        if not isinstance(self.path, Path):
            return  # PostgreSQL writes its own checkpoints
        self._checkpointer = threading.Thread(target=self._checkpoints, name="sqlite-checkpoint", daemon=True)
        self._checkpointer.start()

    async def run(self, fn: Callable[[sqlite_utils.Database], T]) -> T:
        """Run fn(db) on the writer thread and return its result."""
        return await asyncio.shield(self.submit(fn))

    def behind(self, fn: Callable[[sqlite_utils.Database], Any]) -> None:
        """Queue fn(db) for the writer thread; nobody waits for it.

        It keeps its place in the order like any job, and is committed with the
        jobs of its kind queued beside it: fn writes with plain statements
        (db.execute), not sqlite_utils' table methods, which commit on their
        own. A failure is logged by the writer and undoes that job alone.
        Unlike submit(), the event loop is not woken when it is done: a call
        writes about twenty such lines, and each wake-up was a write to the
        loop's pipe and a callback."""
        if self._thread is None:
            raise StoreError("the database is not open")
        self._jobs.put((fn, None, None, time.monotonic()))

    def submit(self, fn: Callable[[sqlite_utils.Database], T]) -> asyncio.Future[T]:
        """Queue fn(db) for the writer thread now, and return its future.

        Jobs run in the order submitted, so a later job (a read included)
        sees every earlier one. A failed job is logged by the writer; whoever
        does not await the future loses nothing by it."""
        if self._thread is None:
            raise StoreError("the database is not open")
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()
        self._jobs.put((fn, loop, future, time.monotonic()))
        return future

    def close(self) -> None:
        """Finish every queued write, then close the file."""
        if self._thread is None:
            return
        self._closing.set()
        if self._checkpointer is not None:
            self._checkpointer.join(30)
            self._checkpointer = None
        self._jobs.put(_STOP)
        self._thread.join(30)
        self._thread = None

    def _serve(self) -> None:
        try:
            db = self._open()
        except BaseException as exc:  # reported to start()
            self._error = exc
            self._ready.set()
            return
        self._ready.set()
        carried: Any = None
        while True:
            job = carried if carried is not None else self._jobs.get()
            carried = None
            if job is _STOP:
                break
            if job[2] is None:
                # Writes nobody waits for, one after another in the queue: one
                # transaction for them all (see _write_behind).
                batch = [job]
                while len(batch) < BEHIND_BATCH:
                    try:
                        carried = self._jobs.get_nowait()
                    except queue.Empty:
                        break
                    if carried is _STOP or carried[2] is not None:
                        break
                    batch.append(carried)
                    carried = None
                self._write_behind(db, batch)
                continue
            fn, loop, future, submitted = job
            started = time.monotonic()
            try:
                result = self._patiently(db, fn)
            except HotlineError as exc:
                # A rule's refusal inside the job (a case changed meanwhile): its
                # writes are rolled back, and the caller gets the refusal as it is.
                _tell(loop, _set_exception, future, exc)
            except Exception as exc:
                log.exception("database write failed")
                _tell(loop, _set_exception, future, StoreError(f"{engine.shown(self.path)}: {exc}"))
            else:
                _tell(loop, _set_result, future, result)
            self._note_slow(fn, submitted, started)
        db.conn.close()

    def _write_behind(self, db: sqlite_utils.Database, batch: list[Any]) -> None:
        """Jobs nobody waits for, in one transaction, each undone alone if it fails.

        A call writes about twenty timeline lines and row updates. Each in a
        transaction of its own was a commit each (a WAL append and its index),
        and at 16 new calls a second the writer thread, which shares the GIL
        with the event loop, fell 100 jobs and 300 ms behind. Under load the
        queue holds many such jobs at once, and they now commit together."""
        started = time.monotonic()

        def each(d: sqlite_utils.Database) -> None:
            for fn, *_ in batch:
                try:
                    with _undone_alone(d):
                        fn(d)
                except HotlineError as exc:
                    log.warning("database write refused: %s", exc)
                except Exception:
                    log.exception("database write failed")

        try:
            self._patiently(db, each)
        except Exception:
            # The whole transaction: the fence refused it, or the file's lock outlasted patience.
            log.exception("%d database writes lost", len(batch))
        self._note_slow(batch[0][0], batch[0][3], started)

    def _open(self) -> sqlite_utils.Database:
        """The writer's connection, the schema made or brought up to date on it."""
        if not isinstance(self.path, Path):
            db = engine.connect(self.path)
            # PostgreSQL changes its schema in a transaction: all of a migration, or none of it.
            with db.conn:
                engine.install_compat(db)
                self._schema(db)
            return db
        db = sqlite_utils.Database(self.path)
        try:
            db.execute("PRAGMA journal_mode=WAL")
            # NORMAL in WAL mode: a commit survives a crash of the service
            # (what matters here); only a power cut may lose the last ones.
            db.execute("PRAGMA synchronous=NORMAL")
            db.execute(f"PRAGMA busy_timeout={int(self._busy_ms)}")
            # A checkpoint fsyncs the WAL and the file. Run by the writer
            # itself (every 1,000 pages), every call's writes wait behind that
            # fsync, on a disk busy with recordings; the checkpointer thread
            # does it instead, and this much larger limit is only a backstop
            # should it fall behind.
            db.execute(f"PRAGMA wal_autocheckpoint={WRITER_CHECKPOINT_PAGES}")
            self._schema(db)
        except BaseException:
            db.conn.close()
            raise
        return db

    def _checkpoints(self) -> None:
        """Copy the WAL into the file every second, on a connection of its
        own: PASSIVE never blocks the writer or readers, it only does what
        it can now. A failure is logged and tried again next time."""
        try:
            con = sqlite3.connect(self.path, timeout=self._busy_ms / 1000)
        except sqlite3.Error as exc:
            log.warning("no checkpoints for %s (%s): the writer does them", self.path, exc)
            return
        try:
            while not self._closing.wait(CHECKPOINT_EVERY_SECONDS):
                try:
                    con.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
                except sqlite3.Error as exc:
                    log.warning("checkpoint of %s failed: %s", self.path, exc)
        finally:
            con.close()

    def _note_slow(self, fn: Callable[..., Any], submitted: float, started: float) -> None:
        """Calls wait for their record's writes: a job that waited or ran long
        is logged (at most every few seconds), naming it and the queue behind it."""
        now = time.monotonic()
        if now - submitted < SLOW_JOB_SECONDS or now - self._slow_logged_at < SLOW_LOG_EVERY_SECONDS:
            return
        self._slow_logged_at = now
        log.warning(
            "database job %s waited %.0f ms and ran %.0f ms (%d more queued)",
            getattr(fn, "__qualname__", repr(fn)),
            (started - submitted) * 1000,
            (now - started) * 1000,
            self._jobs.qsize(),
        )

    def _patiently(self, db: sqlite_utils.Database, fn: Callable[[sqlite_utils.Database], Any]) -> Any:
        """fn(db) in one transaction, tried again while another process holds the file's lock.

        SQLite gives up after busy_timeout. The write lock is taken first
        (BEGIN IMMEDIATE), so a busy file is met before anything is written
        and the job can run again as it was, in the same order. (sqlite_utils
        commits after each of its own statements, so a job of several writes
        that loses the lock between them could repeat its first: the jobs here
        are one write, or a write and its audit row.)"""
        started = time.monotonic()
        attempt = 0
        while True:
            try:
                with db.conn:
                    if not db.conn.in_transaction:
                        db.execute("BEGIN IMMEDIATE")
                    if self.fence is not None:
                        self.fence(db)
                    return fn(db)
            except sqlite3.OperationalError as exc:
                waited = time.monotonic() - started
                if not _busy(exc) or waited > self._patience:
                    raise
                attempt += 1
                if attempt == 1 or attempt % 20 == 0:
                    log.warning(
                        "%s is locked by another process (%.0f s so far); the write waits", self.path, waited
                    )
                time.sleep(_retry_pause(attempt))


@contextmanager
def _undone_alone(db: sqlite_utils.Database) -> Iterator[None]:
    """One job inside a larger transaction: its writes are undone alone if it fails."""
    if not isinstance(db.conn, sqlite3.Connection):
        with db.conn:  # PostgreSQL: a nested transaction is a savepoint
            yield
        return
    # sqlite3's `with conn:` would commit (or undo) the whole transaction.
    db.execute("SAVEPOINT job")
    try:
        yield
    except BaseException:
        db.execute("ROLLBACK TO SAVEPOINT job")
        raise
    finally:
        db.execute("RELEASE SAVEPOINT job")


def _retry_pause(attempt: int) -> float:
    return min(2.0, 0.05 * 2**attempt)


def _tell(loop: asyncio.AbstractEventLoop, how: Callable[..., None], *args: Any) -> None:
    try:
        loop.call_soon_threadsafe(how, *args)
    except RuntimeError:
        # The loop is closed: a write queued behind (nobody awaits it) is
        # still written; there is just nobody left to tell.
        pass


def _set_result(future: asyncio.Future[Any], value: Any) -> None:
    if not future.done():
        future.set_result(value)


def _set_exception(future: asyncio.Future[Any], exc: BaseException) -> None:
    if not future.done():
        future.set_exception(exc)
