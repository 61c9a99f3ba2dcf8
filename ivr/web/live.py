"""Live pages over a WebSocket: a full snapshot on connect, then one after each change.

The dispatcher calls its listeners after every change (`acd.subscribe`); a
burst (thirty callers arriving, a routing pass touching every counselor) is
coalesced so a socket gets at most one snapshot per `COALESCE_SECONDS`, the
first change of a quiet spell at once. Figures that change without the
dispatcher (a call record closing) are refreshed every `REFRESH_SECONDS`.

The browser sends the session cookie with the handshake; the socket checks
the Origin (a page of another site must not open it with the user's cookie)
and re-checks the session every minute, so logging out or disabling a user
also ends their live pages.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlsplit

from aiohttp import WSCloseCode, WSMsgType, web

from ivr.acd.dispatcher import Dispatcher
from ivr.admin.problems import Forbidden
from ivr.web.context import DESK
from ivr.web.cookies import COOKIE

log = logging.getLogger(__name__)
SOCKETS = web.AppKey("live_sockets", set[web.WebSocketResponse])
COALESCE_SECONDS = 0.2
REFRESH_SECONDS = 3.0
SESSION_CHECK_SECONDS = 60.0
CLOSE_LOGGED_OUT = 4401  # the page reloads and lands on the log-in page

Snapshot = Callable[[], Awaitable[dict[str, Any]]]


def check_origin(request: web.Request) -> None:
    """Refuse a handshake started by a page of another site (cross-site WebSocket hijacking)."""
    origin = request.headers.get("Origin")
    if origin is not None and urlsplit(origin).netloc != request.host:
        raise Forbidden()


async def serve(request: web.Request, acd: Dispatcher, snapshot: Snapshot) -> web.StreamResponse:
    """Push `snapshot()` to a new socket now and after every change until it closes."""
    check_origin(request)
    desk = request.app[DESK]
    token = request.cookies.get(COOKIE, "")
    ws = web.WebSocketResponse(heartbeat=20)
    await ws.prepare(request)
    sockets = request.app[SOCKETS]
    sockets.add(ws)
    changed = asyncio.Event()
    unsubscribe = acd.subscribe(changed.set)
    reader = asyncio.create_task(_read_until_closed(ws))
    loop = asyncio.get_running_loop()
    next_check = loop.time() + SESSION_CHECK_SECONDS
    try:
        while not ws.closed and not reader.done():
            changed.clear()
            await ws.send_json(await snapshot())
            await asyncio.sleep(COALESCE_SECONDS)  # the burst window: changes meanwhile go in the next one
            waiter = asyncio.create_task(changed.wait())
            await asyncio.wait({waiter, reader}, timeout=REFRESH_SECONDS, return_when=asyncio.FIRST_COMPLETED)
            waiter.cancel()
            if loop.time() >= next_check:
                next_check = loop.time() + SESSION_CHECK_SECONDS
                loaded = await desk.sessions.load(token) if token else None
                if loaded is None or loaded[1] is None:
                    await ws.close(code=CLOSE_LOGGED_OUT, message=b"logged out")
    except (ConnectionResetError, RuntimeError) as exc:  # the browser went away mid-send
        log.debug("live socket %s ended: %s", request.path, exc)
    finally:
        sockets.discard(ws)
        unsubscribe()
        reader.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await reader
        await ws.close()
    return ws


def track_sockets(app: web.Application) -> None:
    """Keep the app's open sockets, and close them when it shuts down: otherwise the
    server would wait for pages that never hang up (aiohttp's shutdown waits for handlers)."""
    sockets: set[web.WebSocketResponse] = set()
    app[SOCKETS] = sockets

    async def close_all(app: web.Application) -> None:
        for ws in list(sockets):
            await ws.close(code=WSCloseCode.GOING_AWAY, message=b"service stopping")

    app.on_shutdown.append(close_all)


async def _read_until_closed(ws: web.WebSocketResponse) -> None:
    """The pages send nothing; reading is what notices a close or a dead peer."""
    async for message in ws:
        if message.type is WSMsgType.ERROR:
            break
