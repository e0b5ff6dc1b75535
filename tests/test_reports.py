"""The council report: xlsx holds the right numbers and statuses; HTML is self-contained with a chart per target."""

import re
from html.parser import HTMLParser
from pathlib import Path

import duckdb
import pytest
from openpyxl import load_workbook

from chitieu.cli import main
from tests.test_publish import published  # noqa: F401  (fixture)


@pytest.fixture
def reports(published):  # noqa: F811
    return published["publish"].reports_dir, published["publish"].published_path


def test_xlsx_report_numbers_statuses_sections_and_summary(reports):
    folder, _ = reports
    ws = load_workbook(f"{folder}/lai-chau-2024.xlsx")["Báo cáo"]
    assert [c.value for c in ws[4]] == [
        "STT",
        "Chỉ tiêu",
        "Đơn vị tính",
        "Kế hoạch",
        "Thực hiện / Ước thực hiện",
        "So sánh (%)",
        "Đánh giá",
    ]
    rows = {r[1]: r for r in ws.iter_rows(min_row=5, values_only=True) if r[1]}
    assert rows["Thu ngân sách trên địa bàn"][2:] == ("tỷ đồng", 2236, 2365, 105.77, "Ước đạt")
    # "dưới 15,9%" met exactly: the exact comparison, not 100 %
    assert rows["Tỷ lệ trẻ em dưới 5 tuổi suy dinh dưỡng thể nhẹ cân"][3:] == (
        15.9,
        15.9,
        "15,9 = 15,9; cần < 15,9",
        "Không đạt",
    )
    assert rows["Mức giảm tỷ lệ hộ nghèo các huyện nghèo"][3:] == (
        5.4,
        None,
        None,
        "Chưa có số liệu",
    )
    sections = [
        r[0]
        for r in ws.iter_rows(min_row=5, values_only=True)
        if isinstance(r[0], str) and re.fullmatch(r"\(\d+\)", r[0])
    ]
    assert sections == [f"({g})" for g in range(1, 11)]
    texts = [r[0] for r in ws.iter_rows(min_row=5, values_only=True) if isinstance(r[0], str)]
    assert (
        "Ước đạt và vượt 36/48 chỉ tiêu có số liệu (kế hoạch 50 chỉ tiêu);"
        " theo chỉ tiêu thành phần của tỉnh: 30/42." in texts
    )
    assert ws.cell(10, 4).number_format == "#,##0.0#"


class _Page(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags, self.remote, self.bullets, self.rows = [], [], 0, 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.append(tag)
        for key in ("src", "href", "xlink:href"):
            if a.get(key) and ("//" in a[key] or a[key].startswith("http")):
                self.remote.append((tag, a[key]))
        if tag == "link" or (tag == "script" and "src" in a):
            self.remote.append((tag, a))
        if tag == "svg" and "bullet" in (a.get("class") or ""):
            self.bullets += 1
        if tag == "tr" and "target" in (a.get("class") or ""):
            self.rows += 1


def test_html_report_is_self_contained_with_one_chart_per_target(reports):
    folder, _ = reports
    text = Path(folder, "lai-chau-2024.html").read_text(encoding="utf-8")
    page = _Page()
    page.feed(text)
    assert page.bullets == 50 and page.rows == 50
    assert page.remote == []
    assert "url(" not in text and "@import" not in text
    assert "Ước đạt và vượt 36/48 chỉ tiêu có số liệu" in text
    assert 'id="f-group"' in text and 'id="f-dept"' in text
    assert "Tình hình nộp báo cáo" in text and "Bị từ chối, chờ gửi lại" in text
    assert text.count('data-status="not_achieved"') == 5


def test_report_command_writes_both_formats(reports, tmp_path, capsys):
    _, warehouse = reports
    assert (
        main(
            ["report", "--format", "xlsx", "-o", str(tmp_path / "r.xlsx"), "--warehouse", warehouse]
        )
        == 0
    )
    assert (
        main(
            ["report", "--format", "html", "-o", str(tmp_path / "r.html"), "--warehouse", warehouse]
        )
        == 0
    )
    assert load_workbook(tmp_path / "r.xlsx")["Báo cáo"]["A1"].value.startswith("ĐÁNH GIÁ KẾT QUẢ")
    assert (
        main(
            [
                "report",
                "--format",
                "html",
                "-o",
                str(tmp_path / "x.html"),
                "--warehouse",
                str(tmp_path / "none.duckdb"),
            ]
        )
        == 2
    )


def test_submission_status_mart(reports):
    _, warehouse = reports
    with duckdb.connect(warehouse, read_only=True) as con:
        rows = dict(
            ((d, p), (s, n))
            for d, p, s, n in con.execute(
                "select department_code, period_code, status, files_received from mart.submission_status"
            ).fetchall()
        )
    assert rows[("snn", "2024-9M")] == ("accepted", 2)
    assert rows[("sct", "2024-9M")] == ("rejected", 1)
    assert rows[("stnmt", "2024-9M")] == ("missing", 0)
    assert rows[("sgddt", "2024")] == ("accepted", 1)
    # the year's report is due 20/01/2025, after the as-of date 15/01/2025
    assert rows[("bhxh", "2024")] == ("not_due", 0)
    # 14 of the 16 departments own targets (the planning department and the tax department do not); 3 reports each
    assert len(rows) == 14 * 3
