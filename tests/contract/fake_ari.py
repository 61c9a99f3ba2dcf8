"""A small in-process ARI server: REST answers and an events WebSocket, scripted by tests.

It speaks the shapes of Asterisk's rest-api/api-docs (applications, channels,
asterisk/info) closely enough to hold the client to its contract: the
Authorization header, error statuses, dropped sockets and state rebuild.
"""

from __future__ import annotations

import asyncio
import base64
import json
from typing import Any
from urllib.parse import parse_qsl

from aiohttp import web

MAX_REQUEST_LINE = 4096


class FakeAri:
    def __init__(self, user: str = "hotline", password: str = "s3cret&#:x") -> None:
        self.user = user
        self.password = password
        self.startup_time = "2026-11-27T09:00:00.000+0900"
        self.channel_ids: list[str] = []
        self.bridge_ids: list[str] = []
        self.channels: dict[str, dict[str, Any]] = {}
        self.endpoint_states: dict[str, str] = {}
        self.requests: list[tuple[str, str, dict[str, str]]] = []
        self.bodies: dict[tuple[str, str], Any] = {}  # the last JSON body per (method, path)
        self.auth_seen: list[str] = []
        # (method, path) -> (status, body) for scripted answers
        self.answers: dict[tuple[str, str], tuple[int, Any]] = {}
        self.slow: dict[str, float] = {}  # path -> seconds before it answers
        # path -> how many more times to close the connection unanswered, as
        # Asterisk's http.c does past its sessionlimit ("HTTP session count exceeded")
        self.refuse: dict[str, int] = {}
        self.in_flight = 0
        self.in_flight_max = 0  # requests being answered at once: connections open at once
        self.sockets: list[web.WebSocketResponse] = []
        # Asterisk 22.4+ carries out "RESTRequest" messages sent on the events
        # socket, one at a time; older ones ignore them (the default here).
        self.takes_socket_requests = False
        self.via_socket: list[tuple[str, str, dict[str, str]]] = []
        self.connects = 0
        self.connected = asyncio.Event()
        self._new_request = asyncio.Event()
        self._app = web.Application(middlewares=[self._auth])
        self._app.router.add_get("/ari/events", self._events)
        self._app.router.add_route("*", "/ari/{path:.*}", self._rest)
        self._runner: web.AppRunner | None = None
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self) -> None:
        self._runner = web.AppRunner(self._app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    async def stop(self) -> None:
        for ws in list(self.sockets):
            await ws.close()
        if self._runner is not None:
            await self._runner.cleanup()

    @web.middleware
    async def _auth(self, request: web.Request, handler: Any) -> web.StreamResponse:
        header = request.headers.get("Authorization", "")
        self.auth_seen.append(header)
        expected = "Basic " + base64.b64encode(f"{self.user}:{self.password}".encode()).decode()
        if header != expected:
            return web.json_response({"message": "Authentication required"}, status=401)
        return await handler(request)

    async def _events(self, request: web.Request) -> web.StreamResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        self.sockets.append(ws)
        self.connects += 1
        self.connected.set()
        async for msg in ws:
            if self.takes_socket_requests and msg.type == web.WSMsgType.TEXT:
                await self._socket_request(ws, json.loads(msg.data))
        self.sockets.remove(ws)
        return ws

    async def _socket_request(self, ws: web.WebSocketResponse, message: dict[str, Any]) -> None:
        # As res/ari/ari_websocket_requests.c: carried out before the next is read.
        path, _, query = message["uri"].partition("?")
        params = dict(parse_qsl(query))
        request = (message["method"], path, params)
        self.requests.append(request)
        self.via_socket.append(request)
        self._new_request.set()
        if (delay := self._delay(path)) is not None:
            await asyncio.sleep(delay)
        status, body = self._reply(message["method"], path)
        answer: dict[str, Any] = {
            "type": "RESTResponse",
            "request_id": message.get("request_id", ""),
            "status_code": status,
            "reason_phrase": "OK" if status < 400 else "Error",
            "uri": path,
        }
        if isinstance(body, dict):
            answer |= {"content_type": "application/json", "message_body": json.dumps(body)}
        await ws.send_str(json.dumps(answer))

    def _delay(self, path: str) -> float | None:
        """Seconds to sit on `path` first: its own entry in `slow`, else an entry ending
        in "/" that it starts with (every prompt of a channel: "channels/X/play/")."""
        if path in self.slow:
            return self.slow[path]
        return next((s for p, s in self.slow.items() if p.endswith("/") and path.startswith(p)), None)

    async def _rest(self, request: web.Request) -> web.StreamResponse:
        path = request.match_info["path"]
        if len(f"{request.method} {request.raw_path} HTTP/1.1") > MAX_REQUEST_LINE:
            # As Asterisk's http.c answers a request line over its buffer.
            return web.Response(status=400, text="<p>Request line too long</p>")
        if self.refuse.get(path, 0) > 0:
            self.refuse[path] -= 1
            assert request.transport is not None
            request.transport.close()
            return web.Response(status=204)  # never sent: the connection is gone
        if request.can_read_body and request.content_type == "application/json":
            self.bodies[(request.method, path)] = await request.json()
        self.requests.append((request.method, path, dict(request.query)))
        self._new_request.set()  # seen, even while a slow one is still being answered
        self.in_flight += 1
        self.in_flight_max = max(self.in_flight_max, self.in_flight)
        try:
            if (delay := self._delay(path)) is not None:
                await asyncio.sleep(delay)
            return await self._answer(request, path)
        finally:
            self.in_flight -= 1

    async def _answer(self, request: web.Request, path: str) -> web.StreamResponse:
        self._new_request.set()
        status, body = self._reply(request.method, path)
        if body is None:
            return web.Response(status=status)
        if isinstance(body, str):
            return web.Response(status=status, text=body)
        return web.json_response(body, status=status)

    def _reply(self, method: str, path: str) -> tuple[int, Any]:
        """The status and body (JSON, text or None) Asterisk would answer."""
        scripted = self.answers.get((method, path))
        if scripted is not None:
            return scripted
        if path == "asterisk/info":
            return 200, {"status": {"startup_time": self.startup_time}, "system": {}}
        if path == "asterisk/ping":
            return 200, {"ping": "pong", "asterisk_id": "fake"}
        if path.startswith("applications/"):
            return 200, {
                "name": path.split("/")[1],
                "channel_ids": self.channel_ids,
                "bridge_ids": self.bridge_ids,
            }
        if method == "GET" and path.startswith("endpoints/PJSIP/"):
            resource = path.rsplit("/", 1)[1]
            state = self.endpoint_states.get(resource, "online")
            return 200, {"technology": "PJSIP", "resource": resource, "state": state}
        if method == "GET" and path.startswith("channels/"):
            channel = self.channels.get(path.split("/")[1])
            if channel is None:
                return 404, {"message": "Channel not found"}
            return 200, channel
        if method == "POST" and "/play/" in path:
            return 201, {"id": path.rsplit("/", 1)[1], "state": "queued"}
        return 204, None

    async def send(self, event: dict[str, Any] | str) -> None:
        """Push an event (or raw text) to every connected events socket."""
        text = event if isinstance(event, str) else json.dumps(event)
        for ws in list(self.sockets):
            await ws.send_str(text)

    async def drop(self) -> None:
        """Close every events socket, as Asterisk does when it restarts."""
        self.connected.clear()
        for ws in list(self.sockets):
            await ws.close()

    async def wait_request(
        self, method: str, prefix: str, timeout: float = 5.0, count: int = 1
    ) -> tuple[str, str, dict]:
        """The `count`-th request of that method whose path starts with `prefix`."""
        async with asyncio.timeout(timeout):
            while True:
                seen = [r for r in self.requests if r[0] == method and r[1].startswith(prefix)]
                if len(seen) >= count:
                    return seen[count - 1]
                self._new_request.clear()
                await self._new_request.wait()


def channel(channel_id: str, number: str = "01012345678") -> dict[str, Any]:
    return {
        "id": channel_id,
        "name": f"PJSIP/citizens-{channel_id}",
        "state": "Up",
        "caller": {"name": "", "number": number},
        "dialplan": {"context": "from-citizens", "exten": "2221000", "priority": 3},
        "language": "ko",
    }


def stasis_start(channel_id: str, *args: str) -> dict[str, Any]:
    return {
        "type": "StasisStart",
        "application": "hotline",
        "args": list(args),
        "channel": channel(channel_id),
    }
