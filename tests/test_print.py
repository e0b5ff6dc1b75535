"""The council report on paper and on a phone: LibreOffice prints the xlsx, Chromium renders and
prints the HTML. Both tools are Debian packages (.ci/run installs them)."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import duckdb
import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from chitieu.cli import main
from chitieu.council_xlsx import COLUMNS
from tests.system_tools import require_module, require_program

A4_LANDSCAPE = (842, 595)


def _page_texts(pdf: Path) -> list[str]:
    # NFKC undoes the typographic ligatures (ﬁ) a PDF may draw
    return [
        " ".join(unicodedata.normalize("NFKC", page.extract_text()).split())
        for page in PdfReader(pdf).pages
    ]


def _is_a4_landscape(pdf: Path) -> bool:
    return all(
        abs(float(p.mediabox.width) - A4_LANDSCAPE[0]) < 2
        and abs(float(p.mediabox.height) - A4_LANDSCAPE[1]) < 2
        for p in PdfReader(pdf).pages
    )


def _targets(published: dict) -> list[tuple]:
    with duckdb.connect(published["publish"].published_path, read_only=True) as con:
        return con.execute(
            "select name_vi, name_en, status, status_vi from mart.target_attainment"
            " where plan_id = 'lai-chau-2024' order by group_no, item_no"
        ).fetchall()


@pytest.fixture(scope="module")
def report_files(published_once) -> tuple[Path, Path]:
    folder = Path(published_once["publish"].reports_dir)
    return folder / "lai-chau-2024.xlsx", folder / "lai-chau-2024.html"


def test_xlsx_print_settings(report_files):
    ws = load_workbook(report_files[0])["Báo cáo"]
    assert ws.page_setup.orientation == "landscape"
    assert str(ws.page_setup.paperSize) == str(ws.PAPERSIZE_A4) == "9"
    assert ws.sheet_properties.pageSetUpPr.fitToPage is True
    assert (int(ws.page_setup.fitToWidth), int(ws.page_setup.fitToHeight)) == (1, 0)
    assert ws.print_title_rows == "$5:$5"
    assert [c.value for c in ws[5]] == [name for name, _ in COLUMNS]
    assert "Trang &P/&N" in ws.oddFooter.right.text


def test_libreoffice_prints_the_xlsx_one_page_wide_landscape_header_repeated(
    published_once, tmp_path, monkeypatch
):
    soffice = require_program("soffice", "libreoffice")
    # an English-locale machine: the decimal comma must come from the file, not the locale
    monkeypatch.setenv("LANG", "C.UTF-8")
    monkeypatch.setenv("LC_ALL", "C.UTF-8")
    assert soffice
    pdf = tmp_path / "council.pdf"
    warehouse = published_once["publish"].published_path
    assert (
        main(
            ["report", "--format", "pdf", "-o", str(pdf), "--warehouse", warehouse]
            + ["--plan", "lai-chau-2024"]
        )
        == 0
    )
    pages = _page_texts(pdf)
    assert _is_a4_landscape(pdf)
    # 50 targets in 10 groups: more than one page tall, but every page holds every column
    assert 2 <= len(pages) <= 3
    for n, text in enumerate(pages, 1):
        for header in (
            "STT",
            "Chỉ tiêu",
            "TH năm trước",
            "TH kỳ báo cáo",
            "So sánh (%)",
            "Đánh giá",
        ):
            assert header in text, f"page {n} lacks the header {header!r}"
        assert f"Trang {n}/{len(pages)}" in text
    everything = " ".join(pages)
    assert "Thu ngân sách trên địa bàn tỷ đồng 2.180,0 2.236,0 1.720,0 2.365,0 105,8" in everything
    assert "Ước đạt và vượt 36/48 chỉ tiêu có số liệu" in everything
    # every figure prints exactly as the sheet stores it (text, Vietnamese separators), row by row
    xlsx = Path(published_once["publish"].reports_dir) / "lai-chau-2024.xlsx"
    figures = [
        " ".join(v for v in row[3:8] if v)
        for row in load_workbook(xlsx)["Báo cáo"].iter_rows(min_row=6, values_only=True)
        if isinstance(row[0], int) and any(row[3:8])
    ]
    assert len(figures) >= 45
    assert [f for f in figures if f not in everything] == []
    assert "2.236,0" in everything and "2,236.0" not in everything


def test_chromium_renders_the_html_without_overflow_at_phone_and_desktop_width(report_files):
    chromium = require_program("chromium", "chromium-browser")
    require_module("playwright")
    from playwright.sync_api import sync_playwright

    probe = """() => {
      const w = innerWidth, rows = [...document.querySelectorAll('tr.target')];
      const over = [...document.querySelectorAll('body *')].filter(e => {
        const r = e.getBoundingClientRect(); return r.width > 0 && (r.right > w + 0.5 || r.left < -0.5);
      }).map(e => e.tagName + '.' + e.className);
      return {w, scroll: document.documentElement.scrollWidth, over,
              display: getComputedStyle(rows[0]).display, rows: rows.length,
              firstScreen: rows.filter(r => r.getBoundingClientRect().bottom <= innerHeight).length};
    }"""
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        try:
            seen = {}
            for width in (390, 1366):
                page = browser.new_page(viewport={"width": width, "height": 844})
                page.goto(report_files[1].as_uri())
                seen[width] = page.evaluate(probe)
                page.close()
        finally:
            browser.close()
    for width, m in seen.items():
        assert m["w"] == width
        assert m["scroll"] <= width and m["over"] == [], (width, m)
        assert m["rows"] == 50
    assert seen[390]["display"] == "grid"  # a card per target
    assert seen[1366]["display"] == "table-row"
    # whole cards on a phone's first screen (was 1½ as a table)
    assert seen[390]["firstScreen"] >= 3


def test_chromium_prints_the_html_a4_landscape_without_split_rows_or_controls(
    report_files, published_once, tmp_path
):
    chromium = require_program("chromium", "chromium-browser")
    require_module("playwright")
    from playwright.sync_api import sync_playwright

    pdf = tmp_path / "report.pdf"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        try:
            page = browser.new_page()
            page.goto(report_files[1].as_uri())
            page.pdf(path=str(pdf), prefer_css_page_size=True, print_background=True)
        finally:
            browser.close()
    assert _is_a4_landscape(pdf)
    pages = _page_texts(pdf)
    assert len(pages) >= 2
    assert not any("Tất cả / all" in text for text in pages), "the filters were printed"
    en = {"achieved": "achieved", "on_track": "on track", "at_risk": "at risk"}
    en |= {"not_achieved": "not achieved", "no_data": "no data"}
    targets = _targets(published_once)
    names_on = [0] * len(pages)
    for name_vi, name_en, _, _ in targets:
        # compared without spaces: a PDF breaks "lower-secondary" into "lower- secondary"
        whole = "".join(unicodedata.normalize("NFKC", name_vi + name_en).split())
        found = [n for n, text in enumerate(pages) if whole in text.replace(" ", "")]
        assert len(found) == 1, f"{name_vi!r} is split across pages or missing ({found})"
        names_on[found[0]] += 1
    # each page holds as many status cells as target names: no row leaves its status behind
    labels = "|".join(re.escape(f"{vi} {en[code]}") for code, vi in _status_labels().items())
    badges = re.compile(f"(?:{labels})(?!:)")
    assert [
        len(badges.findall(text.split("Tình hình nộp báo cáo")[0])) for text in pages
    ] == names_on
    assert sum(names_on) == len(targets) == 50


def _status_labels() -> dict[str, str]:
    from chitieu.attainment import STATUS_VI

    return STATUS_VI
