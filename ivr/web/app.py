"""The service's web server: the desk (behind log-ins) plus /healthz and /metrics for machines."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from ivr.web.access import public
from ivr.web.context import DeskDeps
from ivr.web.desk import build_desk

Health = Callable[[], Awaitable[dict[str, Any]]]


def build(health: Health, metrics: Callable[[], str], deps: DeskDeps) -> web.Application:
    """The desk as the root application, with /healthz and /metrics open to monitors.

    Neither names a caller or a counselor; the web server listens on loopback
    unless config.yaml says otherwise. deps: what the desk works with (DeskDeps).
    """
    app = build_desk(deps)

    @public
    async def healthz(request: web.Request) -> web.Response:
        state = await health()
        return web.json_response(state, status=200 if state["healthy"] else 503)

    @public
    async def prometheus(request: web.Request) -> web.Response:
        return web.Response(
            text=metrics(), content_type="text/plain", charset="utf-8", headers={"Cache-Control": "no-store"}
        )

    app.router.add_get("/healthz", healthz)
    app.router.add_get("/healthz/active", healthz)  # the standby answers 503 here (web/standby.py)
    app.router.add_get("/metrics", prometheus)
    return app
