"""Accounts in real Chromium: a new user is a counselor unless the admin says otherwise; phone size."""

from __future__ import annotations

from playwright.sync_api import expect

from ivr.admin import users
from tests.browser.conftest import BASE, PASSWORD, Windows, screenshot
from tests.integration.conftest import Service


def test_a_new_users_role_defaults_to_counselor_and_the_list_fits_a_phone(
    windows: Windows, hotline: Service
) -> None:
    users.add_user(hotline.database, "admin1", "최관리", "admin", PASSWORD, actor="pytest")
    page = windows.new()
    page.goto("/admin/users")
    page.fill('input[name="username"]', "admin1")
    page.fill('input[name="password"]', PASSWORD)
    page.click('button[type="submit"]')
    expect(page).to_have_url(f"{BASE}/admin/users")

    add = page.locator('form[action="/admin/users"]')
    expect(add.locator('select[name="role"]')).to_have_value("counselor")
    add.locator('input[name="username"]').fill("newbie")
    add.locator('input[name="display_name"]').fill("신입상담")
    add.locator('input[name="password"]').fill("a-long-password-1")
    add.locator('input[name="password_again"]').fill("a-long-password-1")
    add.locator('button[type="submit"]').click()  # the role left as offered
    expect(page.locator(".notice")).to_contain_text("'newbie' 사용자를 추가했습니다")
    [row] = hotline.query("SELECT role FROM users WHERE username = 'newbie'")
    assert row == {"role": "counselor"}

    # At 390 × 844 the header folds behind its menu button and the table's rows are cards.
    page.set_viewport_size({"width": 390, "height": 844})
    expect(page.locator("header .who")).to_be_hidden()
    page.click("header .menu-toggle")
    expect(page.locator("header .who")).to_be_visible()
    cell = page.locator("table.list tbody tr").first.locator("td").first
    assert cell.evaluate("td => getComputedStyle(td).display") == "block"
    assert cell.get_attribute("data-label") == "아이디"
    width = page.evaluate("() => document.documentElement.scrollWidth")
    wide = page.evaluate(
        "() => [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > 391)"
        ".slice(0, 5).map(e => e.tagName + ' ' + Math.round(e.getBoundingClientRect().right))"
    )
    assert width <= 390, f"the page is {width} px wide on a 390 px phone: {wide}"
    screenshot(page, "users-phone")
