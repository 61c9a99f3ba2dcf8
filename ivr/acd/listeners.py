"""Who watches the live queue: the wallboard's sockets, the callback runner, the fallback queue's members."""

from __future__ import annotations

import logging
from collections.abc import Callable

log = logging.getLogger(__name__)


class Listeners:
    """Callbacks told after every change of a counselor or of a line."""

    def __init__(self) -> None:
        self._all: list[Callable[[], None]] = []

    def subscribe(self, listener: Callable[[], None]) -> Callable[[], None]:
        """Call `listener()` after every change; returns the unsubscribe."""
        self._all.append(listener)
        return lambda: self._all.remove(listener) if listener in self._all else None

    def notify(self) -> None:
        for listener in list(self._all):
            try:
                listener()
            except Exception:
                # A broken watcher (a web socket) must never stop the queue.
                log.exception("a dispatcher listener failed")
