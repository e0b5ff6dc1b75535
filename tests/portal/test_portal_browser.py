"""A real browser (Debian's chromium, driven by Playwright) signs in, uploads a file and reads the
verdict. Nothing is downloaded: Playwright is pointed at /usr/bin/chromium. Under CI the test
fails, not skips, when chromium is missing (.ci/run installs it)."""

from __future__ import annotations

import os
import shutil

import pytest

from tests.portal.conftest import PASSWORDS
from tests.portal.forms import warned_form

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--headless=new",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


@pytest.fixture
def browser():
    if not os.path.exists(CHROMIUM):
        message = "Debian's chromium is not installed (apt-get install chromium)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield b
        b.close()


def test_browser_signs_in_uploads_and_reads_the_verdict(portal, browser, tmp_path):
    form = warned_form(tmp_path / "bao-cao-9-thang.xlsx")
    page = browser.new_page(locale="vi-VN")
    page.goto(f"{portal.url}/")
    page.select_option("#department", "stc")
    page.fill("#password", PASSWORDS["stc"])
    page.click("button[type=submit]")
    page.wait_for_url("**/upload")
    page.fill("#sender", "Trần Văn Minh")
    page.set_input_files("#file", str(form))
    page.click("form[action='/upload'] button[type=submit]")
    verdict = page.locator("#verdict")
    verdict.wait_for(timeout=30_000)
    assert verdict.get_attribute("data-status") == "warned"
    assert "ĐƯỢC CHẤP NHẬN, CÓ CẢNH BÁO" in verdict.inner_text()
    assert "ACCEPTED WITH WARNINGS" in verdict.inner_text()
    assert page.locator("td.cell", has_text="Biểu!H9").count() == 1
    shot = tmp_path / "verdict.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000
    page.click("a[href='/history']")
    assert "bao-cao-9-thang.xlsx" in page.locator("table.pending").inner_text()
