"""An evidence package in real Chromium: made from a flagged call's QA page,
checked with `ivr evidence verify`, and refused once a byte of its recording
is changed."""

from __future__ import annotations

import sqlite3
import zipfile
from pathlib import Path

from playwright.sync_api import expect

from ivr.admin import users
from tests.browser.conftest import PASSWORD, Windows
from tests.browser.test_qa_player import _log_in, _seed
from tests.integration.conftest import Service


def test_qa_makes_a_package_that_verifies_and_a_changed_byte_names_the_recording(
    windows: Windows, hotline: Service, tmp_path: Path
) -> None:
    users.add_user(hotline.database, "qa1", "최평가", "qa", PASSWORD, actor="pytest")
    _seed(hotline)
    with sqlite3.connect(hotline.database, timeout=10) as con:  # ended for harassment
        con.execute("UPDATE calls SET flagged = 'harassment' WHERE id = 'qa-call-1'")
    con.close()
    page = windows.new()
    _log_in(page, "qa1", "/qa/calls/qa-call-1")
    expect(page.locator("h1")).to_contain_text("통화 평가")
    fingerprint = page.locator("#key-fingerprint").inner_text()
    page.click("#make-evidence")
    link = page.locator('a.package[data-version="1"]')
    expect(link).to_be_visible()
    with page.expect_download() as download:
        link.click()
    package = tmp_path / "evidence-qa-call-1-v1.zip"
    download.value.save_as(package)

    checked = hotline.ivr("evidence", "verify", str(package))
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert f"key fingerprint {fingerprint}" in checked.stdout
    assert "OK    recordings/qa-call-1.wav" in checked.stdout
    with sqlite3.connect(hotline.database, timeout=10) as con:
        held = con.execute("SELECT legal_hold FROM recordings WHERE call_id = 'qa-call-1'").fetchone()[0]
    con.close()
    assert held == 1

    # One byte of the recording changed, the zip written back as it was otherwise.
    changed = tmp_path / "changed.zip"
    with zipfile.ZipFile(package) as old, zipfile.ZipFile(changed, "w") as new:
        for name in old.namelist():
            data = bytearray(old.read(name))
            if name == "recordings/qa-call-1.wav":
                data[5000] ^= 0x01
            new.writestr(name, bytes(data))
    refused = hotline.ivr("evidence", "verify", str(changed))
    assert refused.returncode == 1
    assert "FAIL  recordings/qa-call-1.wav: SHA-256 differs from the manifest" in refused.stdout
    assert "NOT VERIFIED" in refused.stdout
