"""The flow pages in real Chromium on the real service: a broken publish is refused, a fixed one goes live."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from ivr.admin import users
from tests.browser.conftest import BASE, PASSWORD, Windows, screenshot
from tests.integration.conftest import Service

GREETING = "greeting: {ko: 천년전주 콜센터입니다.}"
NEW_GREETING = "greeting: {ko: 안녕하십니까. 천년전주 콜센터입니다.}"


def _write(page: Page, text: str) -> None:
    """Replace the editor's text, as typing would (CodeMirror keeps the form's text area in step)."""
    page.evaluate(
        "t => { const v = window.HotlineFlowEditor.view;"
        " v.dispatch({changes: {from: 0, to: v.state.doc.length, insert: t}}); }",
        text,
    )


def _admin_on(windows: Windows, hotline: Service, path: str) -> Page:
    users.add_user(hotline.database, "admin1", "최관리", "admin", PASSWORD, actor="pytest")
    page = windows.new()
    page.goto(path)
    expect(page.locator("h1")).to_contain_text("로그인")
    page.fill('input[name="username"]', "admin1")
    page.fill('input[name="password"]', PASSWORD)
    page.click('button[type="submit"]')
    return page


def test_an_admin_publishes_a_broken_flow_sees_it_refused_then_fixes_and_publishes_it(
    windows: Windows, hotline: Service
) -> None:
    saved = (hotline.flows_dir / "itest.yaml").read_text(encoding="utf-8")
    page = _admin_on(windows, hotline, "/flows")
    expect(page).to_have_url(f"{BASE}/flows")
    # Never published through the desk, but serving calls: ivr serve kept it as v1 at start.
    expect(page.locator('#flows tr[data-flow="itest"]')).to_contain_text("v1")
    page.click('#flows a[href="/flows/itest"]')
    expect(page).to_have_url(f"{BASE}/flows/itest")
    expect(page.locator("#source")).to_have_value(saved)
    # The editor: line numbers, YAML highlighting (CodeMirror), over the form's text area.
    expect(page.locator(".cm-editor .cm-lineNumbers")).to_be_visible()
    expect(page.locator(".cm-editor .cm-content")).to_contain_text("start: greeting")
    # The diagram zooms (and says by how much).
    page.click("#zoom-in")
    expect(page.locator("#zoom-level")).to_have_text("125%")
    # The diagram is an image Graphviz drew from the saved file.
    expect(page.locator("#diagram")).to_have_js_property("complete", True)
    assert page.eval_on_selector("#diagram", "img => img.naturalWidth") > 100

    # A typo in the start node and an undefined prompt.
    broken = saved.replace("start: greeting", "start: greetin").replace(
        "prompts: [greeting]", "prompts: [greting]"
    )
    _write(page, broken)
    page.fill('input[name="note"]', "인사말 수정")
    page.click("#publish")
    report = page.locator("#report")
    expect(report.locator("h2")).to_contain_text("오류 2건이 있어 게시하지 않았습니다")
    errors = report.locator("li.error")
    expect(errors).to_have_count(2)
    expect(errors.nth(0)).to_contain_text("itest.yaml 4행 8열 · line 4:8")
    expect(errors.nth(0)).to_contain_text("start: there is no node 'greetin' (did you mean 'greeting'?)")
    expect(errors.nth(1)).to_contain_text("prompt 'greting' is not defined")
    expect(page.locator("#unsaved")).to_be_visible()
    screenshot(page, "flows-desk")
    # Clicking an error selects its line in the editor.
    errors.nth(0).locator("button.line-link").click()
    selected = page.evaluate(
        "() => { const s = window.HotlineFlowEditor.view.state; const r = s.selection.main;"
        " return s.sliceDoc(r.from, r.to); }"
    )
    assert selected == "start: greetin"
    # The published flow stays as it was: the file, no new version, no reload.
    assert (hotline.flows_dir / "itest.yaml").read_text(encoding="utf-8") == saved
    adopted = hotline.query("SELECT version, published_by FROM flow_versions WHERE flow = 'itest'")
    assert adopted == [{"version": 1, "published_by": "ivr serve"}]
    assert "flows reloaded" not in hotline.log()

    # The admin fixes the draft in the editor (it kept their text) and publishes it.
    expect(page.locator("#source")).to_have_value(broken)
    fixed = saved.replace(GREETING, NEW_GREETING)
    _write(page, fixed)
    page.click("#publish")
    expect(page.locator("#notice")).to_contain_text("v2 버전으로 게시했습니다")
    expect(page).to_have_url(re.compile(r"/flows/itest\?done=published&version=2$"))
    expect(page.locator("#published-version")).to_have_text("v2")
    expect(page.locator('#history tr[data-version="2"]')).to_contain_text("인사말 수정")
    hotline.wait_log("flows reloaded: itest")  # the running service took it for new calls
    assert (hotline.flows_dir / "itest.yaml").read_text(encoding="utf-8") == fixed
    [_, version] = hotline.query(
        "SELECT version, published_by, note FROM flow_versions WHERE flow = 'itest' ORDER BY version"
    )
    assert version == {"version": 2, "published_by": "admin1", "note": "인사말 수정"}
    [entry] = hotline.query("SELECT actor, target, detail FROM audit WHERE action = 'flow_published'")
    assert entry == {"actor": "admin1", "target": "itest", "detail": "v2 note=인사말 수정"}
