"""One SQLite file, written by one thread, fed from asyncio.

A SQLite connection works only on the thread that made it, and one writer
keeps the order of events as they happened. WAL lets readers (the web desk,
reports) read while the writer writes.
"""

from __future__ import annotations

import asyncio
import logging
import queue
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import sqlite_utils

from ivr.errors import StoreError

log = logging.getLogger(__name__)
T = TypeVar("T")
_STOP = object()


class Database:
    """Runs functions of a sqlite_utils.Database on its own thread."""

    def __init__(self, path: Path, schema: Callable[[sqlite_utils.Database], None]) -> None:
        self.path = path
        self._schema = schema
        self._jobs: queue.Queue[Any] = queue.Queue()
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self._error: BaseException | None = None

    def start(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._thread = threading.Thread(target=self._serve, name="sqlite-writer", daemon=True)
        self._thread.start()
        self._ready.wait(30)
        if self._error is not None:
            raise StoreError(f"cannot open {self.path}: {self._error}") from self._error

    async def run(self, fn: Callable[[sqlite_utils.Database], T]) -> T:
        """Run fn(db) on the writer thread and return its result."""
        if self._thread is None:
            raise StoreError("the database is not open")
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()
        self._jobs.put((fn, loop, future))
        return await asyncio.shield(future)

    def close(self) -> None:
        """Finish every queued write, then close the file."""
        if self._thread is None:
            return
        self._jobs.put(_STOP)
        self._thread.join(30)
        self._thread = None

    def _serve(self) -> None:
        try:
            db = sqlite_utils.Database(self.path)
            db.execute("PRAGMA journal_mode=WAL")
            # NORMAL in WAL mode: a commit survives a crash of the service
            # (what matters here); only a power cut may lose the last ones.
            db.execute("PRAGMA synchronous=NORMAL")
            db.execute("PRAGMA busy_timeout=5000")
            self._schema(db)
        except BaseException as exc:  # reported to start()
            self._error = exc
            self._ready.set()
            return
        self._ready.set()
        while True:
            job = self._jobs.get()
            if job is _STOP:
                break
            fn, loop, future = job
            try:
                with db.conn:
                    result = fn(db)
            except Exception as exc:
                log.exception("database write failed")
                err = StoreError(f"{self.path}: {exc}")
                loop.call_soon_threadsafe(_set_exception, future, err)
            else:
                loop.call_soon_threadsafe(_set_result, future, result)
        db.conn.close()


def _set_result(future: asyncio.Future[Any], value: Any) -> None:
    if not future.done():
        future.set_result(value)


def _set_exception(future: asyncio.Future[Any], exc: BaseException) -> None:
    if not future.done():
        future.set_exception(exc)
