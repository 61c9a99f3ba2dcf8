"""/flows: only admins reach it, every change needs the CSRF token, and only real flow names are served."""

from __future__ import annotations

import pytest
from yarl import URL

from tests.web.conftest import FlowsDesk, csrf_of

PAGES = ["/flows", "/flows/hotline", "/flows/hotline/diagram.svg", "/flows/hotline/diff?to=1"]
ACTIONS = ["check", "simulate", "publish", "rollback"]


async def test_these_tests_cover_every_flow_route(flows_desk: FlowsDesk) -> None:
    app = flows_desk.server.app
    assert app is not None
    routes = {
        (r.method, r.resource.canonical)
        for r in app.router.routes()
        if r.method != "HEAD" and r.resource and r.resource.canonical.startswith("/flows")
    }
    templated = {path.split("?")[0].replace("/hotline", "/{name}") for path in PAGES}
    assert routes == {("GET", t) for t in templated} | {("POST", f"/flows/{{name}}/{a}") for a in ACTIONS}


async def test_given_nobody_logged_in_when_opening_flows_then_sent_to_log_in(flows_desk: FlowsDesk) -> None:
    client = await flows_desk.client()
    for path in PAGES:
        response = await client.get(path, allow_redirects=False)
        assert response.status == 303, path
        assert response.headers["Location"].startswith("/login?next="), path
    response = await client.post("/flows/hotline/publish", data={"source": "x"}, allow_redirects=False)
    assert response.status == 303
    assert response.headers["Location"] == "/login"


@pytest.mark.parametrize("role", ["counselor", "qa", "supervisor"])
async def test_given_a_role_other_than_admin_when_reading_or_changing_flows_then_403(
    flows_desk: FlowsDesk, role: str
) -> None:
    before = flows_desk.text()
    client = await flows_desk.logged_in(role)
    for path in PAGES:
        response = await client.get(path)
        assert response.status == 403, path
        assert "권한" in await response.text()
    token = await csrf_of(client)
    for action in ACTIONS:
        form = {"csrf_token": token, "source": before.replace("천년전주", "전주"), "version": "1"}
        response = await client.post(f"/flows/hotline/{action}", data=form)
        assert response.status == 403, action
    assert flows_desk.text() == before
    assert flows_desk.rows("flow_versions") == []


async def test_given_an_admin_without_the_csrf_token_when_publishing_then_403_and_nothing_changes(
    flows_desk: FlowsDesk,
) -> None:
    before = flows_desk.text()
    client = await flows_desk.logged_in("admin")
    changed = before.replace("천년전주 콜센터입니다", "전주 콜센터입니다")
    for form in ({"source": changed}, {"source": changed, "csrf_token": "not-the-token"}):
        response = await client.post("/flows/hotline/publish", data=form)
        assert response.status == 403
        assert "CSRF" in await response.text()
    response = await client.post("/flows/hotline/rollback", data={"version": "1"})
    assert response.status == 403
    assert flows_desk.text() == before
    assert flows_desk.audit("flow_published") == []


@pytest.mark.parametrize(
    "raw_path",
    [
        "/flows/..%2fconfig",
        "/flows/..%2F..%2F..%2Fetc%2Fpasswd",
        "/flows/%2Fetc%2Fpasswd",
        "/flows/hotline.yaml",
        "/flows/nosuch",
        "/flows/.hotline.yaml",
        "/flows/HOTLINE",
    ],
)
async def test_given_a_flow_name_that_is_no_file_of_the_folder_then_404_with_a_message(
    flows_desk: FlowsDesk, raw_path: str
) -> None:
    client = await flows_desk.logged_in("admin")
    token = await csrf_of(client)
    for suffix in ("", "/diagram.svg", "/diff?to=1"):
        response = await client.get(URL(raw_path + suffix, encoded=True))
        assert response.status == 404, raw_path + suffix
        body = await response.text()
        assert "root:" not in body and "ari_password" not in body
    response = await client.post(
        URL(raw_path + "/publish", encoded=True), data={"csrf_token": token, "source": "flow: x\n"}
    )
    assert response.status == 404
    assert "콜 흐름이 없습니다" in await response.text()
    assert not (flows_desk.flows_dir.parent / "config.yaml").read_text().startswith("flow:")
    assert sorted(p.name for p in flows_desk.flows_dir.iterdir()) == [
        "README.md",
        "foreign.yaml",
        "hotline.yaml",
        "notice.yaml",
    ]


async def test_given_bad_form_values_then_400_naming_the_field(flows_desk: FlowsDesk) -> None:
    client = await flows_desk.logged_in("admin")
    token = await csrf_of(client)
    cases = [
        ("publish", {"source": "   "}, "비어 있습니다"),
        ("publish", {"source": "x" * 200_001}, "too long"),
        ("rollback", {"version": "../1"}, "version:"),
        ("simulate", {"source": flows_desk.text(), "digits": "1,a"}, "digits:"),
        ("simulate", {"source": flows_desk.text(), "at": "tomorrow"}, "at:"),
    ]
    for action, form, expected in cases:
        response = await client.post(f"/flows/hotline/{action}", data={"csrf_token": token, **form})
        assert response.status == 400, (action, form.keys())
        assert expected in await response.text()
    response = await client.get("/flows/hotline/diff?to=abc")
    assert response.status == 400
    response = await client.post("/flows/hotline/rollback", data={"csrf_token": token, "version": "7"})
    assert response.status == 404
    assert "v7" in await response.text()


async def test_the_home_page_links_flows_for_admins_only(flows_desk: FlowsDesk) -> None:
    admin = await flows_desk.logged_in("admin")
    assert 'href="/flows"' in await (await admin.get("/")).text()
    supervisor = await flows_desk.logged_in("supervisor")
    assert "/flows" not in await (await supervisor.get("/")).text()
