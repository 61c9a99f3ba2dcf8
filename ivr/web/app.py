"""The web server: /healthz now; the desk, wallboard and QA pages follow."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

Health = Callable[[], Awaitable[dict[str, Any]]]


def build(health: Health) -> web.Application:
    app = web.Application()

    async def healthz(request: web.Request) -> web.Response:
        state = await health()
        return web.json_response(state, status=200 if state["healthy"] else 503)

    app.router.add_get("/healthz", healthz)
    return app
