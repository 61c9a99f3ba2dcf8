"""What the flow pages share: the validated flow name, the admin's draft, and the page itself."""

from __future__ import annotations

import asyncio
import re
import secrets
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from multidict import MultiDictProxy

from ivr.admin import drafts, goal_times
from ivr.admin.flows import load_flows
from ivr.admin.problems import InvalidInput, NoSuchFlow
from ivr.errors import HotlineError
from ivr.flows.loader import FlowError
from ivr.flows.messages_ko import korean
from ivr.web.context import DESK, FlowsSetup
from ivr.web.pages import render, style_nonce_policy

MAX_DRAFT_CHARS = 200_000  # hotline.yaml is about 10,000
MAX_NOTE_CHARS = 200
_PROBLEM = re.compile(r"^(?P<file>[^:]+):(?P<line>\d+):(?P<col>\d+): (?P<message>.*)$", re.S)


@dataclass
class Report:
    """The checker's answer as the page shows it: errors and warnings with their lines."""

    errors: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[dict[str, Any]] = field(default_factory=list)
    refused: str = ""  # what was refused ("publish", "rollback"), if anything

    @classmethod
    def of(cls, setup: FlowsSetup, errors: list[str], warnings: list[str], refused: str = "") -> Report:
        return cls(
            [_located(p) for p in drafts.shown(setup.cfg, errors)],
            [_located(p) for p in drafts.shown(setup.cfg, warnings)],
            refused,
        )


def _located(problem: str) -> dict[str, Any]:
    """'hotline.yaml:12:5: message' -> its parts, so the page can point at line 12."""
    found = _PROBLEM.match(problem)
    if not found:
        return {"file": "", "line": None, "col": None, "message": problem, "message_ko": korean(problem)}
    message = found["message"].removeprefix("warning: ")
    return {
        "file": found["file"],
        "line": int(found["line"]),
        "col": int(found["col"]),
        "message": message,
        "message_ko": korean(message),  # None: no Korean form, the English is shown
    }


def setup_of(request: web.Request) -> FlowsSetup:
    setup = request.app[DESK].flows
    assert setup is not None  # the routes exist only on a desk with flows
    return setup


def flow_name(request: web.Request) -> str:
    """The {name} of the URL, only if it is a file in the flows folder (no path reaches elsewhere)."""
    name = request.match_info["name"]
    if name not in drafts.names(setup_of(request).cfg):
        raise NoSuchFlow()
    return name


def draft_of(form: MultiDictProxy[Any]) -> str:
    """The editor's text with the browser's CRLF line ends made LF again, as the file has them."""
    text = form.get("source")
    if not isinstance(text, str) or not text.strip():
        raise InvalidInput(["편집 내용이 비어 있습니다. · The flow text is empty."])
    if len(text) > MAX_DRAFT_CHARS:
        raise InvalidInput(
            [
                f"콜 흐름이 너무 깁니다({MAX_DRAFT_CHARS:,}자까지). · "
                f"The flow text is too long (at most {MAX_DRAFT_CHARS:,} characters)."
            ]
        )
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text if text.endswith("\n") else text + "\n"


def note_of(form: MultiDictProxy[Any]) -> str:
    note = str(form.get("note", "")).strip()
    if len(note) > MAX_NOTE_CHARS:
        raise InvalidInput(
            [f"메모는 {MAX_NOTE_CHARS}자까지입니다. · A note is at most {MAX_NOTE_CHARS} characters."]
        )
    return " ".join(note.split())


async def render_flow(
    request: web.Request,
    name: str,
    status: int = 200,
    *,
    draft: str | None = None,
    base: str | None = None,
    **context: Any,
) -> web.Response:
    """/flows/{name}: the diagram, the editor (the file, or the admin's draft), checks and history."""
    setup = setup_of(request)

    def read() -> tuple[str, list[dict[str, Any]], drafts.FlowStatus | None]:
        status_of = {s.name: s for s in drafts.statuses(setup.cfg)}
        return drafts.source(setup.cfg, name), drafts.versions(setup.cfg, name), status_of.get(name)

    saved, versions, flow_status = await asyncio.to_thread(read)
    goals = await asyncio.to_thread(_goals, setup, name)
    text = saved if draft is None else draft
    context.setdefault("report", None)
    context.setdefault("simulation", None)
    context.setdefault("problems", [])
    context.setdefault("notice", None)
    context.setdefault("note", "")
    context.setdefault("digits", "")
    context.setdefault("at", "")
    # The editor (CodeMirror) styles itself with <style> elements: this page's policy lets in
    # only those carrying its one-time nonce (style-mod falls back to <style> on a document).
    nonce = secrets.token_urlsafe(16)
    page = render(
        request,
        "flow.html",
        style_nonce=nonce,
        status=status,
        name=name,
        source=text,
        unsaved=text != saved,
        base=base or drafts.digest(saved),
        saved_digest=drafts.digest(saved)[:12],
        versions=list(reversed(versions)),
        latest=versions[-1]["version"] if versions else None,
        flow_status=flow_status,
        goals=goals,
        goal_names=goal_times.GOALS_KO,
        budget=setup.cfg.settings.ivr.counselor_budget_seconds,
        **context,
    )
    page.headers["Content-Security-Policy"] = style_nonce_policy(nonce)
    return page


def _goals(setup: FlowsSetup, name: str) -> dict[str, Any] | None:
    """Seconds to the goal for each way through the saved flow; None when it
    (or a flow it uses) does not load, or no voice can render its prompts."""
    try:
        paths, cut = goal_times.goal_paths(setup.cfg, load_flows(setup.cfg), name)
    except (FlowError, HotlineError, KeyError):
        return None
    return {"paths": paths, "cut": cut}
