"""The knowledge base at the counselor's desk: search input refused plainly, marks and outcomes kept."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from aiohttp.test_utils import TestClient

from ivr.kb.article import Article
from ivr.kb.lifecycle import ArticleStatus
from ivr.store import engine, kb_articles
from tests.web.conftest import Desk, csrf_of

TODAY = "2026-03-02"
READERS = frozenset({"counselor", "supervisor", "editor", "admin"})
# (method, path as requested, route template, roles allowed), as test_access.py's PROTECTED.
KB_ROUTES = [
    ("POST", "/api/kb/search", "/api/kb/search", READERS),
    ("GET", "/api/kb/articles/property-tax", "/api/kb/articles/{slug}", READERS),
    ("POST", "/api/calls/call-1/kb", "/api/calls/{call_id}/kb", frozenset({"counselor", "admin"})),
    (
        "POST",
        "/api/calls/call-1/resolution",
        "/api/calls/{call_id}/resolution",
        frozenset({"counselor", "admin"}),
    ),
]


def _articles(desk: Desk) -> None:
    db = engine.connect(desk.db_path)
    at = datetime.fromisoformat(f"{TODAY}T08:00:00+09:00")
    for slug, title, body in [
        ("property-tax", "재산세 납부 기간과 방법", "재산세는 7월과 9월에 납부합니다."),
        ("car-tax", "자동차세 납부", "자동차세는 6월과 12월에 냅니다."),
    ]:
        article = Article(slug, title, body, ("local_tax",), "tax", status=ArticleStatus.PUBLISHED)
        kb_articles.save(db, article, who="pytest", at=at)
    db.close()


def _call(desk: Desk, call_id: str = "call-1", **extra: Any) -> None:
    row = {
        "id": call_id,
        "caller": "01055556666",
        "dialed": "2221000",
        "started_at": f"{TODAY}T08:00:00.000+09:00",
        "open": 0,
        "counselor_id": "c1",
        "topic": "local_tax",
    }
    desk.insert("calls", row | extra)


async def _post(client: TestClient[Any, Any], path: str, body: dict[str, Any]) -> Any:
    token = await csrf_of(client)
    return await client.post(path, json=body, headers={"X-CSRF-Token": token})


async def test_given_a_pasted_page_of_10000_characters_when_searched_then_refused_in_korean(
    desk: Desk,
) -> None:
    client = await desk.logged_in("counselor")
    response = await _post(client, "/api/kb/search", {"q": "재산세" * 3334})
    assert response.status == 400
    body = await response.json()
    assert "검색어가 너무 깁니다" in body["problems"][0] and "10,002자" in body["problems"][0]
    assert desk.rows("kb_search_misses") == []  # nothing was run, nothing kept


async def test_given_control_characters_when_searched_then_refused_naming_them(desk: Desk) -> None:
    client = await desk.logged_in("counselor")
    response = await _post(client, "/api/kb/search", {"q": "재산세\x00\x1b[2J"})
    assert response.status == 400
    assert "제어 문자(U+0000, U+001B)" in (await response.json())["problems"][0]
    response = await _post(client, "/api/kb/search", {"q": ["not", "text"]})
    assert response.status == 400


async def test_given_articles_when_counselor_searches_then_hits_and_a_miss_is_kept(desk: Desk) -> None:
    _articles(desk)
    client = await desk.logged_in("counselor")
    response = await _post(client, "/api/kb/search", {"q": "재산세 언제 내요", "topic": "local_tax"})
    assert response.status == 200, await response.text()
    hits = (await response.json())["hits"]
    assert hits[0]["slug"] == "property-tax"
    response = await _post(client, "/api/kb/search", {"q": "반려견 등록", "call_id": "call-1"})
    assert (await response.json())["hits"] == []
    [miss] = desk.rows("kb_search_misses")
    assert (miss["who"], miss["query"], miss["call_id"]) == ("couns1", "반려견 등록", "call-1")


async def test_given_counselors_call_when_article_used_gap_and_resolved_then_kept_and_audited(
    desk: Desk,
) -> None:
    _articles(desk)
    _call(desk)
    client = await desk.logged_in("counselor")
    response = await client.get("/api/kb/articles/property-tax")
    assert (await response.json())["body"].startswith("재산세는")
    response = await _post(client, "/api/calls/call-1/kb", {"kind": "used", "slug": "property-tax"})
    assert response.status == 201, await response.text()
    response = await _post(
        client, "/api/calls/call-1/kb", {"kind": "gap", "question": "  반려견  등록은요? "}
    )
    marks = (await response.json())["kb_marks"]
    assert [(m["kind"], m["slug"], m["question"]) for m in marks] == [
        ("used", "property-tax", None),
        ("gap", None, "반려견 등록은요?"),
    ]
    assert marks[0]["title"] == "재산세 납부 기간과 방법" and marks[0]["version"] == 1
    response = await _post(client, "/api/calls/call-1/resolution", {"outcome": "resolved"})
    assert response.status == 200
    [resolution] = desk.rows("call_resolutions")
    assert (resolution["call_id"], resolution["outcome"], resolution["author"]) == (
        "call-1",
        "resolved",
        "couns1",
    )
    assert [a["detail"] for a in desk.audit("kb_used")] == ["used property-tax v1"]
    assert [a["detail"] for a in desk.audit("kb_gap")] == ["not in the base: 9 chars"]
    assert [a["detail"] for a in desk.audit("call_resolution")] == ["resolved"]


async def test_given_another_counselors_call_when_marked_then_404_and_nothing_kept(desk: Desk) -> None:
    _articles(desk)
    _call(desk, counselor_id="c2")
    client = await desk.logged_in("counselor")
    response = await _post(client, "/api/calls/call-1/kb", {"kind": "used", "slug": "property-tax"})
    assert response.status == 404
    response = await _post(client, "/api/calls/call-1/resolution", {"outcome": "resolved"})
    assert response.status == 404
    response = await _post(client, "/api/calls/call-1/resolution", {"outcome": "maybe"})
    assert response.status == 400
    assert desk.rows("kb_call_uses") == [] and desk.rows("call_resolutions") == []


async def test_given_a_call_with_a_topic_when_desk_snapshot_then_its_articles_are_there(desk: Desk) -> None:
    _articles(desk)
    _call(desk)
    client = await desk.logged_in("counselor")
    async with client.ws_connect("/api/counselor/c1/live") as ws:
        call = (await ws.receive_json(timeout=5))["call"]
    assert call["topic_ko"] == "지방세"
    assert [a["slug"] for a in call["articles"]] == ["car-tax", "property-tax"]  # by title
    assert call["kb_marks"] == [] and call["resolution"] is None
