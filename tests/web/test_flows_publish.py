"""/flows for an admin: check, publish, refuse a broken draft, roll back, history diffs, diagram."""

from __future__ import annotations

from typing import Any

from aiohttp.test_utils import TestClient

from ivr.admin.flows import ADOPTED_BY, adopt_serving
from tests.web.conftest import FlowsDesk, csrf_in, csrf_of

GREETING = "안녕하십니까. 시민의 목소리에 귀 기울이는 천년전주 콜센터입니다."
NEW_GREETING = "안녕하십니까. 언제나 시민 곁에 있는 천년전주 콜센터입니다."


async def _post(client: TestClient[Any, Any], action: str, **form: str) -> tuple[int, str, str]:
    """POST to /flows/hotline/<action> with the page's token; (status, Location, body)."""
    token = await csrf_of(client, "/flows/hotline")
    response = await client.post(
        f"/flows/hotline/{action}", data={"csrf_token": token, **form}, allow_redirects=False
    )
    return response.status, response.headers.get("Location", ""), await response.text()


async def test_the_list_shows_each_flow_its_published_version_and_whether_the_file_differs(
    flows_desk: FlowsDesk,
) -> None:
    client = await flows_desk.logged_in("admin")
    page = await (await client.get("/flows")).text()
    for name in ("hotline", "notice", "foreign"):
        assert f'href="/flows/{name}"' in page
    assert page.count("게시된 적 없음") == 3

    status, _, _ = await _post(client, "publish", source=flows_desk.text(), note="첫 게시")
    assert status == 303
    (flows_desk.flows_dir / "notice.yaml").write_text(
        flows_desk.text("notice").replace("녹음됩니다", "녹음될 수 있습니다"), encoding="utf-8"
    )
    page = await (await client.get("/flows")).text()
    hotline_row = page.split('data-flow="hotline"')[1].split("</tr>")[0]
    assert "v1" in hotline_row and "admin1" in hotline_row and "게시본과 같음" in hotline_row
    notice_row = page.split('data-flow="notice"')[1].split("</tr>")[0]
    assert "게시본과 다름" in notice_row


async def test_publishing_a_good_draft_writes_the_file_keeps_a_version_audits_and_reloads(
    flows_desk: FlowsDesk,
) -> None:
    client = await flows_desk.logged_in("admin")
    draft = flows_desk.text().replace(GREETING, NEW_GREETING)
    # The browser sends the text area with CRLF line ends; the file keeps LF.
    status, location, _ = await _post(
        client, "publish", source=draft.replace("\n", "\r\n"), note="인사말 변경"
    )
    assert status == 303
    assert location == "/flows/hotline?done=published&version=1"
    assert flows_desk.text() == draft
    assert flows_desk.live_text() == draft  # the service took it for new calls
    versions = flows_desk.rows("flow_versions", "flow = ?", ["hotline"])
    assert [(v["version"], v["published_by"], v["note"]) for v in versions] == [(1, "admin1", "인사말 변경")]
    [entry] = flows_desk.audit("flow_published")
    assert (entry["actor"], entry["target"], entry["detail"]) == ("admin1", "hotline", "v1 note=인사말 변경")
    page = await (await client.get(location)).text()
    assert "v1 버전으로 게시했습니다" in page
    assert NEW_GREETING in page

    status, location, _ = await _post(client, "publish", source=draft)
    assert location == "/flows/hotline?done=unchanged"
    assert len(flows_desk.rows("flow_versions", "flow = ?", ["hotline"])) == 1


async def test_publishing_a_broken_draft_is_refused_with_its_error_lines_and_the_file_stays(
    flows_desk: FlowsDesk,
) -> None:
    client = await flows_desk.logged_in("admin")
    before = flows_desk.text()
    broken = before.replace("start: welcome", "start: welcom").replace("[greeting]", "[greting]", 1)
    status, _, page = await _post(client, "publish", source=broken, note="실수")
    assert status == 422
    assert "오류 2건이 있어 게시하지 않았습니다" in page
    assert 'hotline.yaml 7행 8열<span class="en"> · line 7:8</span>' in page
    assert "start: there is no node &#39;welcom&#39; (did you mean &#39;welcome&#39;?)" in page
    assert "hotline.yaml 110행 15열" in page
    assert "prompt &#39;greting&#39; is not defined under prompts: (did you mean &#39;greeting&#39;?)" in page
    assert 'data-line="7"' in page
    assert "start: welcom\n" in page  # the admin's draft stays in the editor to be fixed
    assert flows_desk.text() == before
    assert flows_desk.live_text() == before
    assert flows_desk.reloads == 0
    assert flows_desk.rows("flow_versions") == []
    assert flows_desk.audit("flow_published") == []


async def test_check_reports_errors_and_warnings_and_changes_nothing(flows_desk: FlowsDesk) -> None:
    client = await flows_desk.logged_in("admin")
    before = flows_desk.text()
    status, _, page = await _post(client, "check", source=before.replace("start: welcome", "start: welcom"))
    assert status == 200
    assert 'data-ok="false"' in page and "hotline.yaml 7행 8열" in page
    status, _, page = await _post(client, "check", source=before)
    assert status == 200
    assert 'data-ok="true"' in page and "오류가 없습니다" in page
    assert flows_desk.text() == before
    assert flows_desk.rows("flow_versions") == []


async def test_a_draft_checked_with_another_file_broken_on_disk_names_that_file(
    flows_desk: FlowsDesk,
) -> None:
    """The service loads the whole folder: a publish must not pass while another file would fail it."""
    client = await flows_desk.logged_in("admin")
    (flows_desk.flows_dir / "notice.yaml").write_text(
        flows_desk.text("notice").replace("next: back", "next: bak"), encoding="utf-8"
    )
    status, _, page = await _post(client, "publish", source=flows_desk.text().replace(GREETING, NEW_GREETING))
    assert status == 422
    assert "notice.yaml" in page and "bak" in page
    assert GREETING in flows_desk.text()


async def test_rollback_restores_the_older_text_as_a_new_version(flows_desk: FlowsDesk) -> None:
    client = await flows_desk.logged_in("admin")
    original = flows_desk.text()
    await _post(client, "publish", source=original)
    await _post(client, "publish", source=original.replace(GREETING, NEW_GREETING))
    assert NEW_GREETING in flows_desk.live_text()

    status, location, _ = await _post(client, "rollback", version="1")
    assert status == 303
    assert location == "/flows/hotline?done=rolled_back&version=3"
    assert flows_desk.text() == original
    assert flows_desk.live_text() == original
    versions = flows_desk.rows("flow_versions", "flow = ?", ["hotline"])
    assert [(v["version"], v["note"]) for v in versions][-1] == (3, "rollback to v1")
    [entry] = flows_desk.audit("flow_rolled_back")
    assert (entry["actor"], entry["detail"]) == ("admin1", "to v1 as v3")


async def test_history_diff_shows_the_changed_line(flows_desk: FlowsDesk) -> None:
    client = await flows_desk.logged_in("admin")
    original = flows_desk.text()
    await _post(client, "publish", source=original)
    await _post(client, "publish", source=original.replace(GREETING, NEW_GREETING))
    page = await (await client.get("/flows/hotline")).text()
    assert 'href="/flows/hotline/diff?to=2"' in page
    assert '<form method="get" action="/flows/hotline/diff" class="compare">' in page
    assert "Roll back to v1" in page

    page = await (await client.get("/flows/hotline/diff?to=2")).text()
    assert f'<span class="del">-    ko: {GREETING}</span>' in page
    assert f'<span class="add">+    ko: {NEW_GREETING}</span>' in page
    assert page.count('class="add"') == 1 and page.count('class="del"') == 1
    page = await (await client.get("/flows/hotline/diff?from=2&to=1")).text()
    assert f'<span class="add">+    ko: {GREETING}</span>' in page
    response = await client.get("/flows/hotline/diff?to=9")
    assert response.status == 404


async def test_a_publish_over_a_file_changed_since_the_page_opened_asks_first(flows_desk: FlowsDesk) -> None:
    client = await flows_desk.logged_in("admin")
    page = await (await client.get("/flows/hotline")).text()
    base = page.split('name="base" value="')[1].split('"')[0]
    elsewhere = flows_desk.text().replace("천년전주 콜센터 대표번호 안내", "대표번호 안내")
    (flows_desk.flows_dir / "hotline.yaml").write_text(elsewhere, encoding="utf-8")
    draft = flows_desk.text().replace(GREETING, NEW_GREETING)
    response = await client.post(
        "/flows/hotline/publish",
        data={"csrf_token": csrf_in(page), "source": draft, "base": base},
        allow_redirects=False,
    )
    assert response.status == 409
    assert "바뀌었습니다" in await response.text()
    assert flows_desk.text() == elsewhere


async def test_simulate_walks_the_draft_with_the_keys_given(flows_desk: FlowsDesk) -> None:
    client = await flows_desk.logged_in("admin")
    draft = flows_desk.text().replace(GREETING, NEW_GREETING)
    status, _, page = await _post(
        client, "simulate", source=draft, digits="1,timeout,timeout", at="2026-03-04T10:00"
    )
    assert status == 200
    path = page.split('id="sim-path">')[1].split("</strong>")[0]
    assert path.startswith("welcome")
    assert NEW_GREETING in page.split('class="sim-lines">')[1]
    assert GREETING in flows_desk.text()  # a simulation writes nothing


async def test_the_diagram_is_an_svg_that_runs_nothing(flows_desk: FlowsDesk) -> None:
    client = await flows_desk.logged_in("admin")
    response = await client.get("/flows/hotline/diagram.svg")
    assert response.status == 200
    assert response.content_type == "image/svg+xml"
    assert response.headers["Content-Security-Policy"].startswith("default-src 'none'")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    body = await response.text()
    assert "<svg" in body and "main_menu" in body
    assert "<script" not in body


async def test_a_file_changed_outside_the_desk_can_be_restored_to_the_published_version(
    flows_desk: FlowsDesk,
) -> None:
    client = await flows_desk.logged_in("admin")
    original = flows_desk.text()
    await _post(client, "publish", source=original)
    (flows_desk.flows_dir / "hotline.yaml").write_text(
        original.replace(GREETING, NEW_GREETING), encoding="utf-8"
    )
    page = await (await client.get("/flows/hotline")).text()
    assert "저장된 파일이 게시본과 다름" in page and "Restore the file to v1" in page
    page = await (await client.get("/flows/hotline/diff?to=file")).text()
    assert f'<span class="del">-    ko: {GREETING}</span>' in page
    assert f'<span class="add">+    ko: {NEW_GREETING}</span>' in page

    status, location, _ = await _post(client, "rollback", version="1")
    assert (status, location) == (303, "/flows/hotline?done=unchanged")
    assert flows_desk.text() == original
    page = await (await client.get("/flows/hotline")).text()
    assert "게시본과 다름" not in page


async def test_the_flow_page_shows_seconds_to_the_goal_per_way_and_marks_the_slow_ones(
    flows_desk: FlowsDesk,
) -> None:
    client = await flows_desk.logged_in("admin")
    page = await (await client.get("/flows/hotline")).text()
    table = page.split('id="goal-times"')[1].split("</section>")[0]
    assert "상담사 연결" in table and "안내 듣기" in table and "전화 요청 접수" in table
    # The synthesized Korean prompts put every way to a counselor through the main menu over
    # 20 s: each is marked; a caller with a 민원 under way is queued sooner, within budget.
    rows = [r for r in table.split("<tr")[2:] if "상담사 연결" in r]
    menu = [r for r in rows if "main_menu[0]" in r]
    assert menu and all("over-budget" in r for r in menu)
    quick = [r for r in rows if "open_case[answered]" in r and "screen[default]" in r]
    assert quick and not any("over-budget" in r for r in quick)


async def test_flows_serving_calls_but_never_published_are_adopted_as_version_one(
    flows_desk: FlowsDesk,
) -> None:
    # What `ivr serve` does at start with the flows it loaded (ivr/app.py).
    adopted = adopt_serving(flows_desk.cfg, flows_desk.running.loaded())
    assert sorted(adopted) == [("foreign", 1), ("hotline", 1), ("notice", 1)]
    client = await flows_desk.logged_in("admin")
    page = await (await client.get("/flows")).text()
    assert "게시된 적 없음" not in page
    hotline_row = page.split('data-flow="hotline"')[1].split("</tr>")[0]
    assert "v1" in hotline_row and ADOPTED_BY in hotline_row and "게시본과 같음" in hotline_row
    # Once a flow has a version, starting again adopts nothing (a publish is the only way on).
    assert adopt_serving(flows_desk.cfg, flows_desk.running.loaded()) == []
