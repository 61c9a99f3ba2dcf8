"""/kb: the knowledge base's editing pages, for admins and department editors.

    GET  /kb                      articles (an editor's: their department's), the gap list, failed searches
    GET  /kb/new                  an empty article
    GET  /kb/a/{slug}             the editor, with a preview of what the desk shows
    POST /kb/save                 action=check | save | publish (with a note)
    GET  /kb/a/{slug}/history     every version, each with its diff to the one before
    POST /kb/a/{slug}/rollback    version=N: that version's text as a new version

An editor edits only their department's articles: anything else is a 403,
audited (`kb_forbidden`). Every save is audited by the store. Publishing an
article that a flow prompt reads (`kb:`) re-renders that prompt and the
running service takes it for new calls (FlowsSetup.reload, as a flow publish).
"""

from __future__ import annotations

import asyncio
from datetime import date, timedelta
from typing import Any

from aiohttp import web

from ivr.admin.flows import version_diff
from ivr.admin.kb_edit import FlowFacts, editor_findings, flow_facts, may_edit, unread_by_flows
from ivr.admin.problems import Forbidden, InvalidInput, NoSuchArticle
from ivr.errors import HotlineError
from ivr.kb.article import LANGUAGES, Article, Translation
from ivr.kb.codec import ArticleVersion
from ivr.kb.errors import KbError
from ivr.kb.lifecycle import ArticleStatus
from ivr.kb.markdown import render as as_markdown
from ivr.store import audit, kb_articles, kb_usage
from ivr.store.reads import read
from ivr.store.users import User
from ivr.web.access import allow
from ivr.web.context import DESK, Desk, client_ip
from ivr.web.kb_desk import KB_TOPICS, acting_user, today_of
from ivr.web.pages import render, see_other

EDITORS = ("editor",)  # and admin, always
NOTE_MAX = 200
GAP_DAYS = 30
DONE = {
    "saved": "저장했습니다. · Saved.",
    "published": "게시했습니다. 상담 화면에 바로 나옵니다. · Published: the desk shows it now.",
    "published-prompts": "게시했습니다. 이 문서를 읽는 ARS 안내도 새로 만들어 새 전화부터 들려줍니다. · "
    "Published; the IVR prompts that read it were re-rendered for new calls.",
    "published-prompts-refused": "게시했지만 ARS가 새 안내를 받지 않았습니다. 흐름 화면에서 확인하십시오. · "
    "Published, but the service refused the new prompts: see /flows.",
    "rolled-back": "이전 버전으로 되돌렸습니다. · Rolled back.",
}


async def _facts(desk: Desk) -> FlowFacts:
    return await asyncio.to_thread(flow_facts, desk.flows.cfg if desk.flows else None)


async def _refuse(desk: Desk, user: User, slug: str, departments: str, ip: str | None) -> Forbidden:
    """An editor reaching for another department's article: on record, then 403."""
    now, who = desk.clock(), user.username
    detail = f"editor department={user.department or '-'}; article {departments}"
    await desk.db.run(lambda db: audit.record(db, now, who, "kb_forbidden", slug, detail, ip))
    return Forbidden()


@allow(*EDITORS)
async def kb_index_page(request: web.Request) -> web.StreamResponse:
    desk, user = request.app[DESK], acting_user(request)
    department = None if user.role == "admin" else user.department or "-"
    since = desk.clock() - timedelta(days=GAP_DAYS)

    def load(db: Any) -> tuple[list[ArticleVersion], list[dict[str, Any]], list[dict[str, Any]]]:
        return (
            kb_articles.list_articles(db, department=department),
            kb_usage.gaps(db, since),
            kb_usage.top_misses(db, since),
        )

    articles, gaps, misses = await read(desk.db, load)
    # The gap list holds citizens' questions as asked: whoever reads it is on record.
    now, who, ip = desk.clock(), user.username, client_ip(request)
    await desk.db.run(lambda db: audit.record(db, now, who, "kb_gaps_viewed", "", f"{len(gaps)} rows", ip))
    return render(request, "kb_list.html", articles=articles, gaps=gaps, misses=misses, department=department)


@allow(*EDITORS)
async def new_page(request: web.Request) -> web.StreamResponse:
    desk, user = request.app[DESK], acting_user(request)
    blank = Article("", "", "", (), user.department or "")
    return await _editor(request, desk, user, _form_of(blank), None)


@allow(*EDITORS)
async def edit_page(request: web.Request) -> web.StreamResponse:
    desk, user = request.app[DESK], acting_user(request)
    slug = request.match_info["slug"][:80]
    current = await read(desk.db, lambda db: kb_articles.get(db, slug))
    if current is None:
        raise NoSuchArticle()
    if not may_edit(user, current.article):
        raise await _refuse(desk, user, slug, f"department={current.article.department}", client_ip(request))
    notice = DONE.get(request.query.get("done", ""))
    return await _editor(request, desk, user, _form_of(current.article), current, notice=notice)


async def _editor(
    request: web.Request,
    desk: Desk,
    user: User,
    form: dict[str, Any],
    current: ArticleVersion | None,
    status: int = 200,
    **context: Any,
) -> web.Response:
    facts = await _facts(desk)
    topics = sorted(facts.topics or KB_TOPICS)
    context.setdefault("problems", [])
    context.setdefault("warnings", [])
    context.setdefault("notice", None)
    return render(
        request,
        "kb_edit.html",
        status=status,
        form=form,
        current=current,
        topics=[(t, KB_TOPICS.get(t, t)) for t in topics],
        languages=LANGUAGES,
        readers=facts.readers.get(form["slug"], []),
        fixed_department=user.role != "admin",
        **context,
    )


def _form_of(article: Article) -> dict[str, Any]:
    form: dict[str, Any] = {
        "slug": article.slug,
        "title": article.title,
        "body": article.body,
        "department": article.department,
        "topics": list(article.topics),
        "keywords": ", ".join(article.keywords),
        "valid_from": article.valid_from.isoformat() if article.valid_from else "",
        "valid_until": article.valid_until.isoformat() if article.valid_until else "",
        "note": "",
    }
    for lang in LANGUAGES:
        tr = article.translations.get(lang)
        form[f"{lang}_title"] = tr.title if tr else ""
        form[f"{lang}_body"] = tr.body if tr else ""
    return form


def _day(text: str, name: str, problems: list[str]) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        problems.append(f"{name}: 날짜는 YYYY-MM-DD로 적어 주십시오. · {name}: a date as YYYY-MM-DD.")
        return None


def _article_of(form: dict[str, Any], status: ArticleStatus) -> tuple[Article, list[str]]:
    problems: list[str] = []
    translations = {
        lang: Translation(form[f"{lang}_title"], form[f"{lang}_body"])
        for lang in LANGUAGES
        if form[f"{lang}_title"].strip() or form[f"{lang}_body"].strip()
    }
    article = Article(
        slug=form["slug"],
        title=form["title"],
        body=form["body"].replace("\r\n", "\n"),
        topics=tuple(form["topics"]),
        department=form["department"],
        keywords=tuple(k.strip() for k in form["keywords"].split(",") if k.strip()),
        status=status,
        valid_from=_day(form["valid_from"], "valid_from", problems),
        valid_until=_day(form["valid_until"], "valid_until", problems),
        translations=translations,
    )
    return article, problems


_TEXT_FIELDS = ("slug", "title", "body", "department", "keywords", "valid_from", "valid_until", "note")


@allow(*EDITORS)
async def save(request: web.Request) -> web.StreamResponse:
    """Check, save (a draft, or an edit of what is published) or publish with a note."""
    desk, user, ip = request.app[DESK], acting_user(request), client_ip(request)
    data = await request.post()
    form: dict[str, Any] = {name: str(data.get(name, "")) for name in _TEXT_FIELDS}
    form["slug"] = form["slug"].strip()
    form["topics"] = [str(t) for t in data.getall("topics", [])]
    for lang in LANGUAGES:
        form[f"{lang}_title"] = str(data.get(f"{lang}_title", ""))
        form[f"{lang}_body"] = str(data.get(f"{lang}_body", ""))
    if user.role != "admin":
        form["department"] = user.department or ""
    action = str(data.get("action", "check"))
    slug = form["slug"]
    current = await read(desk.db, lambda db: kb_articles.get(db, slug)) if slug else None
    if not may_edit(user, current.article if current else None) or (
        user.role != "admin" and form["department"] != user.department
    ):
        old = current.article.department if current else "-"
        raise await _refuse(desk, user, slug, f"department={old}", ip)
    publishing = action == "publish"
    keep = current.article.status if current else ArticleStatus.DRAFT
    article, problems = _article_of(form, ArticleStatus.PUBLISHED if publishing else keep)
    facts = await _facts(desk)
    existing = await read(desk.db, lambda db: {v.slug for v in kb_articles.list_articles(db)})
    findings = editor_findings(article, today=today_of(desk), facts=facts, existing=existing | {slug})
    # A draft may be saved half-done: what Check finds blocks only a publish.
    warnings = findings.warnings + ([] if publishing or action == "check" else findings.problems)
    if publishing or action == "check":
        problems += findings.problems
    problems += unread_by_flows(facts, current, article)
    if len(form["note"]) > NOTE_MAX:
        problems.append(f"게시 메모는 {NOTE_MAX}자까지입니다. · A note is at most {NOTE_MAX} characters.")
    if action == "check" or problems:
        return await _editor(
            request,
            desk,
            user,
            form,
            current,
            status=400 if problems and action != "check" else 200,
            problems=problems,
            warnings=warnings,
            checked=action == "check",
            preview=article,
        )
    now, who, note = desk.clock(), user.username, form["note"].strip()
    topics = facts.topics
    try:
        saved = await desk.db.run(
            lambda db: kb_articles.save(db, article, who=who, note=note, at=now, known_topics=topics, ip=ip)
        )
    except KbError as refused:
        return await _editor(request, desk, user, form, current, status=400, problems=refused.problems)
    done = "published" if publishing else "saved"
    if publishing and facts.readers.get(slug):
        done = await _take_prompts(desk)
    return see_other(f"/kb/a/{saved.slug}?done={done}")


async def _take_prompts(desk: Desk) -> str:
    """Re-render the prompts that read the article, and let the running service take them for new calls."""
    setup = desk.flows
    if setup is None or setup.reload is None:
        return "published"
    async with setup.lock:
        try:
            await setup.reload()
        except HotlineError:
            return "published-prompts-refused"
    return "published-prompts"


@allow(*EDITORS)
async def history_page(request: web.Request) -> web.StreamResponse:
    desk, user = request.app[DESK], acting_user(request)
    slug = request.match_info["slug"][:80]
    versions = await read(desk.db, lambda db: kb_articles.history(db, slug))
    if not versions:
        raise NoSuchArticle()
    if not may_edit(user, *(v.article for v in versions[-1:])):
        raise await _refuse(
            desk, user, slug, f"department={versions[-1].article.department}", client_ip(request)
        )
    shown = []
    before: tuple[int | str, str] = (0, "")
    for v in versions:
        text = as_markdown(v.article)
        shown.append((v, version_diff(slug, before, (v.version, text)) if v.version > 1 else []))
        before = (v.version, text)
    return render(request, "kb_history.html", slug=slug, versions=list(reversed(shown)))


@allow(*EDITORS)
async def rollback(request: web.Request) -> web.StreamResponse:
    desk, user, ip = request.app[DESK], acting_user(request), client_ip(request)
    slug = request.match_info["slug"][:80]
    data = await request.post()
    try:
        number = int(str(data.get("version", "")))
    except ValueError:
        raise InvalidInput(["되돌릴 버전을 골라 주십시오. · Choose a version to roll back to."]) from None
    current, old = await read(
        desk.db, lambda db: (kb_articles.get(db, slug), kb_articles.version(db, slug, number))
    )
    if current is None or old is None:
        raise NoSuchArticle()
    if not may_edit(user, current.article, old.article):
        raise await _refuse(desk, user, slug, f"department={current.article.department}", ip)
    now, who, note = desk.clock(), user.username, str(data.get("note", ""))[:NOTE_MAX].strip()
    try:
        await desk.db.run(
            lambda db: kb_articles.rollback(db, slug, number, who=who, note=note, at=now, ip=ip)
        )
    except KbError as refused:
        raise InvalidInput(refused.problems) from None
    facts = await _facts(desk)
    done = await _take_prompts(desk) if facts.readers.get(slug) else "rolled-back"
    return see_other(f"/kb/a/{slug}?done={done}")


def add_routes(app: web.Application) -> None:
    app.router.add_get("/kb", kb_index_page)
    app.router.add_get("/kb/new", new_page)
    app.router.add_post("/kb/save", save)
    app.router.add_get("/kb/a/{slug}", edit_page)
    app.router.add_get("/kb/a/{slug}/history", history_page)
    app.router.add_post("/kb/a/{slug}/rollback", rollback)
