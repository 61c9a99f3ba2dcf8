"""The standby service's web server: /healthz, and the desk sent on to the active service.

The standby holds no live state (counselors' states and the queue live in the
active's memory), so a wallboard of its own would show a center with nobody
in it. Every desk address is redirected (307) to the same address on the
active's desk, as the lease names it; with no active known, a short page
says so and the browser tries again by itself.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from html import escape

from aiohttp import web

from ivr.errors import HotlineError
from ivr.runtime.standby import Holder

ActiveHolder = Callable[[], Awaitable[Holder | None]]

WAIT_PAGE = """<!doctype html>
<html lang="ko"><head><meta charset="utf-8"><meta http-equiv="refresh" content="3">
<title>천년전주 콜센터 · 예비 서버</title></head>
<body><main>
<h1>예비 서버입니다</h1>
<p>이 서버는 운영 서버가 멈추면 이어받는 예비 서버입니다.
지금은 운영 중인 서버를 찾고 있습니다. 잠시 후 자동으로 다시 연결합니다.</p>
<p lang="en">This is the standby service; the active one is not known yet ({why}).
This page retries by itself.</p>
</main></body></html>
"""


def build(active: ActiveHolder, name: str, uptime: Callable[[], float]) -> web.Application:
    """The standby's app: `active()` reads the lease's holder from the store."""

    async def state() -> dict[str, object]:
        try:
            holder = await active()
        except HotlineError as exc:  # the store is unreachable: the standby says so, and stays up
            return {"healthy": False, "role": "standby", "name": name, "store_error": str(exc)}
        body: dict[str, object] = {"healthy": True, "role": "standby", "name": name}
        if holder is not None:
            body |= {"epoch": holder.epoch, "active": holder.name, "active_desk": holder.desk}
            body["active_live"] = holder.live
        body["uptime_seconds"] = round(uptime(), 1)
        return body

    async def healthz(request: web.Request) -> web.Response:
        body = await state()
        return web.json_response(body, status=200 if body["healthy"] else 503)

    async def healthz_active(request: web.Request) -> web.Response:
        # For a load balancer that sends desk traffic only to the active service.
        return web.json_response(await state(), status=503)

    async def desk(request: web.Request) -> web.StreamResponse:
        try:
            holder = await active()
        except HotlineError as exc:
            return _wait(f"the records' database: {exc}")
        if holder is None or not holder.live:
            return _wait("no service holds the lease")
        raise web.HTTPTemporaryRedirect(holder.desk.rstrip("/") + str(request.rel_url))

    app = web.Application()
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/healthz/active", healthz_active)
    app.router.add_route("*", "/{tail:.*}", desk)
    return app


def _wait(why: str) -> web.Response:
    return web.Response(
        text=WAIT_PAGE.format(why=escape(why)),
        status=503,
        content_type="text/html",
        headers={"Retry-After": "3", "Cache-Control": "no-store"},
    )
