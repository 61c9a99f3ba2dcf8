"""/flows: the call flows for admins — the list, one flow's page, its diagram, and version diffs.

Admins only, also for reading: a flow holds callers' numbers (a `caller`
node's blocked and priority lists), which supervisors have no need to see.
Changes go through flows_actions.py.
"""

from __future__ import annotations

import asyncio

from aiohttp import web

from ivr.admin import drafts
from ivr.admin.problems import InvalidInput, NoSuchVersion
from ivr.errors import HotlineError
from ivr.flows.loader import FlowError
from ivr.web import flows_actions
from ivr.web.access import allow
from ivr.web.flow_view import flow_name, render_flow, setup_of
from ivr.web.pages import render

DONE = {
    "published": "v{version} 버전으로 게시했습니다. 새로 걸려 오는 전화부터 적용됩니다. · "
    "Published as version {version}; new calls get it.",
    "rolled_back": "v{version} 버전으로 되돌려 게시했습니다. 새로 걸려 오는 전화부터 적용됩니다. · "
    "Rolled back and published as version {version}; new calls get it.",
    "unchanged": "지난 게시 뒤로 바뀐 내용이 없어 새 버전을 만들지 않았습니다. · "
    "Nothing changed since the last publish; no new version.",
}
RELOAD_FAILED = (
    "게시는 되었으나 실행 중인 서비스가 새 흐름을 받지 못했습니다. 서비스 기록을 확인해 주십시오. · "
    "Published, but the running service did not take the new flows; please see its log."
)


@allow("admin")
async def flows_list(request: web.Request) -> web.StreamResponse:
    flows = await asyncio.to_thread(drafts.statuses, setup_of(request).cfg)
    return render(request, "flows.html", flows=flows)


@allow("admin")
async def flow_page(request: web.Request) -> web.StreamResponse:
    name = flow_name(request)
    done, version = request.query.get("done", ""), request.query.get("version", "")
    notice = None
    if done in DONE and version.isdigit() and len(version) < 7:
        notice = DONE[done].format(version=version)
    problems = [RELOAD_FAILED] if request.query.get("reload") == "failed" else []
    return await render_flow(request, name, notice=notice, problems=problems)


@allow("admin")
async def flow_diagram(request: web.Request) -> web.StreamResponse:
    """The saved file drawn by Graphviz, served as its own image: an <img> runs no script in it."""
    name = flow_name(request)
    try:
        svg = await asyncio.to_thread(drafts.diagram_svg, setup_of(request).cfg, name)
    except FlowError as exc:
        lines = drafts.shown(setup_of(request).cfg, exc.problems)
        text = "저장된 파일에 오류가 있어 그림을 그리지 못했습니다. · The saved file has errors:\n"
        return web.Response(status=422, text=text + "\n".join(lines), charset="utf-8")
    except HotlineError as exc:
        return web.Response(status=503, text=str(exc), charset="utf-8")
    return web.Response(
        body=svg,
        content_type="image/svg+xml",
        charset="utf-8",
        # Opened on its own, the drawing still runs nothing and loads nothing.
        headers={"Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'"},
    )


@allow("admin")
async def flow_diff(request: web.Request) -> web.StreamResponse:
    """/flows/{name}/diff?to=N[&from=M]: what changed between two published versions (M = N-1);
    ?to=file: what the saved file changes in the published version."""
    name, cfg = flow_name(request), setup_of(request).cfg
    if request.query.get("to") == "file":  # the saved file against the published version
        found = await asyncio.to_thread(drafts.file_diff, cfg, name)
        if found is None:
            raise NoSuchVersion(name, "v1")
        latest, lines = found
        before, after = f"v{latest}", "파일 · file"
    else:
        to = _version_arg(request, "to", None)
        since = _version_arg(request, "from", to - 1)
        found_lines = await asyncio.to_thread(drafts.diff, cfg, name, since, to)
        if found_lines is None:
            raise NoSuchVersion(name, f"v{since}, v{to}")
        lines, before, after = found_lines, f"v{since}", f"v{to}"
    rows = [(_kind(line), line.rstrip("\n")) for line in lines]
    return render(request, "flow_diff.html", name=name, before=before, after=after, rows=rows)


def _version_arg(request: web.Request, key: str, default: int | None) -> int:
    raw = request.query.get(key)
    if raw is None and default is not None:
        return default
    if raw is None or not raw.isdigit() or len(raw) > 6:
        raise InvalidInput(
            [f"{key}: 버전 번호(숫자)를 적어 주십시오. · {key}: give a version number, such as 3."]
        )
    return int(raw)


def _kind(line: str) -> str:
    if line.startswith(("+++", "---")):
        return "file"
    if line.startswith("@@"):
        return "hunk"
    return {"+": "add", "-": "del"}.get(line[:1], "same")


def add_routes(app: web.Application) -> None:
    app.router.add_get("/flows", flows_list)
    app.router.add_get("/flows/{name}", flow_page)
    app.router.add_get("/flows/{name}/diagram.svg", flow_diagram)
    app.router.add_get("/flows/{name}/diff", flow_diff)
    app.router.add_post("/flows/{name}/check", flows_actions.check)
    app.router.add_post("/flows/{name}/simulate", flows_actions.simulate)
    app.router.add_post("/flows/{name}/publish", flows_actions.publish)
    app.router.add_post("/flows/{name}/rollback", flows_actions.rollback)
