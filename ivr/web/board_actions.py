"""The wallboard's buttons: a supervisor listens to, whispers to or barges into a
counselor's call (their own phone rings into the *31-*33 code), or logs the
counselor out (*22). Each request, refused or not, is audited."""

from __future__ import annotations

from dataclasses import asdict

from aiohttp import web

from ivr.acd.actions import ActionResult
from ivr.acd.supervision import Mode
from ivr.store import audit
from ivr.web.access import allow
from ivr.web.context import DESK, client_ip, user_of

WHAT = {"listen": Mode.LISTEN, "whisper": Mode.WHISPER, "barge": Mode.BARGE, "logout": None}


@allow("supervisor")
async def board_action(request: web.Request) -> web.StreamResponse:
    desk = request.app[DESK]
    user = user_of(request)
    assert user is not None and desk.board is not None and desk.acd is not None
    counselor_id, what = request.match_info["counselor_id"], request.match_info["what"]
    if counselor_id not in desk.acd or what not in WHAT:
        raise web.HTTPNotFound()
    mode = WHAT[what]
    answer: ActionResult
    if mode is None:
        answer = desk.board.log_out(counselor_id)
    else:
        answer = await desk.board.supervise(user.username, counselor_id, mode)
    detail = what + (" ok" if answer.ok else f" refused: {answer.message_en}")
    now, ip = desk.clock(), client_ip(request)
    await desk.db.run(
        lambda db: audit.record(db, now, user.username, "board_action", counselor_id, detail, ip)
    )
    return web.json_response(asdict(answer), status=200 if answer.ok else 409)


def add_routes(app: web.Application) -> None:
    app.router.add_post("/api/wallboard/counselor/{counselor_id}/{what}", board_action)
