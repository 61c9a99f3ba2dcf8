"""/qa: QA staff find recorded calls, hear them beside their timeline, and score them.

Supervisors see callers' numbers whole; everyone else here sees them masked
(010-****-5678): judging a conversation needs no phone number. A counselor
sees only their own calls, with the scores and feedback given on them.
Opening a call and scoring it are in the audit log.
"""

from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta
from typing import Any

from aiohttp import web

from ivr.admin.problems import NoSuchCall, NotLoggedIn
from ivr.flows.path_words import spoken_path
from ivr.store import qa_scores
from ivr.store.reads import read
from ivr.store.recording_search import PAGE_SIZE, RecordingFilter, call_for_review, search
from ivr.store.users import User
from ivr.web import evidence_pages
from ivr.web.access import allow
from ivr.web.context import DESK, Desk, client_ip, user_of
from ivr.web.counselor_desk import TOPICS
from ivr.web.masking import mask_number
from ivr.web.pages import json_body, render
from ivr.web.qa_changes import may_change
from ivr.web.qa_scoring import checked
from ivr.web.recording_files import may_hear
from ivr.web.timeline_view import timeline
from ivr.web.timeline_words import Words

DEFAULT_DAYS = 7
FLAGS = {"": "전체 · All", "yes": "표시된 통화만 · Flagged only", "no": "표시 없는 통화만 · Not flagged"}


def _user(request: web.Request) -> User:
    user = user_of(request)
    if user is None:
        raise NotLoggedIn()
    return user


def shows_numbers(user: User) -> bool:
    """Supervisors call citizens back and need the number; QA and counselors here do not."""
    return user.role == "supervisor"


def _filter(desk: Desk, user: User, query: Any) -> tuple[RecordingFilter, dict[str, str], list[str]]:
    """The search form's fields, checked; problems name the field in both languages."""
    problems: list[str] = []
    today = desk.clock().astimezone(desk.timezone).date()
    form = {
        k: str(query.get(k, "")).strip()[:40]
        for k in ("from", "to", "counselor", "queue", "topic", "min", "max", "flagged", "page")
    }
    form["from"] = form["from"] or (today - timedelta(days=DEFAULT_DAYS - 1)).isoformat()
    form["to"] = form["to"] or today.isoformat()

    def day(field: str, label: str) -> date | None:
        try:
            return date.fromisoformat(form[field])
        except ValueError:
            problems.append(
                f"{label} 날짜는 2026-03-02처럼 써 주십시오. · '{field}' must be a date like 2026-03-02."
            )
            return None

    def seconds(field: str, label: str) -> float | None:
        if not form[field]:
            return None
        try:
            value = float(form[field])
        except ValueError:
            value = -1.0
        if not 0 <= value <= 86400:
            problems.append(
                f"{label}은(는) 0 이상의 초 단위 숫자로 써 주십시오. · '{field}' must be seconds (0 or more)."
            )
            return None
        return value

    since, until = day("from", "시작"), day("to", "끝")
    if since and until and since > until:
        problems.append("시작 날짜가 끝 날짜보다 늦습니다. · 'from' is after 'to'.")
    if form["counselor"] and form["counselor"] not in desk.counselors:
        problems.append("알 수 없는 상담사입니다. · Unknown counselor.")
    if form["topic"] and form["topic"] not in TOPICS:
        problems.append("알 수 없는 상담 분류입니다. · Unknown topic.")
    if form["flagged"] not in FLAGS:
        problems.append(
            "표시 여부는 전체, 표시된 통화, 표시 없는 통화 중에서 골라 주십시오. · Unknown 'flagged' value."
        )
    page = int(form["page"]) if form["page"].isdigit() and 0 < int(form["page"]) < 10000 else 1
    low, high = seconds("min", "최소 길이"), seconds("max", "최대 길이")
    counselor = user.counselor_id if user.role == "counselor" else (form["counselor"] or None)
    tz = desk.timezone
    f = RecordingFilter(
        since=datetime.combine(since, time(), tz) if since else None,
        until=datetime.combine(until + timedelta(days=1), time(), tz) if until else None,
        counselor_id=counselor,
        queue=form["queue"] or None,
        topic=form["topic"] or None,
        min_seconds=low,
        max_seconds=high,
        flagged={"yes": True, "no": False}.get(form["flagged"]),
        page=page,
    )
    return f, form, problems


@allow("qa", "supervisor", "counselor")
async def qa_page(request: web.Request) -> web.StreamResponse:
    desk, user = request.app[DESK], _user(request)
    if user.role == "counselor" and not user.counselor_id:
        return render(request, "qa.html", rows=[], total=0, form={}, problems=[], **_choices(desk))
    f, form, problems = _filter(desk, user, request.query)
    rows: list[dict[str, Any]] = []
    total = 0
    if not problems:
        rows, total = await read(desk.db, lambda db: search(db, f))
    show = shows_numbers(user)
    for row in rows:
        row["caller_shown"] = row["caller"] if show else mask_number(row["caller"])
        row["counselor_name"] = desk.counselors.get(row["counselor_id"] or "", row["counselor_id"] or "-")
        row["topic_name"] = TOPICS.get(row["topic"] or "", row["topic"] or "-")
    pages = max(1, -(-total // PAGE_SIZE))
    return render(
        request,
        "qa.html",
        status=400 if problems else 200,
        rows=rows,
        total=total,
        form=form,
        problems=problems,
        page=f.page,
        pages=pages,
        query={k: v for k, v in form.items() if k != "page"},
        **_choices(desk),
    )


def _choices(desk: Desk) -> dict[str, Any]:
    return {"counselors": desk.counselors, "topics": TOPICS, "flags": FLAGS, "queues": desk.queues}


@allow("qa", "supervisor", "counselor")
async def call_page(request: web.Request) -> web.StreamResponse:
    desk, user = request.app[DESK], _user(request)
    call_id = request.match_info["call_id"]
    found = await read(desk.db, lambda db: call_for_review(db, call_id))
    # Someone else's call answers like a missing one: no probing which ids exist.
    if found is None or not may_hear(user, found["call"]["counselor_id"]):
        raise NoSuchCall()
    call = found["call"]
    now, ip, who = desk.clock(), client_ip(request), user.username

    reader = user.counselor_id if user.role == "counselor" else None
    await desk.db.run(lambda db: qa_scores.reviewed(db, now, who, call_id, reader, ip))
    recordings = [r for r in found["recordings"] if r["kind"] == "conversation"] or found["recordings"]
    started = next(
        (datetime.fromisoformat(e["at"]) for e in found["events"] if e["kind"] == "recording_started"),
        datetime.fromisoformat(call["connected_at"]) if call["connected_at"] else None,
    )
    for s in found["scores"]:
        s["points"] = json.loads(s["points"] or "{}")
        s["can_change"] = not s["withdrawn_at"] and may_change(user, s["scored_by"])
    # A second score from the same reviewer is most often a mistake: the form says so first.
    mine = next((s for s in found["scores"] if s["scored_by"] == who and not s["withdrawn_at"]), None)
    words = Words(desk.counselors, desk.queues, desk.flow_words(), english=user.english)
    return render(
        request,
        "qa_call.html",
        call=call,
        caller_shown=call["caller"] if shows_numbers(user) else mask_number(call["caller"]),
        counselor_name=desk.counselors.get(call["counselor_id"] or "", call["counselor_id"] or "-"),
        recording=recordings[0] if recordings else None,
        recordings=found["recordings"],
        timeline=timeline(found["events"], started, desk.timezone, words),
        mine=mine,
        path_said=" → ".join(spoken_path((call["ivr_path"] or "").split(" > "), words.flow.steps)),
        notes=found["notes"],
        topics=TOPICS,
        scores=found["scores"],
        scorecards=desk.scorecards,
        can_score=user.role in ("qa", "supervisor", "admin"),
        evidence=evidence_pages.context(desk, call_id, user.role),
    )


@allow("qa", "supervisor")
async def add_call_score(request: web.Request) -> web.StreamResponse:
    """A scorecard filled in for a call, with feedback for its counselor."""
    desk, user = request.app[DESK], _user(request)
    call_id = request.match_info["call_id"]
    body = await json_body(request)
    card_id = str(body.get("scorecard") or "")
    card = desk.scorecards.get(card_id)
    given, total, feedback = checked(card, body, "알 수 없는 평가표입니다. · Unknown scorecard.")
    now, ip, who = desk.clock(), client_ip(request), user.username

    score_id = await desk.db.run(
        lambda db: qa_scores.score_call(db, now, who, call_id, card_id, given, total, feedback, ip)
    )
    if score_id is None:
        raise NoSuchCall()
    return web.json_response({"id": score_id, "total": total, "points": given}, status=201)


def add_routes(app: web.Application) -> None:
    app.router.add_get("/qa", qa_page)
    app.router.add_get("/qa/calls/{call_id}", call_page)
    app.router.add_post("/api/calls/{call_id}/scores", add_call_score)
