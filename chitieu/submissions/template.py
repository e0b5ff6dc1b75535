"""The official reporting template (Biểu số 1) for one department and period."""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.worksheet.datavalidation import DataValidation

from chitieu.catalogue import Plan
from chitieu.periods import parse_period
from chitieu.reference import Reference
from chitieu.submissions.reader import META_SHEET

TEMPLATE_VERSION = "1"
SHEET = "Biểu"
HEADER_ROW = 5
FIRST_DATA_ROW = 8
COLUMNS = [
    "STT",
    "Mã chỉ tiêu",
    "Chỉ tiêu",
    "Tên tiếng Anh",
    "Đơn vị tính",
    "Thực hiện năm trước",
    "Năm nay",
    None,
    None,
    "Ghi chú",
]
SUBHEADERS = {
    7: "Kế hoạch",
    8: "Thực hiện kỳ báo cáo (lũy kế từ đầu năm)",
    9: "Ước thực hiện cả năm",
}
INPUT_COLUMNS = {"prev_year": 6, "actual": 8, "estimate": 9, "note": 10}
# In-year templates also ask for last year's figure for the same period (issue 13: growth
# in-year is judged against it); after "Ghi chú", so the other columns keep their letters.
PREV_PERIOD_COLUMN = 11
PREV_PERIOD_HEADER = "Cùng kỳ năm trước (lũy kế từ đầu năm)"
YTD_NOTE = (
    "Số liệu kỳ báo cáo và cùng kỳ năm trước là số lũy kế từ đầu năm (từ 01/01 đến hết kỳ). "
    "/ Period figures are year to date (from 1 January to the end of the period)."
)
ROMAN = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X"]


def _validation(allow_negative: bool) -> DataValidation:
    dv = DataValidation(
        type="decimal",
        operator="between" if allow_negative else "greaterThanOrEqual",
        formula1="-1000000000" if allow_negative else "0",
        formula2="1000000000000" if allow_negative else None,
        allow_blank=True,
        showInputMessage=True,
        showErrorMessage=True,
        promptTitle="Nhập số liệu",
        prompt=(
            "Nhập một số (có thể âm), ví dụ 5,1. "
            if allow_negative
            else "Nhập một số không âm, ví dụ 1.234,5. "
        )
        + "Để trống nếu chưa có số liệu. / Enter a number; leave blank if not available.",
        errorTitle="Số liệu không hợp lệ",
        error="Ô này chỉ nhận số. / This cell accepts numbers only.",
    )
    return dv


def _yes_no_validation() -> DataValidation:
    """Yes/no targets ("Giữ vững ..."): a drop-down of the words the parser accepts."""
    return DataValidation(
        type="list",
        formula1='"Có,Không,Đạt,Chưa đạt,x,1,0"',
        allow_blank=True,
        showInputMessage=True,
        showErrorMessage=True,
        promptTitle="Có/không",
        prompt="Chọn Có hoặc Không (Đạt, Chưa đạt, x, 1, 0 cũng được). / Yes or no.",
        errorTitle="Giá trị không hợp lệ",
        error="Ô này nhận Có/Không. / This cell accepts yes/no.",
    )


def write_template(
    plan: Plan, ref: Reference, department: str, period: str, out: str | Path
) -> Path:
    """Write the workbook for ``department`` and ``period``: its targets pre-filled, inputs unlocked."""
    p = parse_period(period)
    if p.year != plan.year or p.is_estimate:
        raise ValueError(
            f"period {period!r} is not a reporting period of {plan.plan_id} ({plan.year})"
        )
    if department not in ref.department_codes:
        raise ValueError(
            f"unknown department {department!r}; expected one of {sorted(ref.department_codes)}"
        )
    targets = [t for t in plan.targets if t.department_code == department]
    if not targets:
        raise ValueError(f"department {department!r} owns no target of {plan.plan_id}")
    dept_name = ref.departments.set_index("department_code").loc[department, "name_vi"]
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    bold = Font(bold=True)
    thin = Side(style="thin")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    ws["A1"] = f"MỘT SỐ CHỈ TIÊU KINH TẾ - XÃ HỘI CHỦ YẾU NĂM {plan.year}"
    ws["A2"] = f"Đơn vị báo cáo: {dept_name}"
    ws["A3"] = f"Kỳ báo cáo: {p.label_vi} ({p.code}) — số liệu lũy kế từ đầu năm"
    same_period = not p.is_final
    ws["J4"] = "Biểu số 1"
    for row in (1, 2, 3):
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=10)
        ws.cell(row, 1).font = bold
        ws.cell(row, 1).alignment = Alignment(horizontal="center")
    for col, text in enumerate(COLUMNS, start=1):
        if text:
            ws.cell(HEADER_ROW, col, text)
    ws.merge_cells(start_row=HEADER_ROW, start_column=7, end_row=HEADER_ROW, end_column=9)
    for col in (1, 2, 3, 4, 5, 6, 10):
        ws.merge_cells(
            start_row=HEADER_ROW, start_column=col, end_row=HEADER_ROW + 1, end_column=col
        )
    for col, text in SUBHEADERS.items():
        ws.cell(HEADER_ROW + 1, col, text)
    if same_period:
        ws.cell(HEADER_ROW, PREV_PERIOD_COLUMN, PREV_PERIOD_HEADER)
        ws.merge_cells(
            start_row=HEADER_ROW,
            start_column=PREV_PERIOD_COLUMN,
            end_row=HEADER_ROW + 1,
            end_column=PREV_PERIOD_COLUMN,
        )
        ws.cell(HEADER_ROW + 2, PREV_PERIOD_COLUMN, "5")
    for col, text in enumerate(["A", "B", "C", "D", "E", "1", "2", "3", "4", "F"], start=1):
        ws.cell(HEADER_ROW + 2, col, text).alignment = Alignment(horizontal="center")
    last_col = PREV_PERIOD_COLUMN if same_period else 10
    for r in range(HEADER_ROW, HEADER_ROW + 3):
        for c in range(1, last_col + 1):
            ws.cell(r, c).font = bold
            ws.cell(r, c).border = box
            ws.cell(r, c).alignment = Alignment(
                horizontal="center", vertical="center", wrap_text=True
            )
    non_negative, signed = _validation(False), _validation(True)
    ws.add_data_validation(non_negative)
    ws.add_data_validation(signed)
    yes_no = _yes_no_validation()
    ws.add_data_validation(yes_no)
    input_fill = PatternFill("solid", fgColor="FFF9E0")
    row = FIRST_DATA_ROW
    for group in sorted({t.group_no for t in targets}):
        ws.cell(row, 1, ROMAN[group - 1]).font = bold
        ws.cell(row, 3, f"Nhóm chỉ tiêu ({group})").font = bold
        row += 1
        for n, t in enumerate([t for t in targets if t.group_no == group], start=1):
            values = [
                n,
                t.code,
                t.name_vi,
                t.name_en,
                t.measure_unit or t.unit,
                None,
                t.target_value if t.measure != "level" else None,
                None,
                None,
                None,
            ]
            for col, v in enumerate(values, start=1):
                cell = ws.cell(row, col, v)
                cell.border = box
            inputs = [*INPUT_COLUMNS.values()] + ([PREV_PERIOD_COLUMN] if same_period else [])
            for col in inputs:
                cell = ws.cell(row, col)
                cell.protection = Protection(locked=False)
                cell.fill = input_fill
                if col != INPUT_COLUMNS["note"]:
                    (
                        yes_no
                        if t.kind == "maintain"
                        else signed
                        if t.kind in ("growth", "approx") and t.measure == "reported"
                        else non_negative
                    ).add(cell)
            row += 1
    ws.cell(
        row + 1, 1, "Ghi chú: nhập số theo đơn vị tính của từng dòng; để trống nếu chưa có số liệu."
    )
    ws.cell(row + 2, 1, YTD_NOTE)
    ws.cell(
        row + 3,
        1,
        "Chỉ tiêu có/không: nhập Có, Đạt, x hoặc 1 (có); Không, Chưa đạt hoặc 0 (không). "
        "/ Yes/no targets: Có, Đạt, x or 1 for yes; Không, Chưa đạt or 0 for no.",
    )
    ws.column_dimensions["K"].width = 16
    for col, width in zip("ABCDEFGHIJ", (6, 26, 48, 40, 14, 14, 12, 14, 14, 20), strict=True):
        ws.column_dimensions[col].width = width
    ws.freeze_panes = ws.cell(FIRST_DATA_ROW, 3)
    ws.protection.sheet = True
    ws.protection.formatColumns = False
    meta = wb.create_sheet(META_SHEET)
    for key, value in (
        ("template_version", TEMPLATE_VERSION),
        ("plan", plan.plan_id),
        ("department", department),
        ("period", p.code),
    ):
        meta.append([key, value])
    meta.sheet_state = "hidden"
    meta.protection.sheet = True
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    wb.save(out)
    return out
