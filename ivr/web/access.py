"""Who may reach a route: each handler declares it, and undeclared routes are refused.

    @public                      anyone (the log-in page, the style sheet)
    @logged_in                   any logged-in user
    @allow("supervisor", "qa")   these roles; admin is always allowed

The desk middleware (auth.py) reads the declaration of the matched route's
handler. `check_routes` runs at start-up and refuses to serve an app with
a route that has none, so a forgotten decorator fails loudly, not open.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

from aiohttp import web

from ivr.store.users import ROLES

H = TypeVar("H", bound=Callable[[web.Request], Awaitable[web.StreamResponse]])
_ATTR = "_desk_access"


@dataclass(frozen=True)
class Access:
    """A route's rule: public, any logged-in user (roles None), or these roles plus admin."""

    public: bool = False
    roles: frozenset[str] | None = None

    def allows(self, role: str) -> bool:
        return self.public or role == "admin" or self.roles is None or role in self.roles


def public(handler: H) -> H:
    setattr(handler, _ATTR, Access(public=True))
    return handler


def logged_in(handler: H) -> H:
    setattr(handler, _ATTR, Access())
    return handler


def allow(*roles: str) -> Callable[[H], H]:
    unknown = [r for r in roles if r not in ROLES]
    if unknown or not roles:
        raise ValueError(f"allow(): roles must be some of {', '.join(ROLES)}, got {roles}")

    def mark(handler: H) -> H:
        setattr(handler, _ATTR, Access(roles=frozenset(roles)))
        return handler

    return mark


def access_of(handler: object) -> Access | None:
    rule = getattr(handler, _ATTR, None)
    return rule if isinstance(rule, Access) else None


def unguarded_routes(app: web.Application) -> list[str]:
    """'METHOD /path' of every route whose handler declares no access rule."""
    return [
        f"{route.method} {route.resource.canonical if route.resource else '?'}"
        for route in app.router.routes()
        if access_of(route.handler) is None
    ]


def check_routes(app: web.Application) -> None:
    """Raise at start-up if any route has no access rule."""
    missing = unguarded_routes(app)
    if missing:
        raise RuntimeError(
            "routes without an access rule (decorate their handlers with public, logged_in or allow): "
            + ", ".join(missing)
        )
