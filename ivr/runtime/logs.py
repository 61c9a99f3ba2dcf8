"""Log lines that carry the call they belong to, written off the event loop.

A call logs about ten lines. Formatted and written to the log file by the
task that logs them, they took a sixth of the event loop's busy time at 16
new calls a second (py-spy, 2026-12-07: the write and flush of every line,
and its timestamp), and every caller's next prompt waited behind them. The
loop now only puts the record on a queue; one thread formats and writes.
"""

from __future__ import annotations

import atexit
import contextvars
import logging
import logging.handlers
import queue
import sys

# The call a task is working for ("-": none). Set by ivr/calls/service.py as it
# starts each call's task; asyncio copies it into every task that task creates.
current_call: contextvars.ContextVar[str] = contextvars.ContextVar("current_call", default="-")

FORMAT = "%(asctime)s %(levelname)-7s [call %(call_id)s] %(name)s: %(message)s"

_listener: logging.handlers.QueueListener | None = None


class _CallIdFilter(logging.Filter):
    # On the queue's handler: it runs in the task that logs, where the call's
    # context variable is set (the writer thread has no call).
    def filter(self, record: logging.LogRecord) -> bool:
        record.call_id = current_call.get()
        return True


class _Handoff(logging.handlers.QueueHandler):
    """Hands the record over with its message merged here (an argument may
    change after the call) but its time and layout formatted by the writer
    (the stdlib's prepare() formats the whole line on the loop and copies the
    record). A traceback is made text here, while its frames are current."""

    def prepare(self, record: logging.LogRecord) -> logging.LogRecord:
        record.msg = record.getMessage()
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        # The exception object holds the frames: the text is what is written.
        record.exc_info = None
        return record


def setup(level: str = "INFO") -> None:
    """Log to stderr at `level`, through a writer thread; flushed at exit."""
    global _listener
    stop()
    writer = logging.StreamHandler(sys.stderr)
    writer.setFormatter(logging.Formatter(FORMAT))
    lines: queue.SimpleQueue[logging.LogRecord] = queue.SimpleQueue()
    handoff = _Handoff(lines)
    handoff.addFilter(_CallIdFilter())
    root = logging.getLogger()
    root.handlers[:] = [handoff]
    root.setLevel(level)
    logging.getLogger("aiohttp.access").setLevel(logging.WARNING)
    _listener = logging.handlers.QueueListener(lines, writer)
    _listener.start()
    atexit.register(stop)


def stop() -> None:
    """Write every line still queued and end the writer thread."""
    global _listener
    listener, _listener = _listener, None
    if listener is not None:
        listener.stop()
