"""The council's attainment table as an xlsx that prints: A4 landscape, one page wide, header
rows repeated, title and footer citing the resolution, numbers with a decimal comma whatever the
reader's locale (as text on the printed sheet; as numbers on the data sheet beside it)."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

import duckdb
import pandas as pd
from babel.numbers import format_decimal
from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.worksheet.properties import PageSetupProperties

from chitieu.marts import number
from chitieu.periods import parse_period
from chitieu.publish import atomic_write
from chitieu.report_text import vi_number

COLUMNS = [
    ("STT", 5),
    ("Chỉ tiêu", 52),
    ("ĐVT", 11),
    ("TH năm trước", 11),
    ("KH năm", 11),
    ("TH kỳ báo cáo", 12),
    ("Ước TH năm", 11),
    ("So sánh (%)", 10),
    ("Đánh giá", 22),
]
HEADER_ROW = 5
PRINT_SHEET, DATA_SHEET = "Báo cáo", "Số liệu"
# The data sheet: the same figures as numbers, one row per target, for sorting and sums
DATA_COLUMNS = [
    ("Nhóm / Group", 7),
    ("STT / No.", 6),
    ("Mã chỉ tiêu / Target code", 14),
    ("Chỉ tiêu / Target", 52),
    ("ĐVT / Unit", 11),
    ("TH năm trước / Previous year", 13),
    ("KH năm / Plan", 11),
    ("KH từ / Plan low", 11),
    ("KH đến / Plan high", 11),
    ("TH kỳ báo cáo / Actual to date", 13),
    ("Kỳ báo cáo / Period", 11),
    ("Ước TH năm / Year projection", 13),
    ("So sánh (%) / % of plan", 11),
    ("Đánh giá / Status", 22),
    ("Mã đánh giá / Status code", 13),
]
STATUS_COLOURS = {
    "achieved": "1A7F37",
    "on_track": "3D7F4A",
    "at_risk": "B45309",
    "not_achieved": "C62828",
    "no_data": "6B6B6B",
}
THIN = Side(style="thin")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
WRAP = Alignment(wrap_text=True, vertical="center")


def number_format(decimals: int) -> str:
    """Thousands grouping and ``decimals`` places (shown with the reader's separators)."""
    return "#,##0." + "0" * decimals if decimals else "#,##0"


def vi_fixed(value: float | None, decimals: int) -> str:
    """``value`` with exactly ``decimals`` places, Vietnamese separators (2.236,0); blank for none.
    The printed sheet stores this text: Excel ignores a number format's locale tag and shows the
    reader's system separators, so only text prints 2.236,0 in every Excel and LibreOffice."""
    if value is None or pd.isna(value):
        return ""
    return format_decimal(value, format=number_format(decimals), locale="vi")


def text(cell: Cell, value: str) -> Cell:
    """Store ``value`` as a string even when it starts with '=' (openpyxl would write a formula)."""
    cell.value = value
    cell.data_type = "s"
    return cell


def report_rows(con: duckdb.DuckDBPyConnection, plan_id: str) -> pd.DataFrame:
    """The plan's targets in report order, with the decimals of their unit and measure unit."""
    return con.execute(
        """select a.*, u.decimals, coalesce(m.decimals, u.decimals) as measure_decimals
           from mart.target_attainment as a
           join core.dim_unit as u on u.unit_code = a.unit
           left join core.dim_unit as m on m.unit_code = a.measure_unit
           where a.plan_id = ? order by a.group_no, a.item_no""",
        [plan_id],
    ).df()


def _header(con: duckdb.DuckDBPyConnection, plan_id: str) -> dict:
    row = con.execute(
        """select p.plan_year, p.title_vi, p.citation_vi, p.citation_en, s.summary_vi, s.summary_en, s.as_of
           from core.dim_plan as p join mart.attainment_summary as s using (plan_id)
           where plan_id = ? and s.group_no is null""",
        [plan_id],
    ).fetchall()[0]
    keys = ("year", "title_vi", "citation_vi", "citation_en", "summary_vi", "summary_en", "as_of")
    return dict(zip(keys, row, strict=True))


def _verdict(t) -> str:
    """The status, marked "(số liệu sơ bộ)" when it rests on preliminary figures (issue 13)."""
    verdict = getattr(t, "verdict_vi", None)
    return verdict if isinstance(verdict, str) else t.status_vi


def _plan_value(t) -> tuple[float | str | None, int]:
    if t.kind == "range":
        return f"{vi_number(t.target_low)} – {vi_number(t.target_high)}", 0
    if t.unit == "có/không":
        return ("Có" if number(t.target_value) else "Không"), 0
    return number(t.target_value), int(t.decimals)


def _assessment(t) -> str:
    label = _verdict(t)
    if isinstance(t.no_data_reason_vi, str):
        label += f" ({t.no_data_reason_vi.lower()})"
    elif isinstance(t.actual_period, str) and not parse_period(t.actual_period).is_final:
        period = parse_period(t.actual_period)
        label += f" (TH {period.label_vi.removesuffix(f' năm {period.year}')})"
    return label


def _lines(value: str, width: float) -> int:
    """Lines a wrapped text needs in a column ``width`` characters wide (an estimate: LibreOffice
    and Excel keep the stored row height of an xlsx written by openpyxl instead of fitting it)."""
    per_line = max(int(width * 1.15), 1)
    lines, used = 1, 0
    for word in value.split():
        if used and used + 1 + len(word) > per_line:
            lines, used = lines + 1, len(word)
        else:
            used += len(word) + (1 if used else 0)
    return lines


def _page_setup(ws, last_row: int, footer: str) -> None:
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    ws.print_area = f"A1:I{last_row}"
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    ws.oddFooter.left.text = footer
    ws.oddFooter.left.size = 8
    ws.oddFooter.right.text = "Trang &P/&N"
    ws.oddFooter.right.size = 8
    ws.freeze_panes = f"A{HEADER_ROW + 1}"


def _data_sheet(ws, rows: pd.DataFrame) -> None:
    """The figures of the printed sheet as numbers (display values, rounded to the unit), one
    row per target with its codes, filterable; not printed (write_pdf leaves it out)."""
    for c, (label, width) in enumerate(DATA_COLUMNS, 1):
        cell = text(ws.cell(1, c), label)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        ws.column_dimensions[cell.column_letter].width = width
    ws.row_dimensions[1].height = 30
    for r, t in enumerate(rows.itertuples(), 2):
        same_unit = t.measure_unit == t.unit
        numbers = [
            (number(t.baseline_value_display) if same_unit else None, int(t.measure_decimals)),
            (None if t.kind == "range" else number(t.target_value), int(t.decimals)),
            (number(t.target_low), int(t.decimals)),
            (number(t.target_high), int(t.decimals)),
            (number(t.actual_value_display), int(t.decimals)),
        ]
        ws.cell(r, 1, int(t.group_no))
        ws.cell(r, 2, int(t.item_no))
        for c, value in ((3, t.target_code), (4, t.name_vi), (5, t.unit)):
            text(ws.cell(r, c), value)
        for c, (value, decimals) in enumerate(numbers, 6):
            ws.cell(r, c, value).number_format = number_format(decimals)
        if isinstance(t.actual_period, str):
            text(ws.cell(r, 11), t.actual_period)
        ws.cell(r, 12, number(t.projected_value_display)).number_format = number_format(
            int(t.decimals)
        )
        ws.cell(r, 13, number(t.attainment_pct_display)).number_format = number_format(1)
        text(ws.cell(r, 14), _verdict(t))
        text(ws.cell(r, 15), t.status)
    ws.freeze_panes = "E2"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.print_title_rows = "1:1"
    ws.auto_filter.ref = f"A1:{ws.cell(1, len(DATA_COLUMNS)).column_letter}{len(rows) + 1}"


def write_xlsx(
    con: duckdb.DuckDBPyConnection,
    out: str | Path,
    plan_id: str | None = None,
    data_sheet: bool = True,
) -> Path:
    """STT | Chỉ tiêu | ĐVT | TH năm trước | KH năm | TH kỳ báo cáo | Ước TH năm | So sánh (%) | Đánh giá,
    a heading row per group, ending with "Ước đạt và vượt X/N chỉ tiêu"; set up to print, its
    numbers as Vietnamese text (2.236,0). With ``data_sheet``, a second sheet holds the same
    figures as numbers."""
    plan_id = plan_id or con.execute("select min(plan_id) from core.dim_plan").fetchall()[0][0]
    rows = report_rows(con, plan_id)
    head = _header(con, plan_id)
    wb = Workbook()
    ws = wb.active
    ws.title = PRINT_SHEET
    if data_sheet:
        _data_sheet(wb.create_sheet(DATA_SHEET), rows)
    last_col = len(COLUMNS)
    about = head["title_vi"].removeprefix("Nghị quyết").strip()
    titles = [
        (
            f"ĐÁNH GIÁ KẾT QUẢ THỰC HIỆN CÁC CHỈ TIÊU KINH TẾ - XÃ HỘI CHỦ YẾU NĂM {head['year']}",
            Font(bold=True, size=13),
        ),
        (f"(Theo {head['citation_vi']} {about})", Font(italic=True, size=11)),
        (f"Số liệu đến ngày {head['as_of']:%d/%m/%Y}", Font(size=10)),
    ]
    for r, (value, font) in enumerate(titles, 1):
        ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=last_col)
        cell = text(ws.cell(r, 1), value)
        cell.font = font
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    ws.row_dimensions[2].height = 30
    for c, (label, width) in enumerate(COLUMNS, 1):
        cell = text(ws.cell(HEADER_ROW, c), label)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.border = BOX
        cell.fill = PatternFill("solid", fgColor="EDEDED")
        ws.column_dimensions[chr(64 + c)].width = width
    ws.row_dimensions[HEADER_ROW].height = 30
    r = HEADER_ROW + 1
    for (group, name), part in rows.groupby(["group_no", "group_name_vi"], sort=True):
        text(ws.cell(r, 1), f"({group})").font = Font(bold=True)
        ws.merge_cells(start_row=r, start_column=2, end_row=r, end_column=last_col)
        text(ws.cell(r, 2), name).font = Font(bold=True)
        for c in range(1, last_col + 1):
            ws.cell(r, c).border = BOX
        r += 1
        for n, t in enumerate(part.itertuples(), 1):
            plan_value, plan_decimals = _plan_value(t)
            same_unit = t.measure_unit == t.unit
            numbers = [
                (number(t.baseline_value_display) if same_unit else None, int(t.measure_decimals)),
                (plan_value, plan_decimals),
                (number(t.actual_value_display), int(t.decimals)),
                (number(t.projected_value_display), int(t.decimals)),
                (number(t.attainment_pct_display), 1),
            ]
            ws.cell(r, 1, n).alignment = Alignment(horizontal="center", vertical="center")
            text(ws.cell(r, 2), t.name_vi).alignment = WRAP
            text(ws.cell(r, 3), t.unit).alignment = Alignment(
                horizontal="center", vertical="center", wrap_text=True
            )
            for c, (value, decimals) in enumerate(numbers, 4):
                shown = value if isinstance(value, str) else vi_fixed(value, decimals)
                cell = text(ws.cell(r, c), shown) if shown else ws.cell(r, c)
                cell.alignment = Alignment(horizontal="right", vertical="center")
            assessment = _assessment(t)
            status = text(ws.cell(r, 9), assessment)
            ws.row_dimensions[r].height = 15 * max(
                _lines(t.name_vi, COLUMNS[1][1]), _lines(assessment, COLUMNS[8][1]), 1
            )
            status.font = Font(color=STATUS_COLOURS[t.status], bold=True)
            status.alignment = WRAP
            for c in range(1, last_col + 1):
                ws.cell(r, c).border = BOX
            r += 1
    for offset, (value, font) in enumerate(
        (
            (f"{head['summary_vi']}.", Font(bold=True)),
            (f"({head['summary_en']}.)", Font(italic=True)),
        )
    ):
        ws.merge_cells(
            start_row=r + 1 + offset, start_column=1, end_row=r + 1 + offset, end_column=last_col
        )
        text(ws.cell(r + 1 + offset, 1), value).font = font
    last_row = r + 2
    _page_setup(ws, last_row, f"{head['citation_vi']} — số liệu đến {head['as_of']:%d/%m/%Y}")
    return atomic_write(Path(out), lambda tmp: wb.save(tmp))


def xlsx_to_pdf(xlsx: str | Path, out_dir: str | Path, soffice: str | None = None) -> Path:
    """Print ``xlsx`` to PDF with LibreOffice headless (its own throwaway profile, so a running
    LibreOffice does not block it); returns the PDF's path."""
    soffice = soffice or shutil.which("soffice") or shutil.which("libreoffice")
    if not soffice:
        raise FileNotFoundError("LibreOffice (soffice) is not installed")
    out_dir = Path(out_dir)
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run(
            [
                soffice,
                f"-env:UserInstallation=file://{profile}",
                "--headless",
                "--convert-to",
                "pdf",
                "--outdir",
                str(out_dir),
                str(xlsx),
            ],
            check=True,
            capture_output=True,
            timeout=180,
        )
    pdf = out_dir / (Path(xlsx).stem + ".pdf")
    if not pdf.exists():
        raise RuntimeError(f"LibreOffice did not write {pdf}")
    return pdf


def write_pdf(con: duckdb.DuckDBPyConnection, out: str | Path, plan_id: str | None = None) -> Path:
    """The council xlsx's printed sheet through LibreOffice: the paper copy (the data sheet,
    numbers for analysis, is left out)."""
    out = Path(out)
    with tempfile.TemporaryDirectory() as tmp:
        xlsx = write_xlsx(con, Path(tmp) / f"{out.stem}.xlsx", plan_id, data_sheet=False)
        pdf = xlsx_to_pdf(xlsx, tmp)
        return atomic_write(out, lambda target: shutil.copyfile(pdf, target))
