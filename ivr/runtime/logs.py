"""Log lines that carry the call they belong to."""

from __future__ import annotations

import contextvars
import logging
import sys

# The call a task is working for ("-": none). Set by ivr/calls/service.py as it
# starts each call's task; asyncio copies it into every task that task creates.
current_call: contextvars.ContextVar[str] = contextvars.ContextVar("current_call", default="-")


class _CallIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.call_id = current_call.get()
        return True


def setup(level: str = "INFO") -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(_CallIdFilter())
    handler.setFormatter(
        logging.Formatter("%(asctime)s %(levelname)-7s [call %(call_id)s] %(name)s: %(message)s")
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    logging.getLogger("aiohttp.access").setLevel(logging.WARNING)
