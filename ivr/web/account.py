"""/account/language: each user's choice of the desk's language (Korean by default, or English).

In Korean the desk shows Korean only; in English, each label's English beside
it (the Korean stays: colleagues, citizens and the documents speak it). The
choice is kept on the user, so it follows them to any PC.
"""

from __future__ import annotations

from aiohttp import web

from ivr.admin.problems import NotLoggedIn
from ivr.store import users as user_rows
from ivr.web.access import logged_in
from ivr.web.context import DESK, user_of
from ivr.web.login import safe_next
from ivr.web.pages import see_other


@logged_in
async def set_language(request: web.Request) -> web.StreamResponse:
    desk, user = request.app[DESK], user_of(request)
    if user is None:
        raise NotLoggedIn()
    form = await request.post()
    language = "en" if form.get("language") == "en" else "ko"
    await desk.db.run(lambda db: user_rows.set_language(db, user.username, language))
    return see_other(safe_next(str(form.get("next", "")) or None))


def add_routes(app: web.Application) -> None:
    app.router.add_post("/account/language", set_language)
