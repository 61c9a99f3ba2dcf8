"""ARI requests sent over the events WebSocket ("RESTRequest", Asterisk 22.4 and later).

Asterisk reads one WebSocket's messages with one thread and carries out each
request before it reads the next (res/ari/ari_websockets.c: the session's read
loop calls ari_websocket_process_request inline). Two requests sent back to
back are therefore carried out in that order, the second as soon as the first
is done, with no round trip through the service between them. That is what a
new call's answer and its first prompt need (call_rest.py): the caller hears
the greeting as soon as the 200 OK is out, not after our reply to it (issue 23:
answer → first prompt p99 10.7 ms against app_queue's 4.2 on a quiet machine).

The same one thread makes the socket wrong for anything that may wait: a
request parked behind a playback on its channel's Stasis thread would hold
every later request on the socket. So only that pair goes here; everything
else goes over HTTP (rest.py).

An Asterisk without REST over the WebSocket ignores the messages: the socket is
used only after a probe sent at connect has been answered.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import aiohttp

from ivr.ari.rest import message_of, param, refusal
from ivr.errors import PbxUnreachable
from ivr.runtime.timings import Durations

log = logging.getLogger(__name__)

PROBE = "probe"  # the request id of the probe sent at every connect
LATE_READ_SECONDS = 0.5  # past the timeout: answers already read but not yet handled


@dataclass(frozen=True)
class SocketRequest:
    """One REST request: its method, path under /ari/ and query parameters."""

    method: str
    path: str
    params: dict[str, Any] = field(default_factory=dict)

    def uri(self) -> str:
        clean = {k: param(v) for k, v in self.params.items() if v is not None}
        return f"{self.path}?{urlencode(clean)}" if clean else self.path

    def where(self) -> str:
        return f"{self.method} /ari/{self.path} (over the events socket)"


class NothingSent(PbxUnreachable):
    """The socket closed before any of the requests was written: none reached Asterisk."""


class SocketRequests:
    """Requests over one events WebSocket, matched to their answers by request id."""

    def __init__(self, timeout: float = 10.0) -> None:
        self.timeout = timeout
        self._send: Callable[[str], Awaitable[None]] | None = None
        # Set once Asterisk has answered the probe on the current socket.
        self.taken = asyncio.Event()
        self._ids = itertools.count(1)
        self._waiting: dict[str, tuple[SocketRequest, asyncio.Future[Any]]] = {}
        # From sending a pair to the answer of its last request.
        self.request_times = Durations()

    @property
    def usable(self) -> bool:
        """Connected, and Asterisk has answered the probe (it carries out requests sent here)."""
        return self._send is not None and self.taken.is_set()

    async def attach(self, send: Callable[[str], Awaitable[None]]) -> None:
        """A new socket: ask Asterisk whether it takes requests on it (the probe's answer says so)."""
        self._send = send
        self.taken.clear()
        probe = {"type": "RESTRequest", "request_id": PROBE, "method": "GET", "uri": "asterisk/ping"}
        await send(json.dumps(probe))

    def detach(self, why: str) -> None:
        """The socket is gone: every request still waiting fails as "the PBX cannot be reached"."""
        self._send = None
        self.taken.clear()
        waiting, self._waiting = self._waiting, {}
        for request, future in waiting.values():
            if not future.done():
                future.set_exception(PbxUnreachable(f"{request.where()}: {why}"))

    async def send(self, requests: Sequence[SocketRequest]) -> list[asyncio.Future[Any]]:
        """Send these at once, in order; a future for each answer (JSON, or None).

        A refusal is the same exception an HTTP request would raise (rest.refusal).
        """
        if not self.usable or self._send is None:
            raise PbxUnreachable("the ARI events socket does not take requests now")
        loop = asyncio.get_running_loop()
        futures = []
        messages = []
        for request in requests:
            request_id = f"r{next(self._ids)}"
            future: asyncio.Future[Any] = loop.create_future()
            self._waiting[request_id] = (request, future)
            futures.append(future)
            messages.append(
                {
                    "type": "RESTRequest",
                    "request_id": request_id,
                    "method": request.method,
                    "uri": request.uri(),
                }
            )
        for sent, message in enumerate(messages):
            try:
                await self._send(json.dumps(message))
            except (ConnectionError, RuntimeError, aiohttp.ClientError) as exc:
                # The socket closed under us: what was sent is failed by detach(); if
                # nothing was, the caller may still go over HTTP (NothingSent).
                self.detach(f"the ARI events socket closed while sending ({exc})")
                for future in futures:
                    if future.done() and not future.cancelled():
                        future.exception()  # failed by detach(): raised below instead
                if sent == 0:
                    raise NothingSent(str(exc)) from exc
                raise PbxUnreachable(f"{requests[sent].where()}: the socket closed while sending") from exc
        return futures

    async def answers(self, futures: Sequence[asyncio.Future[Any]]) -> list[Any]:
        """Wait for every answer (at most `timeout`); the first refusal is raised, the rest read."""
        started = time.perf_counter()
        try:
            async with asyncio.timeout(self.timeout):
                await asyncio.wait(futures)
        except TimeoutError:
            # A service that stood still past the timeout (a stalled loop, SIGSTOP)
            # wakes with the answers in its socket's buffer, but its timers run before
            # the reader's task gets to them: the reader has a moment first.
            _, late = await asyncio.wait(futures, timeout=LATE_READ_SECONDS)
            if late:
                for future in futures:
                    future.cancel()
                raise PbxUnreachable(f"no answer over the ARI events socket in {self.timeout:g} s") from None
        finally:
            self.request_times.add(time.perf_counter() - started)
        for future in futures:
            refused = future.exception()
            if refused is not None:
                for other in futures:
                    other.exception()  # read: a second refusal is the first's consequence
                raise refused
        return [f.result() for f in futures]

    def on_response(self, message: dict[str, Any]) -> None:
        """A "RESTResponse" read from the socket."""
        request_id = str(message.get("request_id") or "")
        if request_id == PROBE:
            if int(message.get("status_code") or 0) == 200:
                self.taken.set()
            log.info(
                "ARI requests over the events socket: %s",
                "taken" if self.taken.is_set() else f"refused ({message.get('status_code')})",
            )
            return
        entry = self._waiting.pop(request_id, None)
        if entry is None:
            log.warning("an answer over the ARI events socket for no request (%s)", request_id or "no id")
            return
        request, future = entry
        if future.done():
            return
        status = int(message.get("status_code") or 0)
        body = message.get("message_body")
        text = body if isinstance(body, str) else ""
        if status >= 400 or status == 0:
            future.set_exception(
                refusal(request.where(), status, message_of(text) or str(message.get("reason_phrase") or ""))
            )
            return
        decoded = None
        if text:
            with contextlib.suppress(ValueError):
                decoded = json.loads(text)
        future.set_result(decoded)
