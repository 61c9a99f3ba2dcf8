"""One log-in attempt at a time per username and per address (see store/login_attempts.py)."""

from __future__ import annotations

import asyncio
import contextlib
import weakref
from collections.abc import AsyncIterator

from ivr.store.login_attempts import keys


class AttemptTurns:
    """One log-in attempt at a time per username and per address.

    Checking the lock, verifying the password and counting the failure are
    three steps; without turns, a burst of parallel attempts would all pass
    the check before the first failure is counted.
    """

    def __init__(self) -> None:
        # A lock lives while an attempt holds or awaits it.
        self._locks: weakref.WeakValueDictionary[str, asyncio.Lock] = weakref.WeakValueDictionary()

    @contextlib.asynccontextmanager
    async def turn(self, username: str, ip: str | None) -> AsyncIterator[None]:
        async with contextlib.AsyncExitStack() as stack:
            for key in sorted(keys(username, ip)):  # one order everywhere: no deadlock
                lock = self._locks.get(key)
                if lock is None:
                    lock = self._locks[key] = asyncio.Lock()
                await stack.enter_async_context(lock)
            yield
