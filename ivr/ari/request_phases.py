"""Where an ARI request's time goes, measured apart (issue 23): waiting for a
pooled connection, sending the request, and Asterisk's answer.

The total (rest.py's `request_times`) cannot tell them apart: at 3 queued
calls a second requests took seconds with 150 in flight against a pool of
40 connections, which is either the pool (our side) or Asterisk parking the
request behind a playback on the channel's one Stasis thread (its side,
res/stasis/control.c). aiohttp's trace hooks give the three moments.
"""

from __future__ import annotations

import logging
import re
import time
from collections import Counter
from types import SimpleNamespace
from typing import Any

import aiohttp

from ivr.runtime.timings import Histogram

log = logging.getLogger(__name__)

# Asterisk's own time over this is logged with the request's kind: which
# requests Asterisk is slow to answer under load is what the next change needs.
SLOW_ANSWER_SECONDS = 1.0
_ID = re.compile(r"/[^/]*\d[^/]*")  # a path segment with a digit in it: an id or a name


def request_kind(method: str, path: str) -> str:
    """ "POST /ari/channels/{id}/play/{id}": the request without its ids."""
    return f"{method} {_ID.sub('/{id}', path)}"


class RequestPhases:
    """Histograms of the three parts of every ARI request."""

    def __init__(self) -> None:
        # From asking to a connection to send on: the pool's queue (all
        # MAX_CONNECTIONS busy) and, for a new connection, its TCP connect.
        self.pool_wait = Histogram()
        # From the connection to the request's last byte written.
        self.sending = Histogram()
        # From the last byte sent to the answer's headers: Asterisk's own time,
        # its HTTP thread waiting on the channel's Stasis thread included.
        self.answer = Histogram()
        self.slow: Counter[str] = Counter()  # request kind -> answers slower than SLOW_ANSWER_SECONDS

    def exposition(self, prefix: str) -> list[str]:
        return [
            *self.pool_wait.exposition(
                f"{prefix}_pool_wait_seconds", "ARI requests: waiting for a pooled (or new) connection."
            ),
            *self.sending.exposition(f"{prefix}_send_seconds", "ARI requests: sending the request."),
            *self.answer.exposition(
                f"{prefix}_answer_seconds", "ARI requests: from sent to Asterisk's answer (headers)."
            ),
            f"# HELP {prefix}_slow_answers_total ARI requests answered after over {SLOW_ANSWER_SECONDS:g} s.",
            f"# TYPE {prefix}_slow_answers_total counter",
            *(
                f'{prefix}_slow_answers_total{{request="{kind}"}} {n}'
                for kind, n in sorted(self.slow.items())
            ),
        ]

    def trace_config(self) -> aiohttp.TraceConfig:
        """Hooks for an aiohttp session that fill these histograms."""
        trace = aiohttp.TraceConfig()
        trace.on_request_start.append(self._started)
        trace.on_connection_queued_end.append(self._connected)
        trace.on_connection_create_end.append(self._connected)
        trace.on_connection_reuseconn.append(self._connected)
        trace.on_request_headers_sent.append(self._sent)
        trace.on_request_chunk_sent.append(self._sent)
        trace.on_request_end.append(self._answered)
        return trace

    # Each hook gets a namespace of its own request's (aiohttp makes one per request).
    async def _started(self, _session: Any, ctx: SimpleNamespace, _params: Any) -> None:
        ctx.asked = time.perf_counter()
        ctx.connected = None
        ctx.sent = None

    async def _connected(self, _session: Any, ctx: SimpleNamespace, _params: Any) -> None:
        # A queued request is also created or reused after its wait: the last one counts.
        ctx.connected = time.perf_counter()

    async def _sent(self, _session: Any, ctx: SimpleNamespace, _params: Any) -> None:
        ctx.sent = time.perf_counter()

    async def _answered(self, _session: Any, ctx: SimpleNamespace, params: Any) -> None:
        now = time.perf_counter()
        asked = getattr(ctx, "asked", now)
        connected = getattr(ctx, "connected", None) or asked
        sent = getattr(ctx, "sent", None) or connected
        self.pool_wait.add(connected - asked)
        self.sending.add(sent - connected)
        self.answer.add(now - sent)
        if now - sent > SLOW_ANSWER_SECONDS:  # named only then: not on every request's path
            kind = request_kind(params.method, params.url.path)
            self.slow[kind] += 1
            log.info("ARI %s: Asterisk answered after %.2f s", kind, now - sent)
