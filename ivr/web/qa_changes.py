"""A QA score changed after it was saved: edited or withdrawn, by its reviewer or a supervisor.

Each change is audited in the same transaction as the row (store/qa_scores.py);
the counselor sees an edited score as new feedback again.
"""

from __future__ import annotations

from aiohttp import web

from ivr.admin.problems import DeskError, Forbidden
from ivr.store import qa_scores
from ivr.store.reads import read
from ivr.store.users import User
from ivr.web.access import allow
from ivr.web.context import DESK, client_ip, user_of
from ivr.web.pages import json_body
from ivr.web.qa_scoring import checked


class NoSuchScore(DeskError):
    status = 404
    code = "no-such-score"

    def __init__(self) -> None:
        super().__init__("평가를 찾을 수 없습니다. · No such score.")


def may_change(user: User, scored_by: str) -> bool:
    """A reviewer changes their own scores; a supervisor anyone's."""
    return user.role == "supervisor" or user.username == scored_by


async def _own_score(request: web.Request) -> tuple[User, int, dict[str, object]]:
    desk, user = request.app[DESK], user_of(request)
    if user is None:
        raise Forbidden()
    raw = request.match_info["score_id"]
    score_id = int(raw) if raw.isdigit() and len(raw) < 12 else -1
    row = await read(desk.db, lambda db: qa_scores.find_score(db, score_id))
    if row is None or row["withdrawn_at"]:
        raise NoSuchScore()
    if not may_change(user, str(row["scored_by"])):
        raise Forbidden()
    return user, score_id, row


@allow("qa", "supervisor")
async def edit_call_score(request: web.Request) -> web.StreamResponse:
    """New points and feedback for a score (the same checks as a new one)."""
    desk = request.app[DESK]
    user, score_id, row = await _own_score(request)
    body = await json_body(request)
    card = desk.scorecards.get(str(row["scorecard"]))
    gone = "이 평가표는 더 이상 없습니다. · This scorecard no longer exists."
    given, total, feedback = checked(card, body, gone)
    now, ip, who = desk.clock(), client_ip(request), user.username
    if not await desk.db.run(
        lambda db: qa_scores.edit_score(db, now, who, score_id, given, total, feedback, ip)
    ):
        raise NoSuchScore()
    return web.json_response({"id": score_id, "total": total, "points": given})


@allow("qa", "supervisor")
async def withdraw_call_score(request: web.Request) -> web.StreamResponse:
    """Withdraw a score: it stays on the call, struck through, and counts nowhere."""
    desk = request.app[DESK]
    user, score_id, _ = await _own_score(request)
    now, ip, who = desk.clock(), client_ip(request), user.username
    if not await desk.db.run(lambda db: qa_scores.withdraw_score(db, now, who, score_id, ip)):
        raise NoSuchScore()
    return web.json_response({"id": score_id, "withdrawn": True})


def add_routes(app: web.Application) -> None:
    app.router.add_put("/api/scores/{score_id}", edit_call_score)
    app.router.add_post("/api/scores/{score_id}/withdraw", withdraw_call_score)
