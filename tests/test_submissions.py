"""The submission parser on a corpus of good and bad files written here; each bad file names rule and cell."""

import io
import re
import zipfile
from pathlib import Path

import pytest
import xlsxwriter
import xlwt
from openpyxl import Workbook, load_workbook
from python_calamine import CalamineWorkbook

from chitieu.catalogue import load_plan
from chitieu.reference import load_reference
from chitieu.resources import DEFAULT_PLANS_DIR, DEFAULT_REFERENCE_DIR
from chitieu.submissions import package_guards, reader
from chitieu.submissions.parser import parse_submission
from chitieu.submissions.template import INPUT_COLUMNS, write_template
from tests.sheets import write_bieu

REF = load_reference(DEFAULT_REFERENCE_DIR)
PLAN = load_plan(Path(DEFAULT_PLANS_DIR) / "lai-chau-2024.yaml", REF)


def _parse(path, dept="sldtbxh"):
    return parse_submission(path, PLAN, REF, dept)


def _only_error(sub):
    assert not sub.accepted
    assert len(sub.errors) == 1, [p.text_en() for p in sub.errors]
    return sub.errors[0]


def test_template_round_trip(tmp_path):
    path = write_template(PLAN, REF, "stc", "2024-9M", tmp_path / "stc.xlsx")
    wb = load_workbook(path)
    ws = wb["Biểu"]
    row = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 2).value == "budget_revenue")
    assert (ws.cell(row, 3).value, ws.cell(row, 5).value, ws.cell(row, 7).value) == (
        "Thu ngân sách trên địa bàn",
        "tỷ đồng",
        2236,
    )
    assert (
        ws.protection.sheet
        and not ws.cell(row, INPUT_COLUMNS["actual"]).protection.locked
        and ws.cell(row, 3).protection.locked
    )
    assert wb["_chitieu"].sheet_state == "hidden"
    assert any(dv.promptTitle == "Nhập số liệu" for dv in ws.data_validations.dataValidation)
    ws.cell(row, INPUT_COLUMNS["prev_year"]).value = 2180
    ws.cell(row, INPUT_COLUMNS["actual"]).value = 1720.5
    ws.cell(row, INPUT_COLUMNS["estimate"]).value = "2.365"
    wb.save(path)
    sub = parse_submission(path, PLAN, REF, "stc")
    assert sub.accepted and (sub.period_code, sub.template_version) == ("2024-9M", "1")
    got = {(v.period_code, v.value_kind): (v.value, v.cell) for v in sub.values}
    assert got == {
        ("2023", "prev_year"): (2180.0, f"Biểu!F{row}"),
        ("2024-9M", "actual"): (1720.5, f"Biểu!H{row}"),
        ("2024-EST", "estimate"): (2365.0, f"Biểu!I{row}"),
    }


def test_template_refuses_bad_arguments(tmp_path):
    with pytest.raises(ValueError, match="unknown department"):
        write_template(PLAN, REF, "xyz", "2024-9M", tmp_path / "x.xlsx")
    with pytest.raises(ValueError, match="not a reporting period"):
        write_template(PLAN, REF, "stc", "2023-9M", tmp_path / "x.xlsx")


def test_free_form_with_sections_ditto_and_no_value_marks(tmp_path):
    rows = [
        ["I", "VIỆC LÀM"],
        ["1", "Giải quyết việc làm", "lao động", "8.870", "6.100", "-"],
        ["2", "- Đào tạo nghề", '"', "8.050", "6.800", "x"],
        ["3", "Tỷ lệ lao động qua đào tạo", "%", "", "", '"'],
        ["", "Tổng số", "", "", "12.900", ""],
        ["", "Ghi chú: số liệu sơ bộ"],
    ]
    sub = _parse(write_bieu(tmp_path / "ld.xlsx", rows))
    assert sub.accepted, [p.text_en() for p in sub.problems]
    got = sorted((v.target_code, v.value_kind, v.value, v.cell, v.raw_text) for v in sub.values)
    assert got == [
        ("jobs_created", "actual", 6100.0, "Biểu!E5", "6.100"),
        ("jobs_created", "prev_year", 8870.0, "Biểu!D5", "8.870"),
        ("vocational_training", "actual", 6800.0, "Biểu!E6", "6.800"),
        ("vocational_training", "prev_year", 8050.0, "Biểu!D6", "8.050"),
    ]


def test_two_level_merged_header_and_index_base_100(tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.title = "Biểu"
    ws["A1"] = "SỞ NÔNG NGHIỆP - BÁO CÁO 6 THÁNG ĐẦU NĂM 2024"
    ws["A3"], ws["B3"], ws["C3"], ws["D3"] = "STT", "Chỉ tiêu", "Đơn vị tính", "Năm nay"
    ws.merge_cells("A3:A4")
    ws.merge_cells("B3:B4")
    ws.merge_cells("C3:C4")
    ws.merge_cells("D3:E3")
    ws["D4"], ws["E4"] = "Thực hiện kỳ báo cáo", "Ước thực hiện cả năm (năm trước = 100)"
    ws.append(["1", "Giá trị gia tăng ngành nông nghiệp", "%", "3,9", "104,2"])
    path = tmp_path / "snn.xlsx"
    wb.save(path)
    sub = _parse(path, "snn")
    assert sub.accepted and sub.period_code == "2024-6M"
    assert sorted((v.value_kind, v.value) for v in sub.values) == [
        ("actual", 3.9),
        ("estimate", 4.2),
    ]


@pytest.mark.parametrize(
    ("value", "found", "reason"),
    [
        ("1.234.5", "1.234.5", "ambiguous"),
        ("12.34", "12.34", "did you mean"),
        ("sáu nghìn", "sáu nghìn", "not a number"),
    ],
)
def test_ambiguous_or_non_number_is_an_error_with_its_cell(tmp_path, value, found, reason):
    sub = _parse(
        write_bieu(
            tmp_path / "n.xlsx", [["1", "Giải quyết việc làm", "lao động", "8.870", value, ""]]
        )
    )
    p = _only_error(sub)
    assert (p.rule, p.cell, p.found) == ("ambiguous_number", "Biểu!E4", found)
    assert reason in p.detail
    assert p.text_vi().startswith(
        "n.xlsx, ô Biểu!E4: Số không rõ ràng hoặc không phải số; tìm thấy"
    )
    assert sub.values == [] or all(v.cell != "Biểu!E4" for v in sub.values)


def test_formula_without_saved_value_openpyxl(tmp_path):
    path = write_bieu(
        tmp_path / "f.xlsx", [["1", "Giải quyết việc làm", "lao động", 8870, "=D4*0.7", ""]]
    )
    p = _only_error(_parse(path))
    assert (p.rule, p.cell, p.file) == ("formula_without_value", "Biểu!E4", "f.xlsx")
    assert (
        p.text_en()
        == "f.xlsx, cell Biểu!E4: A formula cell has no saved value; found '=…'; expected a number, or a formula saved with its calculated value."
    )


def _xlsxwriter_form_with_formula(path: Path, saved_value=0) -> Path:
    """A one-row Biểu whose E4 holds '=D4*0.7', written by xlsxwriter (which always asks Excel to
    recalculate on opening) with ``saved_value`` as the formula's stored result."""
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("Biểu")
    ws.write_row(0, 0, ["Báo cáo 9 tháng năm 2024"])
    ws.write_row(2, 0, ["STT", "Chỉ tiêu", "ĐVT", "TH năm trước", "TH kỳ báo cáo", "Ước TH cả năm"])
    ws.write_row(3, 0, ["1", "Giải quyết việc làm", "lao động", 8870])
    ws.write_formula(3, 4, "=D4*0.7", None, saved_value)
    wb.close()
    return path


def test_formula_saved_as_zero_by_xlsxwriter(tmp_path):
    p = _only_error(_parse(_xlsxwriter_form_with_formula(tmp_path / "xw.xlsx")))
    assert (p.rule, p.cell) == ("formula_without_value", "Biểu!E4")


def _rewrite_part(path: Path, part: str, edit) -> None:
    """Rewrite one part of an .xlsx package in place (what another spreadsheet program would save)."""
    with zipfile.ZipFile(path) as zf:
        parts = {i.filename: zf.read(i.filename) for i in zf.infolist()}
    parts[part] = edit(parts[part])
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts.items():
            zf.writestr(name, data)


@pytest.mark.parametrize("asks_recalculation", [False, True])
def test_formula_saved_with_its_value_reads_as_that_value(tmp_path, asks_recalculation):
    # as Excel saves it (the formula and its value, no request to recalculate), or as a program
    # that computed the value itself saves it with xlsxwriter (which always asks)
    path = _xlsxwriter_form_with_formula(tmp_path / "excel.xlsx", saved_value=6209)
    if not asks_recalculation:
        _rewrite_part(path, "xl/workbook.xml", lambda x: x.replace(b' fullCalcOnLoad="1"', b""))
    sub = _parse(path)
    assert sub.accepted, sub.problems
    assert [(v.cell, v.value) for v in sub.values] == [("Biểu!E4", 6209.0), ("Biểu!D4", 8870.0)]


def test_formula_found_in_the_right_sheet_when_sheets_were_reordered(tmp_path):
    # "Biểu" is stored as sheet2.xml but listed first, as after dragging its tab to the front
    path = tmp_path / "reordered.xlsx"
    wb = Workbook()
    wb.active.title = "Ghi chú"
    wb["Ghi chú"]["A1"] = "Ghi chú của đơn vị"
    ws = wb.create_sheet("Biểu")
    ws["A1"] = "Báo cáo 9 tháng năm 2024"
    ws.append([])
    ws.append(["STT", "Chỉ tiêu", "ĐVT", "TH năm trước", "TH kỳ báo cáo", "Ước TH cả năm"])
    ws.append(["1", "Giải quyết việc làm", "lao động", 8870, "=D4*0.7", ""])
    wb.save(path)

    def biểu_first(xml: bytes) -> bytes:
        sheets = re.findall(rb"<sheet [^>]*/>", xml)
        assert len(sheets) == 2 and b'name="Bi' in sheets[1]
        return xml.replace(sheets[0], b"\0").replace(sheets[1], sheets[0]).replace(b"\0", sheets[1])

    _rewrite_part(path, "xl/workbook.xml", biểu_first)
    assert CalamineWorkbook.from_path(str(path)).sheet_names == ["Biểu", "Ghi chú"]
    p = _only_error(_parse(path))
    assert (p.rule, p.cell) == ("formula_without_value", "Biểu!E4")


def test_not_really_xlsx(tmp_path):
    path = tmp_path / "bao-cao.xlsx"
    path.write_text("<html>Đây là trang web, không phải Excel</html>", encoding="utf-8")
    p = _only_error(_parse(path))
    assert p.rule == "unreadable"
    assert (
        p.detail
        == "bao-cao.xlsx: not a real .xlsx file (not a ZIP package); save it as Excel Workbook (.xlsx)"
    )


def test_password_protected_workbook(tmp_path):
    from msoffcrypto.format.ooxml import OOXMLFile

    plain = write_bieu(
        tmp_path / "plain.xlsx", [["1", "Giải quyết việc làm", "lao động", "8.870", "6.100", ""]]
    )
    locked = tmp_path / "mat-khau.xlsx"
    with open(plain, "rb") as src, open(locked, "wb") as dst:
        OOXMLFile(src).encrypt("matkhau", dst)
    p = _only_error(_parse(locked))
    assert (p.rule, p.detail) == (
        "unreadable",
        "mat-khau.xlsx: the workbook is password-protected (encrypted); save it without a password",
    )


def test_empty_workbook(tmp_path):
    path = tmp_path / "trong.xlsx"
    Workbook().save(path)
    p = _only_error(_parse(path))
    assert (p.rule, p.found) == ("empty_sheet", "Sheet")


def test_header_not_found(tmp_path):
    path = write_bieu(tmp_path / "h.xlsx", [["a", "b"]], header=["Cột 1", "Cột 2", "Cột 3"])
    p = _only_error(_parse(path))
    assert (p.rule, p.cell) == ("header_not_found", "Biểu!A1")


def test_unit_differs_from_catalogue(tmp_path):
    rows = [["1", "Thu ngân sách trên địa bàn", "triệu đồng", "2.180.000", "1.720.000", ""]]
    p = _only_error(_parse(write_bieu(tmp_path / "u.xlsx", rows), "stc"))
    assert (p.rule, p.cell, p.found, p.expected) == (
        "unit_mismatch",
        "Biểu!C4",
        "triệu đồng",
        "'tỷ đồng' for budget_revenue",
    )


@pytest.mark.parametrize(
    ("title", "rule", "found"),
    [
        ("Báo cáo của Sở", "period_missing", ""),
        ("Báo cáo 9 tháng năm 2023", "period_outside_plan", "2023-9M"),
    ],
)
def test_period_missing_or_outside_plan_year(tmp_path, title, rule, found):
    p = _only_error(
        _parse(
            write_bieu(
                tmp_path / "p.xlsx",
                [["1", "Giải quyết việc làm", "lao động", "1", "2", ""]],
                title=title,
            )
        )
    )
    assert (p.rule, p.found) == (rule, found)


def test_other_departments_target_is_dropped_with_a_warning_naming_the_cell(tmp_path):
    rows = [
        ["1", "Giải quyết việc làm", "lao động", "8.870", "6.100", ""],
        ["2", "Thu ngân sách trên địa bàn", "tỷ đồng", "2.180", "1.720", ""],
    ]
    sub = _parse(write_bieu(tmp_path / "o.xlsx", rows))
    assert sub.accepted
    (p,) = sub.warnings
    assert (p.rule, p.cell, p.found) == (
        "not_own_target",
        "Biểu!B5",
        "budget_revenue (Thu ngân sách trên địa bàn)",
    )
    assert p.expected == "only targets sldtbxh reports; this one is reported by stc"
    # the sender's own row still loads, the other department's does not
    assert {(v.target_code, v.value_kind, v.value) for v in sub.values} == {
        ("jobs_created", "prev_year", 8870.0),
        ("jobs_created", "actual", 6100.0),
    }


def test_co_reporter_may_report_a_target_the_owner_also_reports(tmp_path):
    # health_insurance_coverage is owned by bhxh and also reported by syt (catalogue)
    rows = [["1", "Tỷ lệ bao phủ bảo hiểm y tế", "%", "95,1", "95,8", "96,6"]]
    sub = parse_submission(write_bieu(tmp_path / "yt.xlsx", rows), PLAN, REF, "syt")
    assert sub.accepted and not sub.warnings
    assert {(v.value_kind, v.value) for v in sub.values} == {
        ("prev_year", 95.1),
        ("actual", 95.8),
        ("estimate", 96.6),
    }
    other = parse_submission(write_bieu(tmp_path / "x.xlsx", rows), PLAN, REF, "stc")
    assert [(p.rule, p.cell) for p in other.warnings] == [("not_own_target", "Biểu!B4")]
    assert other.errors[0].rule == "no_values"


def test_template_of_another_department(tmp_path):
    path = write_template(PLAN, REF, "stc", "2024-9M", tmp_path / "stc.xlsx")
    sub = parse_submission(path, PLAN, REF, "snn")
    assert any(
        p.rule == "department_mismatch" and p.found == "stc" and p.cell == "_chitieu!B3"
        for p in sub.errors
    )


def test_unknown_rows_are_warnings_not_dropped_silently(tmp_path):
    rows = [
        ["1", "Giải quyết việc làm", "lao động", "8.870", "6.100", ""],
        ["2", "Số hộ được vay vốn", "hộ", "100", "80", ""],
    ]
    sub = _parse(write_bieu(tmp_path / "w.xlsx", rows))
    assert sub.accepted
    assert [(p.rule, p.severity, p.cell, p.found) for p in sub.warnings] == [
        ("unknown_row", "warning", "Biểu!B5", "Số hộ được vay vốn")
    ]


def test_legacy_xls(tmp_path):
    path = tmp_path / "cu.xls"
    wb = xlwt.Workbook(encoding="utf-8")
    ws = wb.add_sheet("Biểu")
    for c, t in enumerate(["Báo cáo 9 tháng năm 2024"]):
        ws.write(0, c, t)
    for c, t in enumerate(
        ["STT", "Chỉ tiêu", "ĐVT", "TH năm trước", "TH kỳ báo cáo", "Ước TH cả năm"]
    ):
        ws.write(2, c, t)
    for c, t in enumerate(["1", "Giải quyết việc làm", "lao động", 8870, "6.100", 8900]):
        ws.write(3, c, t)
    wb.save(str(path))
    sub = _parse(path)
    assert sub.accepted
    assert sorted((v.value_kind, v.value, v.cell) for v in sub.values) == [
        ("actual", 6100.0, "Biểu!E4"),
        ("estimate", 8900.0, "Biểu!F4"),
        ("prev_year", 8870.0, "Biểu!D4"),
    ]


@pytest.mark.parametrize("bom", ["\ufeff", ""])
def test_csv_with_or_without_bom(tmp_path, bom):
    path = tmp_path / "ld.csv"
    path.write_text(
        bom
        + "Báo cáo 9 tháng năm 2024\nSTT,Chỉ tiêu,ĐVT,TH năm trước,TH 9 tháng,Ước TH cả năm\n1,Giải quyết việc làm,lao động,8.870,6.100,\n",
        encoding="utf-8",
    )
    sub = _parse(path)
    assert sub.accepted
    assert sorted((v.value_kind, v.value, v.cell) for v in sub.values) == [
        ("actual", 6100.0, "csv!E3"),
        ("prev_year", 8870.0, "csv!D3"),
    ]


def test_archive_too_large_is_refused_before_reading(tmp_path, monkeypatch):
    path = write_bieu(
        tmp_path / "lon.xlsx", [["1", "Giải quyết việc làm", "lao động", "8.870", "6.100", ""]]
    )
    monkeypatch.setattr(package_guards, "MAX_UNPACKED_BYTES", 1024)
    p = _only_error(_parse(path))
    assert p.rule == "file_limit" and "unpacks to more than 0 MB" in p.detail


def test_unsupported_file_type(tmp_path):
    path = tmp_path / "bao-cao.pdf"
    path.write_bytes(b"%PDF-1.4")
    assert (
        _only_error(_parse(path)).detail
        == "bao-cao.pdf: unsupported file type '.pdf'; send .xlsx, .xls or .csv"
    )


def test_no_figures_at_all(tmp_path):
    p = _only_error(
        _parse(
            write_bieu(
                tmp_path / "z.xlsx", [["1", "Giải quyết việc làm", "lao động", "", "-", "x"]]
            )
        )
    )
    assert p.rule == "no_values"


def test_package_read_gives_zipfiles_bytes_for_every_part():
    from chitieu.resources import SAMPLE_INBOX_DIR

    files = sorted(Path(SAMPLE_INBOX_DIR).rglob("*.xlsx"))
    assert len(files) >= 5
    for path in files:
        content = path.read_bytes()
        zf = zipfile.ZipFile(io.BytesIO(content))
        package = reader.Package(zf, content, path.name)
        for name in zf.namelist():
            assert package.read(name) == zf.read(name), (path.name, name)


def test_damaged_part_met_by_the_formula_scan_rejects_the_file(tmp_path):
    # a blank value cell makes the parser look for formulas; a worksheet part calamine never
    # reads (not listed in the workbook) has a broken CRC
    path = write_bieu(tmp_path / "d.xlsx", [["1", "Giải quyết việc làm", "lao động", 8870, "", ""]])
    orphan = b"<worksheet>" + b"<row/>" * 500 + b"</worksheet>"
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/worksheets/sheet9.xml", orphan)
    with zipfile.ZipFile(path) as zf:
        info = zf.getinfo("xl/worksheets/sheet9.xml")
    data = bytearray(path.read_bytes())
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    data[start + info.compress_size // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    sub = _parse(path)
    p = _only_error(sub)
    assert (
        p.rule == "unreadable"
        and "d.xlsx: the part xl/worksheets/sheet9.xml is damaged" in p.detail
    )
    assert sub.values == []


def test_section_rows_found_by_roman_numeral_even_with_line_breaks():
    from chitieu.submissions.target_rows import _roman_rows

    assert _roman_rows(["I", "1", " II. ", 3.0, "IIIa", "IV"]) == [0, 2, 5]
    assert _roman_rows(["I", "1\n2", " II. ", "x"]) == [0, 2]


def test_cell_text_is_what_the_sender_typed():
    from chitieu.submissions.slow_cells import cell_text

    # a whole number typed as 8870 is read back by calamine as 8870.0
    assert [cell_text(v) for v in (8870.0, 6.25, None, " 6.100 ", "", 0.0)] == [
        "8870",
        "6.25",
        "",
        "6.100",
        "",
        "0",
    ]


def test_hidden_sheets_are_not_read(tmp_path):
    # an old copy of the form hidden in front of the real one must not be parsed
    path = tmp_path / "an.xlsx"
    wb = Workbook()
    old = wb.active
    old.title = "Biểu"
    old.append(["Báo cáo 6 tháng năm 2024"])
    old.append([])
    old.append(["STT", "Chỉ tiêu", "ĐVT", "TH năm trước", "TH kỳ báo cáo", "Ước TH cả năm"])
    old.append(["1", "Giải quyết việc làm", "lao động", 8870, 1, 2])
    old.sheet_state = "hidden"
    new = wb.create_sheet("Biểu (2)")
    new.append(["Báo cáo 9 tháng năm 2024"])
    new.append([])
    new.append(["STT", "Chỉ tiêu", "ĐVT", "TH năm trước", "TH kỳ báo cáo", "Ước TH cả năm"])
    new.append(["1", "Giải quyết việc làm", "lao động", 8870, 6100, 8900])
    wb.active = 1
    wb.save(path)
    sub = _parse(path)
    assert sub.accepted, sub.problems
    assert sub.period_code == "2024-9M"
    assert sorted((v.cell, v.value) for v in sub.values) == [
        ("Biểu (2)!D4", 8870.0),
        ("Biểu (2)!E4", 6100.0),
        ("Biểu (2)!F4", 8900.0),
    ]


def test_far_used_range_names_file_sheet_and_cell(tmp_path):
    """The used-range refusal names the sheet the user sees, not the package part (sheet2.xml)."""
    wb = Workbook()
    wb.active.title = "Biểu"
    wb.active.append(["STT", "Chỉ tiêu"])
    wb.create_sheet("Phụ lục 2")["A1"] = "ghi chú"
    src = tmp_path / "src.xlsx"
    wb.save(src)
    path = tmp_path / "xa.xlsx"
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == "xl/worksheets/sheet2.xml":
                far = b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData>'
                data = data.replace(b"</sheetData>", far)
            zout.writestr(info, data)
    with pytest.raises(reader.ReadError) as err:
        reader.open_workbook(path)
    assert err.value.rule == "file_limit"
    assert err.value.cell == "Phụ lục 2!XFD1048576"
    assert str(err.value).startswith(
        "xa.xlsx: the sheet Phụ lục 2 (part sheet2.xml) uses 1,048,576 rows"
    )
    p = _only_error(_parse(path))
    assert (p.rule, p.cell) == ("file_limit", "Phụ lục 2!XFD1048576")


def test_far_used_range_without_sheet_names_still_gives_the_cell(tmp_path):
    src = write_bieu(tmp_path / "src.xlsx", [["1", "Giải quyết việc làm", "lao động", "8.870"]])
    path = tmp_path / "xa.xlsx"
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(
                    b"</sheetData>", b'<row r="1048577"><c r="A1048577"/></row></sheetData>'
                )
            if info.filename != "xl/_rels/workbook.xml.rels":
                zout.writestr(info, data)
    with pytest.raises(reader.ReadError) as err:
        reader.open_workbook(path)
    assert (err.value.rule, err.value.cell) == ("file_limit", "Z1048577")
    assert "the sheet part xl/worksheets/sheet1.xml uses 1,048,577 rows x 26 columns" in str(
        err.value
    )
