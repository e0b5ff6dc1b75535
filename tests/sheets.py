"""Helpers that write real spreadsheets for the tests (openpyxl, xlsxwriter, xlwt, CSV)."""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook

HEADER = ["STT", "Chỉ tiêu", "ĐVT", "TH năm trước", "TH kỳ báo cáo", "Ước TH cả năm"]


def write_bieu(
    path: Path,
    rows: list[list],
    title: str = "Báo cáo 9 tháng năm 2024",
    header: list[str] | None = None,
    sheet: str = "Biểu",
) -> Path:
    """A free-form Biểu: a title row, one blank row, the header on row 3, data from row 4."""
    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    ws["A1"] = title
    ws.append([])
    ws.append(header or HEADER)
    for r in rows:
        ws.append(r)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path
