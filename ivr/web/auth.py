"""The desk middleware: loads the session and user, then lets a request through
only if its route's access rule (access.py) and the CSRF check allow it.

    no session, page           -> 303 to /login?next=<path>
    no session, /api/...       -> 401 JSON
    POST/PUT/PATCH/DELETE      -> 403 unless `csrf_token` (form) or X-CSRF-Token (header)
                                  equals the session's token
    role not allowed           -> 403 page or JSON

An unknown path answers like a protected one until the user has logged in,
so the routes cannot be listed from outside.
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import Awaitable, Callable
from urllib.parse import urlencode

from aiohttp import web

from ivr.admin.problems import CsrfRejected, DeskError, Forbidden, NotLoggedIn, PageNotFound
from ivr.web.access import access_of
from ivr.web.context import DESK, SESSION, USER, session_of, user_of
from ivr.web.cookies import COOKIE, clear_cookie
from ivr.web.pages import problem_response, see_other, wants_json

log = logging.getLogger(__name__)
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"


@web.middleware
async def desk_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    token = request.cookies.get(COOKIE)
    loaded = await request.app[DESK].sessions.load(token) if token else None
    if loaded is not None:
        request[SESSION], user = loaded
        if user is not None:
            request[USER] = user
    try:
        refusal = await _guard(request)
        return refusal if refusal is not None else await handler(request)
    except DeskError as error:
        return problem_response(request, error)


async def _guard(request: web.Request) -> web.StreamResponse | None:
    """A response refusing the request, or None to let it through (DeskError also refuses)."""
    match = request.match_info
    user = user_of(request)
    if match.http_exception is not None:  # 404/405: aiohttp's answer, once logged in
        if user is None:
            return _login_required(request)
        if match.http_exception.status == 404:
            raise PageNotFound()  # the desk's own page, not aiohttp's plain text
        return None
    rule = access_of(match.route.handler)
    if rule is None:
        log.error("%s %s has no access rule; refused", request.method, request.path)
        raise Forbidden()
    if not rule.public and user is None:
        return _login_required(request)
    if request.method in UNSAFE_METHODS:
        await _check_csrf(request)
    if user is not None and not rule.allows(user.role):
        raise Forbidden()
    return None


async def _check_csrf(request: web.Request) -> None:
    session = session_of(request)
    sent = request.headers.get(CSRF_HEADER)
    if sent is None and request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        value = (await request.post()).get(CSRF_FIELD)  # cached: the handler reads the form again
        sent = value if isinstance(value, str) else None
    if session is None or not sent or not hmac.compare_digest(sent.encode(), session.csrf_token.encode()):
        raise CsrfRejected()


def _login_required(request: web.Request) -> web.Response:
    if wants_json(request):
        response = problem_response(request, NotLoggedIn())
    else:
        # After log-in the browser comes back with GET: only a page it can GET is worth returning to.
        query = urlencode({"next": request.path_qs}) if request.method in ("GET", "HEAD") else ""
        response = see_other("/login" + (f"?{query}" if query else ""))
    if COOKIE in request.cookies and session_of(request) is None:
        clear_cookie(response, request.secure)  # a stale or unknown cookie
    return response
