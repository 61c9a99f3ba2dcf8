"""The session cookie: HttpOnly, SameSite=Strict, ending with the browser.

It carries the token of a session kept in the `sessions` table (ivr/store/sessions.py).
"""

from __future__ import annotations

from aiohttp import web

COOKIE = "hotline_session"


def set_cookie(response: web.StreamResponse, token: str, secure: bool) -> None:
    """No Max-Age: the cookie ends with the browser; the server ends the session after 8 idle hours."""
    response.set_cookie(COOKIE, token, path="/", httponly=True, samesite="Strict", secure=secure or None)


def clear_cookie(response: web.StreamResponse, secure: bool) -> None:
    response.del_cookie(COOKIE, path="/", httponly=True, samesite="Strict", secure=secure or None)
