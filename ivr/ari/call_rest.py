"""One call's requests to Asterisk, with its answer held back to go out with its first prompt.

A new call used to be answered (one request, Asterisk's reply), then its record
written, then its first prompt asked for (a second request): between the 200 OK
and the greeting's first sound lay our round trip, the record's write and
Asterisk's second request. Held back, the answer is sent with the first prompt
over the events socket, where Asterisk carries the two out one after the other
(socket_requests.py): the greeting follows the 200 OK as closely as dialplan's
Answer() and Playback() do.

Any other request of the call's sends a held answer first (over HTTP, awaited),
so nothing reaches the channel before its answer; and a flow that asks for no
request soon (a first step that looks records up) is answered after
ANSWER_AT_LATEST_SECONDS anyway: the caller rings at most that much longer.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from ivr.ari.rest import AriRest
from ivr.ari.socket_requests import NothingSent, SocketRequest, SocketRequests

log = logging.getLogger(__name__)

ANSWER_AT_LATEST_SECONDS = 0.2


class CallRest:
    """The requests one call's parts send (post, delete), through the shared ARI client."""

    def __init__(self, rest: AriRest, socket: SocketRequests | None, call_id: str) -> None:
        self.rest = rest
        self.socket = socket
        self.call_id = call_id
        self._held = False
        self._answering: asyncio.Future[Any] | None = None
        self._deadline: asyncio.TimerHandle | None = None

    async def answer(self) -> None:
        """Answer the caller: with the next prompt (or before any other request, or soon)
        where the events socket takes requests, else now, over HTTP."""
        if self.socket is None or not self.socket.usable:
            await self.rest.post(self._answer_path)
            return
        self._held = True
        loop = asyncio.get_running_loop()
        self._deadline = loop.call_later(ANSWER_AT_LATEST_SECONDS, self._answer_now)

    @property
    def _answer_path(self) -> str:
        return f"channels/{self.call_id}/answer"

    async def post(self, path: str, body: dict[str, Any] | None = None, **params: Any) -> Any:
        if self._held and body is None and path.startswith(f"channels/{self.call_id}/play/"):
            socket = self.socket
            if socket is not None and socket.usable:
                return await self._answer_and_play(socket, path, params)
        await self._answered_first()
        return await self.rest.post(path, body, **params)

    async def delete(self, path: str, **params: Any) -> Any:
        await self._answered_first()
        return await self.rest.delete(path, **params)

    def close(self) -> None:
        """The call is over: a held answer is not sent any more."""
        self._release()

    # -- the held answer ---------------------------------------------------
    async def _answer_and_play(self, socket: SocketRequests, path: str, params: dict[str, Any]) -> Any:
        self._release()
        answer = SocketRequest("POST", self._answer_path)
        try:
            futures = await socket.send([answer, SocketRequest("POST", path, params)])
        except NothingSent:
            # Nothing reached Asterisk: the two go over HTTP, as without the socket.
            self._send_answer()
            await self._answered_first()
            return await self.rest.post(path, None, **params)
        self._answering = futures[0]
        _answered, played = await socket.answers(futures)
        return played

    async def _answered_first(self) -> None:
        if self._held:
            self._send_answer()
        answering = self._answering
        if answering is not None:
            try:
                # Its failure (the caller gone) is this request's: raised here, once.
                await asyncio.shield(answering)
            except asyncio.CancelledError:
                if not answering.cancelled():
                    raise  # this call's own task is cancelled
                # Given up on without an answer (socket_requests.py): whether Asterisk
                # answered is not known, and that request already failed the call
                # path; what comes after it (the rescue to the fallback) goes on.
            finally:
                if answering.done():
                    self._answering = None

    def _answer_now(self) -> None:
        if not self._held:
            return
        log.debug("no prompt %.1f s after the answer was asked for: answering now", ANSWER_AT_LATEST_SECONDS)
        self._send_answer().add_done_callback(_read_quietly)

    def _send_answer(self) -> asyncio.Future[Any]:
        """The held answer, sent now over HTTP; what later requests wait for."""
        self._release()
        self._answering = asyncio.ensure_future(self.rest.post(self._answer_path))
        return self._answering

    def _release(self) -> None:
        self._held = False
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None


def _read_quietly(future: asyncio.Future[Any]) -> None:
    # The call's next request raises the same failure, where the call path handles it.
    if not future.cancelled():
        future.exception()
