"""Asterisk REST Interface: requests, and Asterisk's errors mapped to ours.

The only HTTP code that speaks to Asterisk. Credentials go in the
Authorization header (aiohttp 3.14 deprecates `BasicAuth`/`auth=`).

Asterisk's refusals are this edge's AriError, with the HTTP status. The two
the call-center core acts on are re-raised as its own classes, from it: a
line that is gone as CallGone, and an Asterisk that cannot be reached (no
answer at all) as PbxUnreachable, from aiohttp's error.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from typing import Any

import aiohttp

from ivr.ari.request_phases import RequestPhases
from ivr.errors import CallError, CallGone, HotlineError, PbxUnreachable
from ivr.runtime.timings import Durations

log = logging.getLogger(__name__)


class AriError(HotlineError):
    """Asterisk's REST interface answered with an error; `status` is its HTTP status."""

    def __init__(self, message: str, status: int | None = None) -> None:
        self.status = status
        super().__init__(message)


# Whatever one request can raise: Asterisk's refusal, or the call's error it
# was re-raised as. For the places that let any failure go by.
REQUEST_ERRORS = (AriError, CallError)

# A channel or bridge can vanish between an event and our request. Asterisk
# then answers one of these (res/ari/resource_channels.c, resource_bridges.c:
# 404 not found, 409 not in Stasis, 412 not in a bridge/state, 422 channel
# gone while adding to a bridge). 400 is also used for "Channel not found".
_GONE_STATUSES = frozenset({404, 409, 412, 422})
MAX_CONNECTIONS = 40  # at once to ARI; see AriRest.session
# Requests Asterisk carries out on the channel's own Stasis thread, one at a
# time and behind whatever that thread is doing (a playback, to its end), while
# its HTTP thread waits with no timeout (res/stasis/control.c, command.c):
# answer, variables, a bridge's addChannel and removeChannel. They get a pool of
# their own, so that a few of them parked behind prompts cannot hold every
# connection while other calls' prompts, rings and hangups wait (150 requests
# in flight against 40 connections were seen at 3 queued calls a second).
MAY_BLOCK_CONNECTIONS = 20
_MAY_BLOCK_ENDINGS = ("/answer", "/addChannel", "/removeChannel", "/variable")
# A connection Asterisk closed without an answer (its HTTP server past
# `sessionlimit` closes new ones at once; a keep-alive connection can close as
# a request goes out) never reached ARI: it is sent again, this often, this far
# apart, before the call is given up as "the PBX cannot be reached".
REFUSED_RETRIES = 3
REFUSED_PAUSE_SECONDS = 0.1


def may_block(method: str, path: str) -> bool:
    """Whether Asterisk runs this request on a channel's Stasis thread (see MAY_BLOCK_CONNECTIONS)."""
    return method == "POST" and path.endswith(_MAY_BLOCK_ENDINGS)


def is_gone(status: int, message: str) -> bool:
    """Whether Asterisk's answer means "that call leg no longer exists"."""
    return status in _GONE_STATUSES or (status == 400 and "not found" in message.lower())


def refusal(where: str, status: int, message: str, *, is_json: bool = True) -> Exception:
    """Asterisk's error answer as the exception the call path acts on (raised `from` the AriError)."""
    if status == 503 and not is_json:
        # Asterisk's HTTP server, not ARI, shutting down (main/http.c
        # answers every request with its HTML 503 page then).
        return PbxUnreachable(f"{where}: Asterisk is shutting down (503)")
    if status == 401:
        return AriError(f"{where}: Asterisk refused the ARI user name or password", 401)
    refused = AriError(f"{where}: {status} {message}", status)
    if is_gone(status, message):
        gone = CallGone(f"{where}: {message}")
        gone.__cause__ = refused
        return gone
    return refused


class AriRest:
    """REST calls against one Asterisk, sharing one aiohttp session."""

    def __init__(
        self,
        base_url: str,
        user: str,
        password: str,
        *,
        timeout: float = 10.0,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.headers = {"Authorization": aiohttp.encode_basic_auth(user, password)}
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._session: aiohttp.ClientSession | None = None
        self._channel_session: aiohttp.ClientSession | None = None
        # Its parts apart: pool wait, sending, Asterisk's answer (request_phases.py).
        self.phases = RequestPhases()
        # From asking to the answer, waiting for a free connection included:
        # what a call's step waits for. More in flight than MAX_CONNECTIONS
        # means requests queue for a connection.
        self.request_times = Durations()
        self.in_flight = 0
        self.in_flight_max = 0

    @property
    def session(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            # Asterisk's HTTP server drops connections past its `sessionlimit`
            # (400 in dialplan/http.conf.j2, 100 by default; the events WebSocket is one):
            # "HTTP session count exceeded", and the request fails as "Server
            # disconnected". The load benchmark's 200 callers got there; with
            # a pool well under the limit a burst of requests waits its turn.
            self._session = self._new_session(MAX_CONNECTIONS)
        return self._session

    @property
    def channel_session(self) -> aiohttp.ClientSession:
        """The pool for requests that may wait on a channel's thread (may_block)."""
        if self._channel_session is None or self._channel_session.closed:
            self._channel_session = self._new_session(MAY_BLOCK_CONNECTIONS)
        return self._channel_session

    def _new_session(self, limit: int) -> aiohttp.ClientSession:
        return aiohttp.ClientSession(
            headers=self.headers,
            timeout=self._timeout,
            connector=aiohttp.TCPConnector(limit=limit),
            trace_configs=[self.phases.trace_config()],
        )

    async def close(self) -> None:
        for session in (self._session, self._channel_session):
            if session is not None:
                await session.close()
        self._session = self._channel_session = None

    def url(self, path: str) -> str:
        return f"{self.base_url}/ari/{path.lstrip('/')}"

    async def request(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        body: dict[str, Any] | None = None,
    ) -> Any:
        """One request; the decoded JSON answer, or None for 204.

        Raises CallGone when the channel or bridge is gone, PbxUnreachable when
        Asterisk cannot be reached, AriError for anything else.
        """
        clean = {k: param(v) for k, v in (params or {}).items() if v is not None}
        where = f"{method} /ari/{path.lstrip('/')}"
        started = time.perf_counter()
        self.in_flight += 1
        self.in_flight_max = max(self.in_flight_max, self.in_flight)
        try:
            return await self._sent(method, path, where, clean, body)
        finally:
            self.in_flight -= 1
            self.request_times.add(time.perf_counter() - started)

    async def _sent(
        self, method: str, path: str, where: str, clean: dict[str, str], body: dict[str, Any] | None
    ) -> Any:
        refused = 0
        while True:
            try:
                return await self._once(method, path, where, clean, body)
            except (aiohttp.ServerDisconnectedError, aiohttp.ClientConnectorError) as exc:
                refused += 1
                if refused > REFUSED_RETRIES:
                    raise _unavailable(where, exc) from exc
                log.debug("%s: connection closed without an answer (%s); sending it again", where, exc)
                await asyncio.sleep(REFUSED_PAUSE_SECONDS * refused)
            except (TimeoutError, aiohttp.ClientConnectionError) as exc:
                raise _unavailable(where, exc) from exc

    async def _once(
        self, method: str, path: str, where: str, clean: dict[str, str], body: dict[str, Any] | None
    ) -> Any:
        session = self.channel_session if may_block(method, path) else self.session
        async with session.request(method, self.url(path), params=clean, json=body) as resp:
            text = await resp.text()
            if resp.status >= 400:
                message = message_of(text) or resp.reason or ""
                raise refusal(where, resp.status, message, is_json=resp.content_type == "application/json")
            if resp.status == 204 or not text:
                return None
            if resp.content_type == "application/json":
                return json.loads(text)
            return text

    async def get(self, path: str, **params: Any) -> Any:
        return await self.request("GET", path, params=params)

    async def post(self, path: str, body: dict[str, Any] | None = None, **params: Any) -> Any:
        return await self.request("POST", path, params=params, body=body)

    async def put(self, path: str, body: dict[str, Any] | None = None, **params: Any) -> Any:
        return await self.request("PUT", path, params=params, body=body)

    async def delete(self, path: str, **params: Any) -> Any:
        return await self.request("DELETE", path, params=params)

    async def read_bytes(self, path: str) -> bytes:
        """A binary resource, such as a stored recording's file."""
        try:
            async with self.session.get(self.url(path)) as resp:
                if resp.status >= 400:
                    message = message_of(await resp.text()) or resp.reason or ""
                    refused = AriError(f"GET /ari/{path}: {resp.status} {message}", resp.status)
                    if resp.status == 404:
                        raise CallGone(str(refused)) from refused
                    raise refused
                return await resp.read()
        except (TimeoutError, aiohttp.ClientConnectionError) as exc:
            raise _unavailable(f"GET /ari/{path}", exc) from exc


def _unavailable(where: str, exc: BaseException) -> PbxUnreachable:
    # A timeout's text is empty: "POST /ari/channels: " said nothing in the log.
    return PbxUnreachable(f"{where}: {str(exc) or type(exc).__name__}")


def param(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return ",".join(str(v) for v in value)
    return str(value)


def message_of(text: str) -> str:
    try:
        data = json.loads(text)
    except ValueError:
        return text.strip()[:200]
    if isinstance(data, dict):
        return str(data.get("message") or data.get("error") or "")
    return ""
