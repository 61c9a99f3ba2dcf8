"""Reads for the live pages on their own read-only connection, off the event loop.

The service's one writer thread (ivr/store/db.py) keeps call records in
order; the wallboard and desks read often, so they read beside it (WAL lets
readers run while the writer writes) instead of queueing behind call writes.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TypeVar

import sqlite_utils

from ivr.store import engine
from ivr.store.db import Database

T = TypeVar("T")


async def read(db: Database, fn: Callable[[sqlite_utils.Database], T]) -> T:
    """fn(db) on a fresh read-only connection in a worker thread."""

    def run() -> T:
        conn = engine.read_only(db.path)
        try:
            return fn(conn)
        finally:
            conn.close()

    return await asyncio.to_thread(run)
