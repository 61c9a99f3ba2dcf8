"""The knowledge base at the counselor's desk, in real Chromium on a real SIPp call (issue 15)."""

from __future__ import annotations

import shutil
from pathlib import Path

from playwright.sync_api import expect

from tests.browser.conftest import Windows, screenshot
from tests.integration.conftest import COUNSELOR_PORTS, Service
from tests.integration.sipp import SippLab

KNOWLEDGE = Path(__file__).resolve().parents[2] / "knowledge"
LOCAL_TAX = [
    "acquisition-tax",
    "car-tax",
    "local-income-tax",
    "local-tax-payment-methods",
    "property-tax",
    "tax-certificate",
]


def test_a_call_that_chose_local_tax_brings_its_articles_and_the_counselor_answers_from_one(
    windows: Windows, hotline: Service, lab: SippLab, tmp_path: Path
) -> None:
    # The seed articles of 지방세 (the test flow sets no other topic they name), imported as a city would.
    folder = tmp_path / "knowledge"
    folder.mkdir()
    for slug in LOCAL_TAX:
        shutil.copy(KNOWLEDGE / f"{slug}.md", folder)
    imported = hotline.ivr("kb", "import", str(folder))
    assert imported.returncode == 0, imported.stdout + imported.stderr

    desk = windows.log_in("minji", "/counselor/c1")
    expect(desk.locator("#no-call")).to_be_visible()
    lab.counselor(COUNSELOR_PORTS[0], "answer")
    citizen = lab.citizen(digits=[(1500, "5")], hangup_after_ms=15000, caller="01033334444")
    hotline.wait_for_event("connected")

    # Before anything is typed: the call's topic and its six articles.
    expect(desk.locator("#caller")).to_have_text("010-3333-4444")  # grouped as people write it
    expect(desk.locator("#kb-topic")).to_contain_text("지방세")
    expect(desk.locator("#kb-topic-articles li")).to_have_count(len(LOCAL_TAX))
    expect(desk.locator("#kb-topic-articles")).to_contain_text("재산세 납부 기간과 방법")

    # One key away: "/" focuses the search; results come as the counselor types.
    desk.locator("body").press("/")
    expect(desk.locator("#kb-search")).to_be_focused()
    desk.keyboard.type("재산세 언제 내요")
    first = desk.locator("#kb-results li button").first
    expect(first).to_have_text("재산세 납부 기간과 방법")
    first.click()

    # The article opens beside the call: the call card stays on screen.
    expect(desk.locator("#kb-article-title")).to_have_text("재산세 납부 기간과 방법")
    expect(desk.locator("#kb-article-body")).to_contain_text("7월 16일")
    expect(desk.locator("#call")).to_be_visible()
    desk.click("#kb-used")
    expect(desk.locator("#kb-marks li")).to_contain_text("재산세 납부 기간과 방법")
    desk.click('button[data-outcome="resolved"]')
    expect(desk.locator("#kb-resolution")).to_have_text("해결")
    screenshot(desk, "counselor-desk-kb")

    assert citizen.wait(60) == 0, citizen.errors()
    [call] = hotline.closed_calls(1)
    assert (call["topic"], call["counselor_id"]) == ("local_tax", "c1")
    [used] = hotline.query("SELECT call_id, kind, slug, version, author FROM kb_call_uses")
    assert used == {
        "call_id": call["id"],
        "kind": "used",
        "slug": "property-tax",
        "version": 1,
        "author": "minji",
    }
    [resolution] = hotline.query("SELECT call_id, outcome FROM call_resolutions")
    assert resolution == {"call_id": call["id"], "outcome": "resolved"}
    # The call's record on the desk, after it ended: the article used and "resolved".
    expect(desk.locator("#call-title")).to_contain_text("최근 통화", timeout=10000)
    expect(desk.locator("#kb-marks li")).to_contain_text("재산세 납부 기간과 방법")
    expect(desk.locator("#kb-resolution")).to_have_text("해결")
