"""Problems found in a submission, with bilingual messages that name the file, sheet and cell.

Each rule has a Vietnamese and an English sentence and a fix. The same records feed
``chitieu check``, the warehouse (raw.submission_problems) and the feedback files.
"""

from __future__ import annotations

from dataclasses import dataclass

RULES: dict[str, tuple[str, str, str, str]] = {
    # rule: (message_vi, message_en, fix_vi, fix_en)
    "unreadable": (
        "Không đọc được tệp",
        "The file cannot be read",
        "Lưu lại tệp dưới dạng Excel Workbook (.xlsx), không đặt mật khẩu, rồi gửi lại.",
        "Save the file as Excel Workbook (.xlsx) without a password and send it again.",
    ),
    "empty_sheet": (
        "Trang tính trống hoặc không có",
        "The sheet is empty or missing",
        "Nhập số liệu vào trang 'Biểu' của mẫu báo cáo.",
        "Enter the figures in the form's 'Biểu' sheet.",
    ),
    "header_not_found": (
        "Không tìm thấy dòng tiêu đề cột",
        "The column header row cannot be found",
        "Giữ nguyên dòng tiêu đề của mẫu (STT, Chỉ tiêu, Đơn vị tính, Thực hiện...).",
        "Keep the form's header row (STT, Chỉ tiêu, Đơn vị tính, Thực hiện...).",
    ),
    "period_missing": (
        "Không xác định được kỳ báo cáo",
        "The reporting period cannot be determined",
        "Ghi kỳ báo cáo ở phần tiêu đề, ví dụ '9 tháng năm 2024', hoặc dùng mẫu chính thức.",
        "State the period in the title, e.g. '9 tháng năm 2024', or use the official template.",
    ),
    "period_outside_plan": (
        "Kỳ báo cáo nằm ngoài năm kế hoạch",
        "The period is outside the plan year",
        "Kiểm tra lại năm của kỳ báo cáo.",
        "Check the year of the reporting period.",
    ),
    "formula_without_value": (
        "Ô chứa công thức chưa được tính giá trị",
        "A formula cell has no saved value",
        "Mở tệp bằng Excel, để Excel tính lại rồi lưu; hoặc nhập trực tiếp giá trị số.",
        "Open the file in Excel so it recalculates, then save; or type the number itself.",
    ),
    "ambiguous_number": (
        "Số không rõ ràng hoặc không phải số",
        "The number is ambiguous or not a number",
        "Dùng dấu chấm phân cách hàng nghìn và dấu phẩy thập phân, ví dụ 1.234,5.",
        "Use '.' between thousands and ',' for decimals, e.g. 1.234,5.",
    ),
    "unit_mismatch": (
        "Đơn vị tính khác với danh mục chỉ tiêu",
        "The unit differs from the catalogue's",
        "Quy đổi số liệu sang đơn vị tính của chỉ tiêu và sửa cột Đơn vị tính.",
        "Convert the figure to the target's unit and correct the unit column.",
    ),
    "not_own_target": (
        "Chỉ tiêu không thuộc đơn vị báo cáo (dòng đã bỏ qua, các dòng khác vẫn được nhận)",
        "The target is not reported by this department (row ignored; the other rows load)",
        "Xóa dòng này, hoặc đề nghị bổ sung đơn vị vào danh sách đơn vị báo cáo chỉ tiêu.",
        "Remove this row, or ask for your department to be listed as a reporter of the target.",
    ),
    "file_limit": (
        "Tệp vượt giới hạn an toàn (kích thước, dung lượng giải nén hoặc vùng ô sử dụng)",
        "The file exceeds a safety limit (size, unpacked size or used cell range)",
        "Xóa các ô thừa ở xa bảng số liệu (Ctrl+End để tìm), lưu lại tệp dạng .xlsx rồi gửi lại.",
        "Delete stray cells far from the table (Ctrl+End finds them), save as .xlsx and send again.",
    ),
    "unsafe_xml": (
        "Tệp chứa khai báo XML không an toàn (DTD/thực thể), không được đọc",
        "The file contains unsafe XML declarations (DTD/entities) and was not read",
        "Mở tệp bằng Excel, lưu lại dưới dạng Excel Workbook (.xlsx) rồi gửi lại.",
        "Open the file in Excel, save it as Excel Workbook (.xlsx) and send it again.",
    ),
    "incomplete_file": (
        "Tệp chưa hoàn chỉnh (có thể bị cắt khi đang sao chép)",
        "The file is incomplete (it may have been cut while being copied)",
        "Gửi lại toàn bộ tệp; với CSV, dòng cuối phải kết thúc bằng xuống dòng.",
        "Send the whole file again; a CSV's last line must end with a line break.",
    ),
    "not_regular_file": (
        "Không phải tệp thông thường (thư mục, pipe, socket hoặc thiết bị)",
        "Not a regular file (a folder, pipe, socket or device)",
        "Chỉ đặt tệp Excel hoặc CSV thông thường vào thư mục của đơn vị.",
        "Put only ordinary Excel or CSV files in the department folder.",
    ),
    "duplicate_column": (
        "Hai cột cùng nhận một vai trò số liệu",
        "Two columns claim the same figure",
        "Giữ một cột cho mỗi loại số liệu (TH năm trước, TH kỳ báo cáo, Ước TH cả năm), ghi rõ năm ở tiêu đề.",
        "Keep one column per figure (previous year, period actual, year estimate), with the year in its header.",
    ),
    "header_year": (
        "Năm ghi ở tiêu đề cột không khớp với kỳ báo cáo",
        "A column header's year contradicts the reporting period",
        "Sửa năm ở tiêu đề cột: TH năm trước là năm kế hoạch − 1, KH và Ước TH là năm kế hoạch.",
        "Correct the header's year: previous-year actual is plan year − 1, plan and estimate are the plan year.",
    ),
    "department_mismatch": (
        "Tệp ghi đơn vị khác với thư mục nộp",
        "The file names a department other than its folder",
        "Nộp tệp vào đúng thư mục của đơn vị mình.",
        "Put the file in your own department's folder.",
    ),
    "path_refused": (
        "Tệp nằm ngoài thư mục của các đơn vị",
        "The file is outside the department folders",
        "Đặt tệp trong thư mục của đơn vị, tên tệp không chứa '..' hay ký tự đặc biệt.",
        "Put the file in your department's folder, with no '..' or special characters in its name.",
    ),
    "no_values": (
        "Không có số liệu nào được nhận",
        "No figure could be read",
        "Nhập số liệu vào các cột Thực hiện / Ước thực hiện cho các chỉ tiêu của đơn vị.",
        "Enter figures in the Thực hiện / Ước thực hiện columns for your targets.",
    ),
    "unknown_row": (
        "Dòng không khớp chỉ tiêu nào của kế hoạch (đã bỏ qua)",
        "Row matches no plan target (ignored)",
        "Không cần sửa nếu đây là chỉ tiêu bổ sung; nếu là chỉ tiêu kế hoạch, dùng đúng tên hoặc mã.",
        "No fix needed for an extra indicator; for a plan target use its exact name or code.",
    ),
}


@dataclass(frozen=True)
class Problem:
    """One problem in one file; ``cell`` is like 'Biểu!F12' or '' when the whole file is concerned."""

    rule: str
    file: str
    cell: str = ""
    found: str = ""
    expected: str = ""
    severity: str = "error"
    detail: str = ""
    texts: tuple[str, str, str, str] | None = (
        None  # a validation rule's own (message_vi, message_en, fix_vi, fix_en)
    )

    @property
    def _texts(self) -> tuple[str, str, str, str]:
        return self.texts or RULES[self.rule]

    @property
    def message_vi(self) -> str:
        return self._texts[0]

    @property
    def message_en(self) -> str:
        return self._texts[1]

    @property
    def fix_vi(self) -> str:
        return self._texts[2]

    @property
    def fix_en(self) -> str:
        return self._texts[3]

    def where(self) -> str:
        return f"{self.file}" + (f", ô {self.cell}" if self.cell else "")

    def text_vi(self) -> str:
        parts = [f"{self.where()}: {self.message_vi}"]
        if self.found:
            parts.append(f"tìm thấy {self.found!r}")
        if self.expected:
            parts.append(f"cần {self.expected}")
        return "; ".join(parts) + "."

    def text_en(self) -> str:
        where = f"{self.file}" + (f", cell {self.cell}" if self.cell else "")
        parts = [f"{where}: {self.message_en}"]
        if self.found:
            parts.append(f"found {self.found!r}")
        if self.expected:
            parts.append(f"expected {self.expected}")
        return "; ".join(parts) + (f" ({self.detail})" if self.detail else "") + "."
