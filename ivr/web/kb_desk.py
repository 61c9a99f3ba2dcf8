"""The knowledge base at the counselor's desk: search as you type, an article beside the call,
"answered with this article" / "not in the base", and the call's resolution.

The articles of the call's topic (the tag the IVR set: the caller chose 지방세,
`local_tax`) come with the desk's live snapshot (`call_extras`), so they are
on screen when the call connects. Searches are POSTed as JSON: a pasted page
of 10,000 characters fits no URL, and is refused in Korean by ivr.kb.query
before anything runs. A search that finds nothing is kept for the editors.
"""

from __future__ import annotations

import asyncio
import contextlib
from datetime import date
from typing import Any

from aiohttp import web

from ivr.admin.problems import InvalidInput, NoSuchArticle, NoSuchCall, NotLoggedIn
from ivr.kb.analyzer import default_analyzer
from ivr.kb.article import Article
from ivr.kb.errors import KbError, QueryRefused
from ivr.kb.query import checked
from ivr.kb.ranking import SearchResult
from ivr.store import kb_articles, kb_index, kb_search, kb_usage
from ivr.store.kb_tables import ARTICLES
from ivr.store.reads import read
from ivr.store.users import User
from ivr.web.access import allow
from ivr.web.context import DESK, Desk, client_ip, user_of
from ivr.web.pages import json_body

# The flows' topic tags (callflows/hotline.yaml `type: set, topic: ...`), as the desk says them.
KB_TOPICS = {
    "documents": "민원서류·여권",
    "transport": "교통·주차",
    "local_tax": "지방세",
    "welfare": "복지",
    "water": "상하수도",
    "general": "일반 안내",
}
SEARCH_LIMIT = 8
TOPIC_LIMIT = 12
QUESTION_MAX = 500  # a gap's question as the citizen asked it


async def _warm(desk: Desk) -> None:
    """Load the Korean analyzer and build the search index, off the start-up path: the model takes
    seconds to load, and a service must answer calls at once. A base with no article waits for its
    first search (an import by `ivr kb` builds the index in its own process)."""
    if await read(desk.db, kb_articles.count) == 0:
        return
    await asyncio.to_thread(default_analyzer().load)
    await desk.db.run(kb_index.ensure)


def start_warming(app: web.Application) -> None:
    """At the desk's start: warm the search in the background; cancelled when the desk stops."""
    task = asyncio.get_running_loop().create_task(_warm(app[DESK]), name="kb-warm")

    async def stop(_: web.Application) -> None:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await task

    app.on_cleanup.append(stop)


def acting_user(request: web.Request) -> User:
    """The logged-in user (the middleware lets nobody else reach these handlers)."""
    user = user_of(request)
    if user is None:
        raise NotLoggedIn()
    return user


def today_of(desk: Desk) -> date:
    """The call center's date now."""
    return desk.clock().astimezone(desk.timezone).date()


def _brief(article: Article) -> dict[str, Any]:
    return {"slug": article.slug, "title": article.title, "topics": list(article.topics)}


async def call_extras(desk: Desk, call_id: str, topic: str | None) -> dict[str, Any]:
    """What the desk shows of the knowledge base beside a call: its topic's articles
    (published, valid today), the marks made on it, and its resolution."""
    today = today_of(desk)

    def load(db: Any) -> dict[str, Any]:
        articles = []
        if topic and db.table(ARTICLES).exists():
            found = kb_articles.list_articles(db, topic=topic)
            articles = [_brief(v.article) for v in found if v.article.offered_on(today)][:TOPIC_LIMIT]
        exists = db.table(kb_usage.USES).exists()
        return {
            "topic": topic,
            "topic_ko": KB_TOPICS.get(topic or "", topic),
            "articles": articles,
            "kb_marks": kb_usage.uses_of(db, call_id) if exists else [],
            "resolution": kb_usage.resolution_of(db, call_id) if exists else None,
        }

    return await read(desk.db, load)


@allow("counselor", "supervisor", "editor")
async def search(request: web.Request) -> web.StreamResponse:
    """{"q": question, "topic": the call's tag, "call_id": ...} -> the best articles, or 400 in Korean."""
    desk, user = request.app[DESK], acting_user(request)
    body = await json_body(request)
    raw = body.get("q")
    if not isinstance(raw, str):
        raise InvalidInput(["검색어를 입력해 주십시오. · The search needs a text `q`."])
    try:
        question = checked(raw)
    except QueryRefused as refused:
        raise InvalidInput(refused.problems) from None
    topic = body.get("topic") if isinstance(body.get("topic"), str) else None
    call_id = body.get("call_id") if isinstance(body.get("call_id"), str) else None
    today = today_of(desk)
    await asyncio.to_thread(default_analyzer().load)  # seconds, once per process

    def run(db: Any) -> SearchResult:
        return kb_search.search(db, question, today=today, topic=topic, limit=SEARCH_LIMIT)

    try:
        if not await read(desk.db, lambda db: kb_index.built_with(db) == default_analyzer().name):
            await desk.db.run(kb_index.ensure)  # a base the service has not indexed yet
        result = await read(desk.db, run)
    except KbError as error:
        raise InvalidInput(
            ["지금은 검색할 수 없습니다. 잠시 후 다시 시도해 주십시오. · " + str(error)]
        ) from None
    if result.found_nothing:
        now, who = desk.clock(), user.username
        await desk.db.run(lambda db: kb_usage.log_miss(db, now, who, question, call_id, topic))
    hits = [{"slug": h.slug, "title": h.title, "topics": list(h.topics)} for h in result.hits]
    return web.json_response({"query": result.query, "hits": hits, "ms": round(result.elapsed_ms, 1)})


@allow("counselor", "supervisor", "editor")
async def article(request: web.Request) -> web.StreamResponse:
    """One article to read beside the call: what is offered today (editors also see drafts)."""
    desk, user = request.app[DESK], acting_user(request)
    slug = request.match_info["slug"][:80]
    found = await read(desk.db, lambda db: kb_articles.get(db, slug))
    offered = found is not None and found.article.offered_on(today_of(desk))
    if found is None or not (offered or user.role in ("editor", "admin")):
        raise NoSuchArticle()
    a = found.article
    return web.json_response(
        {
            **_brief(a),
            "body": a.body,
            "version": found.version,
            "department": a.department,
            "valid_until": a.valid_until.isoformat() if a.valid_until else None,
            "links": a.links(),
            "translations": {k: {"title": t.title, "body": t.body} for k, t in a.translations.items()},
        }
    )


@allow("counselor")
async def mark(request: web.Request) -> web.StreamResponse:
    """{"kind": "used", "slug": ...} or {"kind": "gap", "question": ...} on the counselor's own call."""
    desk, user = request.app[DESK], acting_user(request)
    call_id = request.match_info["call_id"]
    body = await json_body(request)
    kind = body.get("kind")
    row: dict[str, Any] = {"call_id": call_id, "counselor_id": user.counselor_id, "author": user.username}
    if kind == "used":
        slug = str(body.get("slug") or "")[:80]
        current = await read(desk.db, lambda db: kb_articles.get(db, slug))
        if current is None:
            raise InvalidInput(["없는 문서입니다. · No such article."])
        row |= {"kind": "used", "slug": slug, "version": current.version}
    elif kind == "gap":
        question = " ".join(str(body.get("question") or "").split())
        if not question:
            raise InvalidInput(["시민이 물어본 내용을 적어 주십시오. · Write the question as it was asked."])
        if len(question) > QUESTION_MAX or any(ord(c) < 32 for c in question):
            raise InvalidInput(
                [
                    f"질문은 {QUESTION_MAX}자까지, 제어 문자 없이 적어 주십시오. · "
                    f"At most {QUESTION_MAX} characters, no control characters."
                ]
            )
        row |= {"kind": "gap", "question": question}
    else:
        raise InvalidInput(["알 수 없는 표시입니다. · kind must be 'used' or 'gap'."])
    now, ip = desk.clock(), client_ip(request)
    # Someone else's call answers like a missing one, as notes do.
    if not await desk.db.run(lambda db: kb_usage.mark(db, row, ip, now)):
        raise NoSuchCall()
    marks = await read(desk.db, lambda db: kb_usage.uses_of(db, call_id))
    return web.json_response({"kb_marks": marks}, status=201)


@allow("counselor")
async def resolution(request: web.Request) -> web.StreamResponse:
    """{"outcome": "resolved" | "follow_up"}: how the counselor closes the call at wrap-up."""
    desk, user = request.app[DESK], acting_user(request)
    call_id = request.match_info["call_id"]
    outcome = (await json_body(request)).get("outcome")
    if outcome not in kb_usage.OUTCOMES:
        raise InvalidInput(
            ["해결 또는 후속 조치 필요 중에서 골라 주십시오. · outcome: resolved or follow_up."]
        )
    now, ip, counselor = desk.clock(), client_ip(request), user.counselor_id
    who = user.username
    if not await desk.db.run(lambda db: kb_usage.resolve(db, call_id, counselor, who, str(outcome), ip, now)):
        raise NoSuchCall()
    return web.json_response({"resolution": outcome}, status=200)


def add_routes(app: web.Application) -> None:
    app.router.add_post("/api/kb/search", search)
    app.router.add_get("/api/kb/articles/{slug}", article)
    app.router.add_post("/api/calls/{call_id}/kb", mark)
    app.router.add_post("/api/calls/{call_id}/resolution", resolution)
