"""The ARI events WebSocket, kept open for as long as the service runs.

Asterisk sends no events while the socket is down, and does not replay
StasisStart for channels that entered meanwhile. So after every connect the
caller of this module rebuilds its view from REST (`on_connect`), and only
then are events read again.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp

from ivr.ari.rest import REQUEST_ERRORS, AriRest
from ivr.ari.socket_requests import SocketRequests

log = logging.getLogger(__name__)

Event = dict[str, Any]

# The only event types the service acts on; Asterisk is told to send no
# others (PUT /applications/{app}/eventFilter). A queued call carried about
# 80 events, most of them ChannelVarset, ChannelDialplan, ChannelCallerId and
# the like, and Asterisk's one delivery thread per application fell 500
# behind at 3 new calls a second, which makes res_pjsip hold new SIP
# requests back ("taskprocessor queue reached 500 scheduled tasks").
# A test checks that every type the ARI edge names is here.
HANDLED_EVENTS = frozenset(
    {
        "StasisStart",
        "StasisEnd",
        "ChannelStateChange",
        "ChannelDtmfReceived",
        "ChannelHangupRequest",
        "ChannelDestroyed",
        "ChannelEnteredBridge",
        "ChannelLeftBridge",
        "BridgeDestroyed",
        "PlaybackStarted",
        "PlaybackFinished",
        "PlaybackStopped",  # named by the code; Asterisk 22 says PlaybackFinished
        "RecordingStarted",
        "RecordingFinished",
        "RecordingFailed",
        "EndpointStateChange",
        "ChannelHold",  # a counselor's phone holding the caller: music for them
        "ChannelUnhold",
        # Not an event: the answer to a request sent over this socket
        # (socket_requests.py). Asterisk sends it through the same filter
        # (ari_websockets.c, ari_websocket_send_event), so it must be allowed.
        "RESTResponse",
    }
)


class Backoff:
    """Capped exponential delays with jitter, so restarts don't stampede."""

    def __init__(self, first: float = 0.2, cap: float = 10.0, rng: random.Random | None = None):
        self.first = first
        self.cap = cap
        self.attempt = 0
        self._rng = rng or random.Random()

    def next(self) -> float:
        ceiling = min(self.cap, self.first * (2**self.attempt))
        self.attempt += 1
        return ceiling * self._rng.uniform(0.5, 1.0)

    def reset(self) -> None:
        self.attempt = 0


class EventStream:
    """Connects, reconciles, reads events; reconnects with backoff when dropped."""

    def __init__(
        self,
        rest: AriRest,
        app: str,
        on_event: Callable[[Event], None],
        on_connect: Callable[[], Awaitable[None]],
        backoff: Backoff | None = None,
        heartbeat: float = 10.0,
    ) -> None:
        self.rest = rest
        self.app = app
        self.on_event = on_event
        self.on_connect = on_connect
        self.backoff = backoff or Backoff()
        self.heartbeat = heartbeat
        self.connected = asyncio.Event()
        self.reconnects = 0
        self.last_error: str | None = None
        self._stopping = False
        self._ws: aiohttp.ClientWebSocketResponse | None = None
        # Requests sent over this socket (a new call's answer with its first prompt).
        self.requests = SocketRequests()

    def ws_url(self) -> str:
        base = self.rest.base_url.replace("http://", "ws://", 1).replace("https://", "wss://", 1)
        return f"{base}/ari/events?app={self.app}&subscribeAll=false"

    async def run(self) -> None:
        """Until stop(): stay connected, reconnecting with backoff."""
        first = True
        while not self._stopping:
            try:
                await self._connect_and_read(first)
                first = False
            except asyncio.CancelledError:
                raise
            except (TimeoutError, aiohttp.ClientError, OSError, *REQUEST_ERRORS) as exc:
                self.last_error = str(exc) or type(exc).__name__
            self.connected.clear()
            if self._stopping:
                break
            delay = self.backoff.next()
            log.warning("ARI events connection lost (%s); retrying in %.1f s", self.last_error, delay)
            await asyncio.sleep(delay)

    async def stop(self) -> None:
        self._stopping = True
        if self._ws is not None:
            await self._ws.close()

    async def _connect_and_read(self, first: bool) -> None:
        async with self.rest.session.ws_connect(self.ws_url(), heartbeat=self.heartbeat, autoping=True) as ws:
            self._ws = ws
            if not first:
                self.reconnects += 1
            try:
                # Events that arrive now wait in the socket until reconciling is done.
                await self.on_connect()
                await self.requests.attach(ws.send_str)
                self.connected.set()
                self.backoff.reset()
                self.last_error = None
                log.info("ARI events connected (app %s)", self.app)
                async for msg in ws:
                    if msg.type == aiohttp.WSMsgType.TEXT:
                        self._dispatch(msg.data)
                    elif msg.type == aiohttp.WSMsgType.ERROR:
                        raise aiohttp.ClientError(f"websocket error: {ws.exception()}")
                self.last_error = f"closed by Asterisk (code {ws.close_code})"
            finally:
                self.requests.detach("the ARI events connection was lost")
        self._ws = None

    def _dispatch(self, text: str) -> None:
        try:
            event = json.loads(text)
        except ValueError:
            log.warning("ignoring an ARI event that is not JSON: %.200s", text)
            return
        if not isinstance(event, dict) or not isinstance(event.get("type"), str):
            log.warning("ignoring an ARI event without a type: %.200s", text)
            return
        if event["type"] == "RESTResponse":
            self.requests.on_response(event)
            return
        if log.isEnabledFor(logging.DEBUG):
            log.debug("ARI %s %s", event["type"], _ids(event))
        try:
            self.on_event(event)
        except Exception:
            # One bad event must not take the connection (and every call) down.
            log.exception("handling ARI event %s failed", event.get("type"))


def _ids(event: dict[str, Any]) -> str:
    """What an event is about, for a DEBUG line: channel, playback, recording, bridge."""
    parts = []
    for key in ("channel", "playback", "recording", "bridge"):
        item = event.get(key)
        if isinstance(item, dict):
            parts.append(f"{key}={item.get('id') or item.get('name')}")
    return " ".join(parts)
