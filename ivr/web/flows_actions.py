"""What an admin does to a flow from its page: check, simulate, publish, roll back.

Check and simulate judge the editor's draft and change nothing. Publish and
rollback go through admin/drafts.py (the CLI's checker, versions and atomic
write): a draft with errors is refused with them and the file stays as it
was; a good one is written, versioned, audit-logged with who, and handed to
the running service, which takes it for new calls.
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from aiohttp import web
from multidict import MultiDictProxy

from ivr.admin import drafts
from ivr.admin.problems import InvalidInput, NoSuchVersion
from ivr.errors import HotlineError
from ivr.flows.loader import FlowError
from ivr.store import audit
from ivr.web.access import allow
from ivr.web.admin_users import acting_username as actor
from ivr.web.context import DESK, client_ip
from ivr.web.flow_view import Report, draft_of, flow_name, note_of, render_flow, setup_of
from ivr.web.pages import see_other

CHANGED_MEANWHILE = (
    "이 화면을 연 뒤에 다른 곳에서 이 콜 흐름 파일이 바뀌었습니다. 이력을 확인하신 뒤, "
    "이 초안으로 덮어쓰시려면 다시 게시해 주십시오. · The flow file changed since this page was opened; "
    "check the history, then publish again to replace it with this draft."
)
SIMULATED_CALLER = "01012345678"


@allow("admin")
async def check(request: web.Request) -> web.StreamResponse:
    name, setup = flow_name(request), setup_of(request)
    form = await request.post()
    text = draft_of(form)
    try:
        loaded = await asyncio.to_thread(drafts.check_draft, setup.cfg, name, text)
    except FlowError as exc:
        report = Report.of(setup, exc.problems, [])
    else:
        report = Report.of(setup, [], loaded[name].warnings)
    return await render_flow(request, name, draft=text, base=_base(form), note=note_of(form), report=report)


@allow("admin")
async def simulate(request: web.Request) -> web.StreamResponse:
    """Digits in, path out: the draft walked by the same engine as a call, with no phone."""
    name, setup = flow_name(request), setup_of(request)
    form = await request.post()
    text, digits, at = draft_of(form), str(form.get("digits", "")).strip()[:64], str(form.get("at", ""))
    keep: dict[str, Any] = {
        "draft": text,
        "base": _base(form),
        "note": note_of(form),
        "digits": digits,
        "at": at,
    }
    tz = request.app[DESK].timezone
    try:
        when = datetime.fromisoformat(at).replace(tzinfo=tz) if at else datetime.now(tz)
    except ValueError:
        problem = (
            "at: 날짜와 시각을 2026-09-25T10:00처럼 적어 주십시오. · "
            "at: give a date and time such as 2026-09-25T10:00."
        )
        return await render_flow(request, name, 400, problems=[problem], **keep)
    try:
        result = await drafts.simulate_draft(setup.cfg, name, text, when, SIMULATED_CALLER, digits)
    except FlowError as exc:
        return await render_flow(request, name, report=Report.of(setup, exc.problems, []), **keep)
    except ValueError as exc:
        return await render_flow(request, name, 400, problems=[f"digits: {exc}"], **keep)
    except TimeoutError:
        problem = "시뮬레이션이 끝나지 않았습니다. · The simulated call did not end."
        return await render_flow(request, name, 422, problems=[problem], **keep)
    return await render_flow(request, name, simulation=result, **keep)


@allow("admin")
async def publish(request: web.Request) -> web.StreamResponse:
    name, setup = flow_name(request), setup_of(request)
    form = await request.post()
    text, note, base = draft_of(form), note_of(form), _base(form)
    async with setup.lock:
        saved = await asyncio.to_thread(drafts.source, setup.cfg, name)
        if base and base != drafts.digest(saved):
            return await render_flow(request, name, 409, draft=text, note=note, problems=[CHANGED_MEANWHILE])
        who = actor(request)
        try:
            published = await asyncio.to_thread(drafts.publish_draft, setup.cfg, name, text, who, note)
        except FlowError as exc:
            report = Report.of(setup, exc.problems, [], refused="publish")
            return await render_flow(request, name, 422, draft=text, base=base, note=note, report=report)
        version = published.version_of(name)
        detail = (f"v{version}" if version else "unchanged") + (f" note={note}" if note else "")
        await _audit(request, "flow_published", name, detail)
        reloaded = await _reload(request)
    return _back(name, "published" if version else "unchanged", version, reloaded)


@allow("admin")
async def rollback(request: web.Request) -> web.StreamResponse:
    """Publish an earlier version again, as a new version (the history keeps every step)."""
    name, setup = flow_name(request), setup_of(request)
    form = await request.post()
    raw = str(form.get("version", ""))
    if not raw.isdigit() or len(raw) > 6:
        raise InvalidInput(["version: 되돌릴 버전 번호를 골라 주십시오. · version: choose a version number."])
    async with setup.lock:
        texts = {v["version"]: v["source"] for v in await asyncio.to_thread(drafts.versions, setup.cfg, name)}
        if int(raw) not in texts:
            raise NoSuchVersion(name, f"v{raw}")
        who, note = actor(request), f"rollback to v{raw}"
        try:
            published = await asyncio.to_thread(
                drafts.publish_draft, setup.cfg, name, texts[int(raw)], who, note
            )
        except FlowError as exc:
            report = Report.of(setup, exc.problems, [], refused="rollback")
            return await render_flow(request, name, 422, report=report)
        version = published.version_of(name)
        kept = f"v{version}" if version else "unchanged"
        await _audit(request, "flow_rolled_back", name, f"to v{raw} as {kept}")
        reloaded = await _reload(request)
    return _back(name, "rolled_back" if version else "unchanged", version, reloaded)


def _base(form: MultiDictProxy[Any]) -> str:
    """The digest of the file the editor was opened on (64 hex digits, else none)."""
    value = str(form.get("base", ""))
    return value if len(value) == 64 and all(c in "0123456789abcdef" for c in value) else ""


async def _audit(request: web.Request, action: str, flow: str, detail: str) -> None:
    desk = request.app[DESK]
    who, ip, now = actor(request), client_ip(request), desk.clock()

    await desk.db.run(lambda db: audit.record(db, now, who, action, flow, detail, ip))


async def _reload(request: web.Request) -> bool:
    """Hand the folder to the running service; False if it refused (the publish itself stands)."""
    reload = setup_of(request).reload
    if reload is None:
        return True
    try:
        await reload()
    except HotlineError:
        return False
    return True


def _back(name: str, done: str, version: int | None, reloaded: bool) -> web.Response:
    query = {"done": done} | ({"version": str(version)} if version else {})
    if not reloaded:
        query["reload"] = "failed"
    return see_other(f"/flows/{name}?" + urlencode(query))
