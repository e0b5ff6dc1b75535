"""Yes/no cells and the same-period column of the department template, written and read back."""

from pathlib import Path

import pytest
from openpyxl import load_workbook

from chitieu.catalogue import load_plan
from chitieu.numbers import parse_yes_no
from chitieu.reference import load_reference
from chitieu.resources import DEFAULT_PLANS_DIR, DEFAULT_REFERENCE_DIR
from chitieu.submissions.parser import parse_submission
from chitieu.submissions.template import (
    INPUT_COLUMNS,
    PREV_PERIOD_COLUMN,
    SHEET,
    write_template,
)

REF = load_reference(DEFAULT_REFERENCE_DIR)
PLAN = load_plan(Path(DEFAULT_PLANS_DIR) / "lai-chau-2024.yaml", REF)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("Có", 1.0),
        ("có", 1.0),
        ("Đạt", 1.0),
        ("x", 1.0),
        ("X", 1.0),
        ("Không", 0.0),
        ("Chưa đạt", 0.0),
        ("chưa  đạt", 0.0),
        ("Không đạt", 0.0),
        ("1", None),  # numbers stay with the number parser
        ("khá", None),
        (1, None),
    ],
)
def test_parse_yes_no(text, value):
    assert parse_yes_no(text) == value


def _row(ws, code):
    return next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 2).value == code)


def test_yes_no_words_in_a_template_are_read_as_1_and_0(tmp_path):
    path = write_template(PLAN, REF, "sgddt", "2024", tmp_path / "sgddt.xlsx")
    wb = load_workbook(path)
    ws = wb[SHEET]
    row = _row(ws, "preschool_universalization")
    ws.cell(row, INPUT_COLUMNS["prev_year"]).value = "x"
    ws.cell(row, INPUT_COLUMNS["actual"]).value = "Đạt"
    wb.save(path)
    sub = parse_submission(path, PLAN, REF, "sgddt")
    assert sub.accepted, [p.text_en() for p in sub.errors]
    got = {
        (v.period_code, v.value_kind): (v.value, v.raw_text, v.cell)
        for v in sub.values
        if v.target_code == "preschool_universalization"
    }
    assert got == {
        ("2023", "prev_year"): (1.0, "x", f"{SHEET}!F{row}"),
        ("2024", "actual"): (1.0, "Đạt", f"{SHEET}!H{row}"),
    }
    ws.cell(row, INPUT_COLUMNS["actual"]).value = "Chưa đạt"
    wb.save(path)
    values = parse_submission(path, PLAN, REF, "sgddt").values
    assert [
        v.value
        for v in values
        if v.target_code == "preschool_universalization" and v.value_kind == "actual"
    ] == [0.0]


def test_a_yes_no_word_in_a_number_row_is_still_an_error(tmp_path):
    path = write_template(PLAN, REF, "sgddt", "2024", tmp_path / "sgddt.xlsx")
    wb = load_workbook(path)
    ws = wb[SHEET]
    row = _row(ws, "enrolment_primary")
    ws.cell(row, INPUT_COLUMNS["actual"]).value = "Đạt"
    wb.save(path)
    sub = parse_submission(path, PLAN, REF, "sgddt")
    assert not sub.accepted
    (error,) = sub.errors
    assert (error.cell, error.found) == (f"{SHEET}!H{row}", "Đạt")


def test_in_year_template_asks_for_the_same_period_last_year_year_to_date(tmp_path):
    path = write_template(PLAN, REF, "stc", "2024-9M", tmp_path / "stc.xlsx")
    wb = load_workbook(path)
    ws = wb[SHEET]
    assert "lũy kế từ đầu năm" in ws["A3"].value
    assert ws.cell(6, INPUT_COLUMNS["actual"]).value == "Thực hiện kỳ báo cáo (lũy kế từ đầu năm)"
    assert ws.cell(5, PREV_PERIOD_COLUMN).value == "Cùng kỳ năm trước (lũy kế từ đầu năm)"
    row = _row(ws, "budget_revenue")
    assert not ws.cell(row, PREV_PERIOD_COLUMN).protection.locked
    ws.cell(row, INPUT_COLUMNS["actual"]).value = 1720
    ws.cell(row, PREV_PERIOD_COLUMN).value = "1.610,5"
    ws.cell(row, INPUT_COLUMNS["prev_year"]).value = 2180
    wb.save(path)
    sub = parse_submission(path, PLAN, REF, "stc")
    assert sub.accepted, [p.text_en() for p in sub.errors]
    got = {(v.period_code, v.value_kind): (v.value, v.cell) for v in sub.values}
    assert got == {
        ("2023", "prev_year"): (2180.0, f"{SHEET}!F{row}"),
        ("2024-9M", "actual"): (1720.0, f"{SHEET}!H{row}"),
        ("2023-9M", "prev_period"): (1610.5, f"{SHEET}!K{row}"),
    }


def test_full_year_template_has_no_same_period_column(tmp_path):
    path = write_template(PLAN, REF, "stc", "2024", tmp_path / "stc.xlsx")
    ws = load_workbook(path)[SHEET]
    assert ws.cell(5, PREV_PERIOD_COLUMN).value is None
