"""Log lines that carry the call they belong to."""

from __future__ import annotations

import logging
import sys

from ivr.calls.service import current_call


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
