"""The service's web server: the desk (behind log-ins) plus /healthz and /metrics for machines."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from aiohttp import web

from ivr.acd.actions import CounselorActions
from ivr.acd.dispatcher import Dispatcher
from ivr.config import ScorecardSettings
from ivr.reports.metrics import Rules
from ivr.store.db import Database
from ivr.web.access import public
from ivr.web.context import FlowsSetup
from ivr.web.desk import build_desk

Health = Callable[[], Awaitable[dict[str, Any]]]


def build(
    health: Health,
    metrics: Callable[[], str],
    db: Database,
    *,
    counselors: Mapping[str, str],
    timezone: str,
    acd: Dispatcher | None = None,
    actions: CounselorActions | None = None,
    call_command: Callable[[str, str], bool] | None = None,
    departments: Sequence[str] = (),
    recordings_root: Path | None = None,
    queues: Mapping[str, str] | None = None,
    scorecards: Mapping[str, ScorecardSettings] | None = None,
    flows: FlowsSetup | None = None,
    report_rules: Rules | None = None,
) -> web.Application:
    """The desk as the root application, with /healthz and /metrics open to monitors.

    Neither names a caller or a counselor; the web server listens on loopback
    unless config.yaml says otherwise. acd: the dispatcher, for the live
    wallboard and counselor desks; actions: what counselors may ask of it
    (by default CounselorActions(acd)); flows: the call flows' pages.
    """
    app = build_desk(
        db,
        counselors=counselors,
        timezone=timezone,
        acd=acd,
        actions=actions,
        call_command=call_command,
        departments=departments,
        recordings_root=recordings_root,
        queues=queues,
        scorecards=scorecards,
        flows=flows,
        report_rules=report_rules,
    )

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
    app.router.add_get("/metrics", prometheus)
    return app
