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
    assert [c.value for c in ws[5]] == [
        "STT",
        "Chỉ tiêu",
        "ĐVT",
        "TH năm trước",
        "KH năm",
        "TH kỳ báo cáo",
        "Ước TH năm",
        "So sánh (%)",
        "Đánh giá",
    ]
    assert ws["A1"].value == (
        "ĐÁNH GIÁ KẾT QUẢ THỰC HIỆN CÁC CHỈ TIÊU KINH TẾ - XÃ HỘI CHỦ YẾU NĂM 2024"
    )
    assert ws["A2"].value == (
        "(Theo Nghị quyết ngày 07/12/2023 của Hội đồng nhân dân tỉnh Lai Châu khoá XV "
        "về kế hoạch phát triển kinh tế - xã hội, đảm bảo quốc phòng - an ninh năm 2024)"
    )
    assert ws.oddFooter.left.text.startswith("Nghị quyết ngày 07/12/2023 của Hội đồng nhân dân")
    rows = {r[1]: r for r in ws.iter_rows(min_row=6, values_only=True) if r[1]}
    # the 9-month actual and the year estimate in their own columns; last year's figure beside;
    # printed numbers are Vietnamese text at the unit's decimals, the same in every locale
    assert rows["Thu ngân sách trên địa bàn"] == (
        1,
        "Thu ngân sách trên địa bàn",
        "tỷ đồng",
        "2.180,0",
        "2.236,0",
        "1.720,0",
        "2.365,0",
        "105,8",
        "Ước đạt (TH 9 tháng)",
    )
    # 6.100 workers in 9 months, straight-line projection 8.133,33 shown as whole workers
    assert rows["Giải quyết việc làm"][3:] == (
        "8.870",
        "8.920",
        "6.100",
        "8.133",
        "91,2",
        "Có nguy cơ không đạt (TH 9 tháng)",
    )
    assert rows["Tỷ lệ trẻ em dưới 5 tuổi suy dinh dưỡng thể nhẹ cân"][3:] == (
        "16,40",
        "15,90",
        "15,90",
        "15,90",
        None,  # "dưới 15,9%" met exactly: no % (the mart's comparison_vi says 15,9 = 15,9)
        "Không đạt",
    )
    assert rows["Mức giảm tỷ lệ hộ nghèo các huyện nghèo"][3:] == (
        None,
        "5,40",
        None,
        None,
        None,
        "Chưa có số liệu (thiếu số liệu năm trước để tính)",
    )
    headings = [
        (r[0], r[1])
        for r in ws.iter_rows(min_row=6, values_only=True)
        if isinstance(r[0], str) and re.fullmatch(r"\(\d+\)", r[0])
    ]
    assert [h[0] for h in headings] == [f"({g})" for g in range(1, 11)]
    assert headings[2] == ("(3)", "Thu ngân sách")
    texts = [r[0] for r in ws.iter_rows(min_row=6, values_only=True) if isinstance(r[0], str)]
    assert (
        "Ước đạt và vượt 36/48 chỉ tiêu có số liệu (kế hoạch 50 chỉ tiêu);"
        " theo chỉ tiêu thành phần của tỉnh: 30/42." in texts
    )
    budget = next(r for r in ws.iter_rows(min_row=6) if r[1].value == "Thu ngân sách trên địa bàn")
    assert [(c.data_type, c.alignment.horizontal) for c in budget[3:8]] == [("s", "right")] * 5
    assert budget[1].alignment.wrap_text


def test_xlsx_data_sheet_keeps_the_printed_figures_as_numbers(reports):
    folder, warehouse = reports
    wb = load_workbook(f"{folder}/lai-chau-2024.xlsx")
    assert wb.sheetnames == ["Báo cáo", "Số liệu"] and wb.active.title == "Báo cáo"
    ws = wb["Số liệu"]
    header = [c.value for c in ws[1]]
    assert header[:5] == [
        "Nhóm / Group",
        "STT / No.",
        "Mã chỉ tiêu / Target code",
        "Chỉ tiêu / Target",
        "ĐVT / Unit",
    ]
    data = {
        r[2]: dict(zip(header, r, strict=True)) for r in ws.iter_rows(min_row=2, values_only=True)
    }
    with duckdb.connect(warehouse, read_only=True) as con:
        codes = [
            r[0]
            for r in con.execute(
                "select target_code from mart.target_attainment where plan_id = 'lai-chau-2024' order by group_no, item_no"
            ).fetchall()
        ]
    assert list(data) == codes
    budget = data["budget_revenue"]
    assert [budget[h] for h in header[5:]] == [
        2180,
        2236,
        None,
        None,
        1720,
        "2024-9M",
        2365,
        105.8,
        "Ước đạt",
        "on_track",
    ]
    budget_cells = next(r for r in ws.iter_rows(min_row=2) if r[2].value == "budget_revenue")
    assert budget_cells[5].data_type == "n" and budget_cells[5].number_format == "#,##0.0"
    assert ws.auto_filter.ref == f"A1:O{len(codes) + 1}"


def test_xlsx_text_cells_are_never_formulas(tmp_path):
    from openpyxl import Workbook

    from chitieu.council_xlsx import text

    wb = Workbook()
    text(wb.active["A1"], '=HYPERLINK("http://x","y")')
    text(wb.active["A2"], "+84 912")
    wb.save(tmp_path / "t.xlsx")
    ws = load_workbook(tmp_path / "t.xlsx").active
    assert (ws["A1"].data_type, ws["A1"].value) == ("s", '=HYPERLINK("http://x","y")')
    assert (ws["A2"].data_type, ws["A2"].value) == ("s", "+84 912")


class _Page(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags, self.remote, self.bullets, self.rows, self.groups = [], [], 0, 0, 0

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
        if tag == "tr" and "group" in (a.get("class") or ""):
            self.groups += 1


def test_html_report_is_self_contained_with_one_chart_per_target(reports):
    folder, _ = reports
    text = Path(folder, "lai-chau-2024.html").read_text(encoding="utf-8")
    page = _Page()
    page.feed(text)
    assert page.bullets == 50 and page.rows == 50 and page.groups == 10
    assert page.remote == []
    assert "url(" not in text and "@import" not in text
    assert "Ước đạt và vượt 36/48 chỉ tiêu có số liệu" in text
    assert 'id="f-group"' in text and 'id="f-dept"' in text
    assert "Tình hình nộp báo cáo" in text and "Bị từ chối, chờ gửi lại" in text
    assert text.count('data-status="not_achieved"') == 5
    # Vietnamese first, English beside; no English-only labels
    assert 'Thiếu số liệu năm trước để tính</div><div class="en">missing baseline' in text
    assert 'Báo cáo của sở, ngành <span class="en">(department)</span>' in text
    assert '(3) Thu ngân sách <span class="en">Budget revenue</span>' in text
    assert "@page{size:A4 landscape" in text and "break-inside:avoid" in text


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
