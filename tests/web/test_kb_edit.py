"""/kb for editors and admins: Check, publish, history, rollback; another department's article refused."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from ivr.kb.article import Article
from ivr.kb.lifecycle import ArticleStatus
from ivr.store import engine, kb_articles
from tests.web.conftest import USERS, Desk, FlowsDesk, csrf_of
from tests.web.test_kb_desk import KB_ROUTES

EDITING = frozenset({"editor", "admin"})
KB_EDIT_ROUTES = [
    ("GET", "/kb", "/kb", EDITING),
    ("GET", "/kb/new", "/kb/new", EDITING),
    ("POST", "/kb/save", "/kb/save", EDITING),
    ("GET", "/kb/a/property-tax", "/kb/a/{slug}", EDITING),
    ("GET", "/kb/a/property-tax/history", "/kb/a/{slug}/history", EDITING),
    ("POST", "/kb/a/property-tax/rollback", "/kb/a/{slug}/rollback", EDITING),
]
WRONG_ROLE = [
    (m, p, role) for m, p, _, roles in KB_ROUTES + KB_EDIT_ROUTES for role in sorted(set(USERS) - roles)
]
FORM = {
    "slug": "property-tax",
    "title": "재산세 납부 기간",
    "body": "재산세는 7월과 9월에 냅니다. 방법은 [[local-tax-payment-methods]]를 보십시오.",
    "department": "tax",
    "topics": "local_tax",
    "keywords": "재산세, 납부",
    "valid_from": "",
    "valid_until": "",
    "note": "",
}


def _seed(desk: Desk, *articles: Article) -> None:
    db = engine.connect(desk.db_path)
    at = datetime.fromisoformat("2026-03-01T09:00:00+09:00")
    for article in articles:
        kb_articles.save(db, article, who="seed", at=at)
    db.close()


def _article(slug: str, department: str, title: str = "제목") -> Article:
    return Article(slug, title, "본문입니다.", ("local_tax",), department, status=ArticleStatus.PUBLISHED)


async def _save(client: TestClient[Any, Any], action: str, **changes: str) -> tuple[int, str, str]:
    token = await csrf_of(client, "/kb")
    form = {"csrf_token": token, **FORM, "action": action, **changes}
    response = await client.post("/kb/save", data=form, allow_redirects=False)
    return response.status, response.headers.get("Location", ""), await response.text()


@pytest.mark.parametrize(("method", "path", "role"), WRONG_ROLE)
async def test_given_a_role_without_the_knowledge_base_when_its_routes_then_403(
    desk: Desk, method: str, path: str, role: str
) -> None:
    client = await desk.logged_in(role)
    token = await csrf_of(client)
    headers = {"X-CSRF-Token": token}
    response = await client.request(method, path, json={}, headers=headers, allow_redirects=False)
    assert response.status == 403


async def test_given_an_article_without_a_title_when_published_then_refused_and_nothing_saved(
    desk: Desk,
) -> None:
    _seed(desk, _article("local-tax-payment-methods", "tax"))
    client = await desk.logged_in("editor")
    status, _, page = await _save(client, "publish", title="   ")
    assert status == 400
    assert "제목이 비어 있습니다. · The title is empty." in page
    assert "재산세는 7월과 9월에 냅니다" in page  # the editor's text stays in the form
    assert desk.rows("kb_articles", "slug = ?", ["property-tax"]) == []
    assert desk.rows("audit", "target = ?", ["property-tax"]) == []


async def test_given_an_editor_when_another_departments_article_is_saved_then_403_audited_unchanged(
    desk: Desk,
) -> None:
    _seed(desk, _article("passport-hours", "civil-affairs", "여권 접수 시간"))
    client = await desk.logged_in("editor")
    status, _, _ = await _save(client, "publish", slug="passport-hours", title="바꾼 제목", department="tax")
    assert status == 403
    response = await client.get("/kb/a/passport-hours")
    assert response.status == 403
    assert [(a["actor"], a["target"]) for a in desk.audit("kb_forbidden")] == [
        ("editor1", "passport-hours"),
        ("editor1", "passport-hours"),
    ]
    assert "article department=civil-affairs" in desk.audit("kb_forbidden")[0]["detail"]
    [row] = desk.rows("kb_articles", "slug = ?", ["passport-hours"])
    assert (row["title"], row["version"]) == ("여권 접수 시간", 1)
    # Nor may an editor move a new article into another department.
    status, _, _ = await _save(client, "save", slug="new-one", department="civil-affairs")
    assert desk.rows("kb_articles", "slug = ?", ["new-one"])[0]["department"] == "tax"


async def test_check_names_expiry_broken_links_and_changes_nothing(desk: Desk) -> None:
    client = await desk.logged_in("editor")
    status, _, page = await _save(client, "check", valid_until="2026-02-28")
    assert status == 200
    assert "유효 기간이 2026-02-28에 끝났습니다" in page
    assert "없는 문서로 연결합니다: [[local-tax-payment-methods]]" in page
    assert 'id="preview"' in page and "재산세는 7월과 9월에 냅니다" in page
    assert desk.rows("kb_articles") == []


async def test_publish_history_diff_and_rollback_each_audited(desk: Desk) -> None:
    _seed(desk, _article("local-tax-payment-methods", "tax"))
    client = await desk.logged_in("editor")
    status, location, _ = await _save(client, "publish", note="첫 게시")
    assert (status, location) == (303, "/kb/a/property-tax?done=published")
    page = await (await client.get("/kb/a/property-tax?done=published")).text()
    assert "게시했습니다" in page and 'value="재산세 납부 기간"' in page
    assert (await client.get("/kb/new")).status == 200
    status, _, _ = await _save(client, "publish", body="재산세는 7월과 9월에 냅니다.", note="링크 뺌")
    page = await (await client.get("/kb/a/property-tax/history")).text()
    assert "-재산세는 7월과 9월에 냅니다. 방법은 [[local-tax-payment-methods]]를 보십시오." in page
    assert "+재산세는 7월과 9월에 냅니다." in page and "링크 뺌" in page
    token = await csrf_of(client, "/kb")
    response = await client.post(
        "/kb/a/property-tax/rollback", data={"csrf_token": token, "version": "1"}, allow_redirects=False
    )
    assert response.status == 303
    [row] = desk.rows("kb_articles", "slug = ?", ["property-tax"])
    assert row["version"] == 3 and "local-tax-payment-methods" in row["article"]
    actions = [a["action"] for a in desk.rows("audit", "target = ?", ["property-tax"])]
    assert actions == ["kb.publish", "kb.edit", "kb.rollback"]


async def test_the_kb_page_lists_the_editors_department_and_the_gap_list_read_is_audited(desk: Desk) -> None:
    _seed(desk, _article("car-tax", "tax", "자동차세"), _article("passport-hours", "civil-affairs", "여권"))
    client = await desk.logged_in("editor")
    page = await (await client.get("/kb")).text()
    assert "자동차세" in page and "여권" not in page.split('id="articles"')[1].split("</table>")[0]
    assert [a["actor"] for a in desk.audit("kb_gaps_viewed")] == ["editor1"]


async def test_given_a_flow_reading_an_unknown_article_when_published_then_refused_at_its_line(
    flows_desk: FlowsDesk,
) -> None:
    client = await flows_desk.logged_in("admin")
    before = flows_desk.text()
    draft = before.replace(
        "  tax_info:\n    ko: >-\n"
        "      자동차세와 재산세 등 지방세는 위택스 누리집이나 가상계좌로 납부하실 수 있습니다.\n"
        "      납부 기한이 지난 경우 가산금이 붙을 수 있습니다.\n",
        "  tax_info:\n    kb: property-taxx\n",
    )
    assert draft != before
    token = await csrf_of(client, "/flows/hotline")
    response = await client.post(
        "/flows/hotline/publish", data={"csrf_token": token, "source": draft}, allow_redirects=False
    )
    page = await response.text()
    assert response.status == 422
    assert "hotline.yaml 31행 9열" in page
    assert (
        "prompts.tax_info.kb: the article &#39;property-taxx&#39; does not exist in the knowledge base"
        in page
    )
    assert flows_desk.text() == before and flows_desk.reloads == 0


async def test_an_editor_needs_a_department_and_the_admin_page_keeps_it(desk: Desk) -> None:
    client = await desk.logged_in("admin")
    token = await csrf_of(client, "/admin/users")
    form = {
        "csrf_token": token,
        "username": "water1",
        "display_name": "수도 편집",
        "role": "editor",
        "password": "a-long-password",
        "password_again": "a-long-password",
    }
    response = await client.post("/admin/users", data=form | {"department": ""}, allow_redirects=False)
    assert response.status == 400
    assert "상담 DB 편집자는 담당 부서가 필요합니다" in await response.text()
    response = await client.post("/admin/users", data=form | {"department": "water"}, allow_redirects=False)
    assert response.status == 303
    [row] = desk.rows("users", "username = ?", ["water1"])
    assert (row["role"], row["department"]) == ("editor", "water")
    assert "department=water" in desk.audit("user_added")[-1]["detail"]
