"""Write the SAMPLE inbox's free-form files: layouts imitating how offices type their Biểu by hand
(title rows, merged two-level headers, roman-numeral sections, numbers typed as text, ditto marks,
'-' and 'x' for no value, note rows, uncalculated formulas in a comparison column, a CSV).
Run once; the files are committed. Run: .venv/bin/python scripts/make_freeform_samples.py
"""

from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font

from chitieu.resources import SAMPLE_INBOX_DIR

INBOX = Path(SAMPLE_INBOX_DIR)


def _fill(ws, rows: list[list], first_row: int) -> None:
    """Rows from ``first_row`` on; None leaves a cell untouched (empty, or the merged range's)."""
    for r, vals in enumerate(rows, first_row):
        for c, v in enumerate(vals, 1):
            if v is not None:
                ws.cell(r, c, v)


def labour() -> None:
    wb = Workbook()
    ws = wb.active
    ws.title = "Biểu 9 tháng"
    ws["A1"] = "UBND TỈNH LAI CHÂU"
    ws["A2"] = "SỞ LAO ĐỘNG - THƯƠNG BINH VÀ XÃ HỘI"
    ws["A4"] = "BÁO CÁO MỘT SỐ CHỈ TIÊU KINH TẾ - XÃ HỘI 9 THÁNG NĂM 2024"
    ws.merge_cells("A4:H4")
    for c, t in enumerate(
        [
            "STT",
            "Chỉ tiêu",
            "ĐVT",
            "TH năm 2023",
            "KH năm 2024",
            "TH 9 tháng",
            "Ước TH cả năm",
            "So sánh (%)",
        ],
        1,
    ):
        ws.cell(6, c, t).font = Font(bold=True)
    rows = [
        ["I", "VIỆC LÀM, ĐÀO TẠO NGHỀ"],
        ["1", "Giải quyết việc làm", "lao động", "8.870", "8.920", "6.100", "-"],
        ["2", "Đào tạo nghề", '"', "8.050", "8.000", "6.800", "x"],
        ["3", "Tỷ lệ lao động qua đào tạo", "%", "58,9", "60,6", None, "60,6"],
        ["II", "GIẢM NGHÈO"],
        ["-", "Mức giảm tỷ lệ hộ nghèo", "%", "26,42", None, None, "22,45"],
        ["2", "Số người có thẻ BHYT được hỗ trợ", "người", "1.200", None, "950"],
        [None, "Ghi chú: số liệu ước tính đến 30/9/2024"],
    ]
    _fill(ws, rows, 7)
    for r in range(7, 7 + len(rows)):
        ws.cell(r, 8, f'=IFERROR(F{r}/E{r}*100,"")')
    wb.save(INBOX / "sldtbxh" / "bao-cao-9-thang-2024.xlsx")


def health() -> None:
    wb = Workbook()
    ws = wb.active
    ws.title = "Biểu"
    ws["A1"] = "SỞ Y TẾ TỈNH LAI CHÂU"
    ws["A3"] = "KẾT QUẢ THỰC HIỆN CÁC CHỈ TIÊU Y TẾ NĂM 2024"
    ws.merge_cells("A3:G3")
    for cell, text, merge in [
        ("A5", "STT", "A5:A6"),
        ("B5", "Chỉ tiêu", "B5:B6"),
        ("C5", "Đơn vị tính", "C5:C6"),
        ("D5", "Thực hiện năm trước", "D5:D6"),
        ("E5", "Năm 2024", "E5:F5"),
        ("G5", "Ghi chú", "G5:G6"),
    ]:
        ws[cell] = text
        ws.merge_cells(merge)
    ws["E6"], ws["F6"] = "Kế hoạch", "Thực hiện"
    for c, t in enumerate(["A", "B", "C", "1", "2", "3", "4"], 1):
        ws.cell(7, c, t)
    data = [
        [
            "1",
            "Tỷ lệ dân số được quản lý bằng hồ sơ sức khỏe điện tử",
            "%",
            "38,0",
            "60",
            None,
            "chưa tổng hợp xong",
        ],
        ["2", "Số bác sĩ/1 vạn dân", "bác sĩ/1 vạn dân", "12,6", "13,1", "13,2"],
        [
            "3",
            "Tỷ lệ trẻ em dưới 5 tuổi suy dinh dưỡng thể nhẹ cân",
            "%",
            "16,4%",
            "15,9%",
            "15,9%",
        ],
        [
            "4",
            "Tỷ lệ trẻ em dưới 5 tuổi suy dinh dưỡng thể thấp còi",
            "%",
            "22,1%",
            "21,52%",
            "21,52%",
        ],
        ["5", "Tỷ lệ trạm y tế xã được xây dựng kiên cố", "%", 100, 100, 100],
    ]
    _fill(ws, data, 8)
    wb.save(INBOX / "syt" / "Bieu-YT-nam-2024.xlsx")


def trade_rejected() -> None:
    """Rejected on purpose: turnover typed in thousand USD where the catalogue expects million USD."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Biểu"
    ws["A1"] = "SỞ CÔNG THƯƠNG"
    ws["A2"] = "Báo cáo 9 tháng năm 2024"
    for c, t in enumerate(
        ["STT", "Chỉ tiêu", "ĐVT", "TH năm trước", "TH kỳ báo cáo", "Ước TH cả năm"], 1
    ):
        ws.cell(4, c, t)
    ws.append(["1", "Tốc độ tăng kim ngạch xuất nhập khẩu", "nghìn USD", "95.000", "68.000", None])
    ws.append(
        ["2", "Tốc độ tăng giá trị xuất khẩu hàng địa phương", "triệu USD", "20,0", "16,8", "22,4"]
    )
    wb.save(INBOX / "sct" / "sct-bao-cao-9-thang.xlsx")


def social_insurance_csv() -> None:
    (INBOX / "bhxh" / "bhxh-9-thang-2024.csv").write_text(
        "BÁO CÁO 9 THÁNG NĂM 2024 - BẢO HIỂM XÃ HỘI TỈNH\n\nSTT,Chỉ tiêu,ĐVT,TH năm trước,TH 9 tháng,Ước TH cả năm\n"
        '1,Tỷ lệ bao phủ bảo hiểm y tế,%,"95,8","96,0","96,6"\n',
        encoding="utf-8-sig",
    )


if __name__ == "__main__":
    for dept in ("sldtbxh", "syt", "sct", "bhxh"):
        (INBOX / dept).mkdir(parents=True, exist_ok=True)
    labour()
    health()
    trade_rejected()
    social_insurance_csv()
