"""The readable check report for one submission, in Vietnamese with English beside it."""

from __future__ import annotations

from pathlib import Path

from chitieu.submissions.parser import Submission


def render_report(sub: Submission, value_count: int | None = None) -> str:
    """What ``chitieu check`` prints and what a department's feedback file says (``value_count``
    when the figures themselves are not at hand, as when a feedback file is restored)."""
    name = Path(sub.path).name
    errors, warnings = sub.errors, sub.warnings
    verdict = "ĐƯỢC CHẤP NHẬN / ACCEPTED" if sub.accepted else "BỊ TỪ CHỐI / REJECTED"
    lines = [
        f"Tệp / File: {name}",
        f"Đơn vị / Department: {sub.department_code or '?'}    Kỳ báo cáo / Period: {sub.period_code or '?'}",
        f"Kết quả / Result: {verdict} — {len(errors)} lỗi / errors, {len(warnings)} cảnh báo / warnings, "
        f"{sub.value_count if value_count is None else value_count} số liệu đọc được / figures read",
    ]
    for n, p in enumerate(errors + warnings, start=1):
        kind = "LỖI / ERROR" if p.severity == "error" else "CẢNH BÁO / WARNING"
        lines += ["", f"{n}. {kind} [{p.rule}]" + (f" — ô / cell {p.cell}" if p.cell else "")]
        lines.append(f"   {p.message_vi}")
        lines.append(f"   {p.message_en}")
        if p.found:
            lines.append(f"   Tìm thấy / Found: {p.found!r}")
        if p.expected:
            lines.append(f"   Cần / Expected: {p.expected}")
        if p.detail:
            lines.append(f"   Chi tiết / Detail: {p.detail}")
        lines.append(f"   Cách sửa: {p.fix_vi}")
        lines.append(f"   How to fix: {p.fix_en}")
    if sub.accepted and not warnings:
        lines += ["", "Không có lỗi. / No problems found."]
    return "\n".join(lines)
