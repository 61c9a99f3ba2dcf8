"""Server-rendered pages: Jinja2 with autoescaping, error pages and JSON errors, safe headers."""

from __future__ import annotations

import json
import re
from datetime import tzinfo
from pathlib import Path
from typing import Any

import jinja2
from aiohttp import web

from ivr.admin.problems import DeskError, InvalidInput
from ivr.protection.situations import situation_of
from ivr.store.stamps import parse_stamp
from ivr.store.users import ROLES
from ivr.web.context import DESK, session_of, user_of

TEMPLATES = Path(__file__).parent / "templates"
STATIC = Path(__file__).parent / "static"

_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    # No inline script or style: a page's JavaScript and CSS come from /static.
    "Content-Security-Policy": (
        "default-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'; object-src 'none'"
    ),
}


_HANGUL = re.compile("[\uac00-\ud7a3]")


def situation_label(flag: str | None) -> str:
    """A call's flag in the desk's words: the situation it was ended for."""
    found = situation_of(flag)
    return f"{found.label_ko} · {found.value}" if found else (flag or "")


def environment(timezone: tzinfo) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )

    def local(text: str | None) -> str:
        """A stored UTC stamp as local 'YYYY-MM-DD HH:MM'; '-' for none."""
        return parse_stamp(text).astimezone(timezone).strftime("%Y-%m-%d %H:%M") if text else "-"

    @jinja2.pass_context
    def en(context: jinja2.runtime.Context, text: str) -> str:
        """The English half (" · English") for a user who chose English, else nothing: for titles,
        attributes and options, where a `<span class="en">` (hidden by desk.css) cannot go."""
        user = context.get("user")
        return f" · {text}" if user is not None and getattr(user, "english", False) else ""

    @jinja2.pass_context
    def words(context: jinja2.runtime.Context, text: str) -> str:
        """A "한국어 · English" pair from the code (roles, situations, notices, problems) in the
        user's language; the English half is the last part, with no Korean in it."""
        if not isinstance(text, str):
            return text
        korean, dot, english = text.rpartition(" · ")
        return korean + en(context, english) if dot and not _HANGUL.search(english) else text

    env.filters["local"] = local
    env.globals["en"] = en
    env.globals["words"] = words
    env.filters["situation"] = situation_label
    env.globals["roles"] = ROLES
    return env


def render(request: web.Request, template: str, status: int = 200, **context: Any) -> web.Response:
    """Render a page with the user and the session's CSRF token available to it."""
    session = session_of(request)
    page = (
        request.app[DESK]
        .templates.get_template(template)
        .render(
            user=user_of(request),
            csrf_token=session.csrf_token if session else "",
            path=request.path,
            **context,
        )
    )
    return web.Response(text=page, status=status, content_type="text/html", charset="utf-8")


async def json_body(request: web.Request) -> dict[str, Any]:
    """The request's JSON object, or a 400 saying it must be one."""
    try:
        body = await request.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        body = None
    if not isinstance(body, dict):
        raise InvalidInput(["요청 형식이 맞지 않습니다(JSON 객체). · The request must be a JSON object."])
    return body


def wants_json(request: web.Request) -> bool:
    return request.path.startswith("/api/")


def problem_response(request: web.Request, error: DeskError) -> web.Response:
    """The refusal as JSON for /api/ paths, as a page otherwise."""
    problems = error.problems if isinstance(error, InvalidInput) else [error.message]
    if wants_json(request):
        body = {"error": error.code, "message": error.message, "problems": problems}
        return web.json_response(body, status=error.status)
    return render(request, "error.html", status=error.status, error=error, problems=problems)


def style_nonce_policy(nonce: str) -> str:
    """The pages' policy, letting in <style> elements that carry `nonce` (and no other inline style)."""
    return f"{_HEADERS['Content-Security-Policy']}; style-src 'self' 'nonce-{nonce}'"


def softphone_policy(ws_origin: str) -> str:
    """The pages' policy, letting scripts also reach the softphone's WebSocket at `ws_origin`."""
    return f"{_HEADERS['Content-Security-Policy']}; connect-src 'self' {ws_origin}"


async def secure_headers(request: web.Request, response: web.StreamResponse) -> None:
    """on_response_prepare: no framing, no sniffing, no caching of pages with people's data."""
    for name, value in _HEADERS.items():
        response.headers.setdefault(name, value)
    if not request.path.startswith("/static/"):
        response.headers.setdefault("Cache-Control", "no-store")


def see_other(location: str) -> web.Response:
    """303 to a local path (returned, not raised, so cookies can be set on it)."""
    return web.Response(status=303, headers={"Location": location})
