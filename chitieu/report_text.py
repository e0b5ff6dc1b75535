"""Plain-text rendering of the attainment table for the terminal."""

from __future__ import annotations

import duckdb
from babel.numbers import format_decimal

STATUS_MARK = {
    "achieved": "✔",
    "on_track": "↗",
    "at_risk": "!",
    "not_achieved": "✘",
    "no_data": "?",
}


def vi_number(value: float | None, digits: int = 2) -> str:
    """Format a number the Vietnamese way (1.234,5); blank for no value."""
    if value is None or value != value:
        return ""
    return format_decimal(round(value, digits), format="#,##0.##", locale="vi")


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def attainment_table(con: duckdb.DuckDBPyConnection, plan_id: str | None = None) -> str:
    """The attainment table followed by the summary sentence, one plan after another."""
    where = "where plan_id = ?" if plan_id else ""
    rows = con.execute(
        f"""select plan_id, group_no, item_no, name_vi, unit, target_value, actual_value, actual_period,
                   projected_value, projection_basis, attainment_pct, status, status_vi,
                   case when projection_basis in ('final', 'latest', 'pro_rata') then actual_source else coalesce(estimate_source, actual_source) end as figure_source,
                   no_data_reason, no_data_reason_vi
            from mart.target_attainment {where} order by plan_id, group_no, item_no""",
        [plan_id] if plan_id else [],
    ).fetchall()
    header = f"{'Nhóm':<7} {'Chỉ tiêu / Target':<58} {'ĐVT':<16} {'Kế hoạch':>9} {'Thực hiện':>10} {'Kỳ':<8} {'Dự kiến':>9} {'%KH':>7} {'Nguồn':<10} Đánh giá / Status"
    lines = ([f"== {rows[0][0]} =="] if len({r[0] for r in rows}) > 1 else []) + [
        header,
        "-" * len(header),
    ]
    shown_plan = rows[0][0] if rows else None
    for r in rows:
        if r[0] != shown_plan:  # several plans: a heading before each after the first
            shown_plan = r[0]
            lines += ["", f"== {shown_plan} ==", header, "-" * len(header)]
        (
            _,
            group,
            item,
            name,
            unit,
            target,
            actual,
            period,
            projected,
            basis,
            pct,
            status,
            status_vi,
            source,
            reason,
            reason_vi,
        ) = r
        lines.append(
            f"{f'({group}).{item}':<7} {_cut(name, 58):<58} {_cut(unit, 16):<16} {vi_number(target):>9} {vi_number(actual):>10} "
            f"{period or '':<8} {vi_number(projected):>9} {vi_number(pct, 1):>7} {source or '':<10} {STATUS_MARK[status]} {status_vi} ({status})"
            + (f" — {reason_vi} / {reason}" if reason else "")
        )
    lines.append("")
    for plan, sentence_vi, sentence_en, counts in con.execute(
        f"""select plan_id, summary_vi, summary_en,
                   format('đạt/achieved {{}}, ước đạt/on track {{}}, nguy cơ/at risk {{}}, không đạt/not achieved {{}}, chưa có số liệu/no data {{}}',
                          achieved, on_track, at_risk, not_achieved, no_data)
            from mart.attainment_summary where group_no is null {"and plan_id = ?" if plan_id else ""} order by plan_id""",
        [plan_id] if plan_id else [],
    ).fetchall():
        lines.append(f"[{plan}] {sentence_vi} — {sentence_en}.")
        lines.append(f"[{plan}] {counts}")
    return "\n".join(lines)


def rejected_submissions(con: duckdb.DuckDBPyConnection, outbox_dir: str | None = None) -> str:
    """Rejected department files with their first error (and feedback file), in Vietnamese and English."""
    from chitieu.submissions.inbox import feedback_path

    rows = con.execute(
        """select s.department_code, s.file_name, s.error_count, p.cell, p.message_vi, p.message_en, p.found, p.expected
           from raw.submissions as s
           left join raw.submission_problems as p on p.submission_id = s.submission_id and p.severity = 'error'
           where s.status = 'rejected'
           qualify row_number() over (partition by s.submission_id order by p.cell) = 1
           order by s.department_code, s.file_name"""
    ).fetchall()
    if not rows:
        return "Không có báo cáo bị từ chối. / No rejected submissions."
    lines = [f"Báo cáo bị từ chối / Rejected submissions: {len(rows)}"]
    for dept, name, n, cell, vi, en, found, expected in rows:
        # a problem of the whole file has no cell, and often nothing found or expected
        seen = [f"tìm thấy / found {found!r}"] if found else []
        seen += [f"cần / expected {expected}"] if expected else []
        lines.append(
            f"  - {dept}/{name}: {n} lỗi / errors; {f'{cell} ' if cell else ''}{vi} / {en}"
            + (f"; {', '.join(seen)}" if seen else "")
        )
        if outbox_dir:
            lines.append(
                f"    phản hồi cho đơn vị / feedback file: {feedback_path(outbox_dir, dept, name)}"
            )
    return "\n".join(lines)
