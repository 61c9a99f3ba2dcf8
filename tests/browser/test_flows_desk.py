"""The flow pages in real Chromium on the real service: a broken publish is refused, a fixed one goes live."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from ivr.admin import users
from tests.browser.conftest import BASE, PASSWORD, Windows, screenshot
from tests.integration.conftest import Service

GREETING = "greeting: {ko: 천년전주 콜센터입니다.}"
NEW_GREETING = "greeting: {ko: 안녕하십니까. 천년전주 콜센터입니다.}"


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
    expect(page.locator('#flows tr[data-flow="itest"] td.state')).to_contain_text("게시된 적 없음")
    page.click('#flows a[href="/flows/itest"]')
    expect(page).to_have_url(f"{BASE}/flows/itest")
    expect(page.locator("#source")).to_have_value(saved)
    # The diagram is an image Graphviz drew from the saved file.
    expect(page.locator("#diagram")).to_have_js_property("complete", True)
    assert page.eval_on_selector("#diagram", "img => img.naturalWidth") > 100

    # A typo in the start node and an undefined prompt.
    broken = saved.replace("start: greeting", "start: greetin").replace(
        "prompts: [greeting]", "prompts: [greting]"
    )
    page.fill("#source", broken)
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
    selected = page.eval_on_selector("#source", "t => t.value.slice(t.selectionStart, t.selectionEnd)")
    assert selected == "start: greetin"
    # The published flow stays as it was: the file, no version, no reload.
    assert (hotline.flows_dir / "itest.yaml").read_text(encoding="utf-8") == saved
    assert hotline.query("SELECT * FROM flow_versions") == []
    assert "flows reloaded" not in hotline.log()

    # The admin fixes the draft in the editor (it kept their text) and publishes it.
    expect(page.locator("#source")).to_have_value(broken)
    fixed = saved.replace(GREETING, NEW_GREETING)
    page.fill("#source", fixed)
    page.click("#publish")
    expect(page.locator("#notice")).to_contain_text("v1 버전으로 게시했습니다")
    expect(page).to_have_url(re.compile(r"/flows/itest\?done=published&version=1$"))
    expect(page.locator("#published-version")).to_have_text("v1")
    expect(page.locator('#history tr[data-version="1"]')).to_contain_text("인사말 수정")
    hotline.wait_log("flows reloaded: itest")  # the running service took it for new calls
    assert (hotline.flows_dir / "itest.yaml").read_text(encoding="utf-8") == fixed
    [version] = hotline.query("SELECT version, published_by, note FROM flow_versions WHERE flow = 'itest'")
    assert version == {"version": 1, "published_by": "admin1", "note": "인사말 수정"}
    [entry] = hotline.query("SELECT actor, target, detail FROM audit WHERE action = 'flow_published'")
    assert entry == {"actor": "admin1", "target": "itest", "detail": "v1 note=인사말 수정"}
