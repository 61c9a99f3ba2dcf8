"""Background tasks kept by a key (a callback request, a case's call): one per key at a time."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine, Hashable
from typing import Any, Generic, TypeVar

log = logging.getLogger(__name__)

K = TypeVar("K", bound=Hashable)


class KeyedTasks(Generic[K]):
    """Tasks by key: a finished one forgets itself (its failure logged with `what`)."""

    def __init__(self, what: str) -> None:
        self.what = what
        self._tasks: dict[K, asyncio.Task[None]] = {}

    def __contains__(self, key: object) -> bool:
        return key in self._tasks

    def __len__(self) -> int:
        return len(self._tasks)

    def start(self, key: K, work: Coroutine[Any, Any, None], name: str) -> None:
        task = asyncio.create_task(work, name=name)
        self._tasks[key] = task
        task.add_done_callback(self._forget)

    def _forget(self, done: asyncio.Task[None]) -> None:
        for key, task in list(self._tasks.items()):
            if task is done:
                del self._tasks[key]
        if not done.cancelled() and done.exception() is not None:
            log.error("%s failed", self.what, exc_info=done.exception())

    async def join(self) -> None:
        """Return when every task running now has ended."""
        await asyncio.gather(*self._tasks.values(), return_exceptions=True)

    async def stop(self) -> None:
        """Cancel them all and wait until they have ended."""
        tasks = list(self._tasks.values())
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
