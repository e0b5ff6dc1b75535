"""The attainment report for the council: xlsx in the planning department's form, and one HTML page."""

from __future__ import annotations

import html
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side

from chitieu.publish import atomic_write
from chitieu.report_text import vi_number

STATUS_COLOURS = {
    "achieved": "#1a7f37",
    "on_track": "#4f9a5d",
    "at_risk": "#d97706",
    "not_achieved": "#c62828",
    "no_data": "#8c8c8c",
}
XLSX_COLUMNS = [
    "STT",
    "Chỉ tiêu",
    "Đơn vị tính",
    "Kế hoạch",
    "Thực hiện / Ước thực hiện",
    "So sánh (%)",
    "Đánh giá",
]


def _rows(con: duckdb.DuckDBPyConnection, plan_id: str) -> pd.DataFrame:
    return con.execute(
        """select a.*, d.name_vi as department_name_vi
           from mart.target_attainment as a join core.dim_department as d using (department_code)
           where plan_id = ? order by group_no, item_no""",
        [plan_id],
    ).df()


def _summary(con: duckdb.DuckDBPyConnection, plan_id: str) -> tuple:
    return con.execute(
        "select summary_vi, summary_en, targets, achieved, on_track, at_risk, not_achieved, no_data, as_of "
        "from mart.attainment_summary where plan_id = ? and group_no is null",
        [plan_id],
    ).fetchall()[0]


def _verdict(t) -> tuple[str, bool]:
    """The verdict shown to the council and whether it rests on preliminary figures
    (shown distinctly: '(số liệu sơ bộ)', italic in xlsx, a dashed badge in HTML)."""
    flag = getattr(t, "provisional", False)
    provisional = bool(pd.notna(flag) and flag)
    return getattr(t, "verdict_vi", None) or t.status_vi, provisional


def _pct_or_comparison(t):
    """% of plan, or the exact comparison where a % would mislead (shares, strict bounds)."""
    pct = t.attainment_pct
    if pd.notna(pct):
        return pct
    text = getattr(t, "comparison_vi", None)
    return text if isinstance(text, str) else None


def _plan_ids(con: duckdb.DuckDBPyConnection) -> list[str]:
    return [
        r[0]
        for r in con.execute(
            "select distinct plan_id from mart.target_attainment order by 1"
        ).fetchall()
    ]


def write_xlsx(con: duckdb.DuckDBPyConnection, out: str | Path, plan_id: str | None = None) -> Path:
    """STT | Chỉ tiêu | Đơn vị tính | Kế hoạch | Thực hiện / Ước thực hiện | So sánh (%) | Đánh giá,
    groups (1)-(10) as sections, ending with "Ước đạt và vượt X/N chỉ tiêu"."""
    plan_id = plan_id or _plan_ids(con)[0]
    rows = _rows(con, plan_id)
    summary_vi, summary_en, *_, as_of = _summary(con, plan_id)
    wb = Workbook()
    ws = wb.active
    ws.title = "Báo cáo"
    ws["A1"] = "ĐÁNH GIÁ KẾT QUẢ THỰC HIỆN CÁC CHỈ TIÊU KINH TẾ - XÃ HỘI CHỦ YẾU"
    ws["A2"] = f"Kế hoạch {plan_id} — số liệu đến ngày {as_of:%d/%m/%Y}"
    for r in (1, 2):
        ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=len(XLSX_COLUMNS))
        ws.cell(r, 1).font = Font(bold=True, size=12 if r == 1 else 10)
        ws.cell(r, 1).alignment = Alignment(horizontal="center")
    thin = Side(style="thin")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    for c, text in enumerate(XLSX_COLUMNS, 1):
        cell = ws.cell(4, c, text)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.border = box
    r = 5
    for group, part in rows.groupby("group_no", sort=True):
        ws.cell(r, 1, f"({group})").font = Font(bold=True)
        ws.cell(r, 2, f"Nhóm chỉ tiêu ({group})").font = Font(bold=True)
        r += 1
        for n, t in enumerate(part.itertuples(), 1):
            values = [
                n,
                t.name_vi,
                t.unit,
                t.target_value,
                t.projected_value,
                _pct_or_comparison(t),
                _verdict(t)[0],
            ]
            for c, v in enumerate(values, 1):
                cell = ws.cell(r, c, None if isinstance(v, float) and pd.isna(v) else v)
                cell.border = box
                if c in (4, 5, 6):
                    cell.number_format = "#,##0.0#"
            ws.cell(r, 7).font = Font(
                color=STATUS_COLOURS[t.status].lstrip("#"), bold=True, italic=_verdict(t)[1]
            )
            r += 1
    ws.cell(r + 1, 1, f"{summary_vi}.").font = Font(bold=True)
    ws.cell(r + 2, 1, f"({summary_en}.)").font = Font(italic=True)
    for col, width in zip("ABCDEFG", (6, 60, 16, 12, 14, 12, 22), strict=True):
        ws.column_dimensions[col].width = width
    ws.freeze_panes = "A5"
    return atomic_write(Path(out), lambda tmp: wb.save(tmp))


def _bullet(t) -> str:
    """An inline SVG bullet chart: grey scale, target marker, projection and actual bars."""
    vals = [
        v
        for v in (t.target_value, t.actual_value, t.projected_value, t.target_low, t.target_high)
        if v is not None and not pd.isna(v)
    ]
    lo = min([0.0, *vals])
    hi = max([*vals, 1e-9]) * 1.15 if max(vals or [0]) > 0 else 1.0
    width, height = 260, 22

    def x(v: float) -> float:
        return round((v - lo) / (hi - lo) * width, 1)

    colour = STATUS_COLOURS[t.status]
    parts = [f'<rect x="0" y="0" width="{width}" height="{height}" fill="#eeeeee"/>']
    if lo < 0:
        parts.append(
            f'<line x1="{x(0)}" y1="0" x2="{x(0)}" y2="{height}" stroke="#999" stroke-width="1"/>'
        )
    for value, y, h, opacity, label in (
        (t.projected_value, 4, 14, 0.45, "dự kiến / projected"),
        (t.actual_value, 7, 8, 1.0, "thực hiện / actual"),
    ):
        if value is not None and not pd.isna(value):
            x0, x1 = sorted((x(0 if lo <= 0 else lo), x(value)))
            parts.append(
                f'<rect x="{x0}" y="{y}" width="{max(x1 - x0, 1)}" height="{h}" fill="{colour}" fill-opacity="{opacity}"><title>{label}: {vi_number(value)}</title></rect>'
            )
    if t.target_value is not None and not pd.isna(t.target_value):
        parts.append(
            f'<line x1="{x(t.target_value)}" y1="1" x2="{x(t.target_value)}" y2="{height - 1}" stroke="#111" stroke-width="2"><title>kế hoạch / target: {vi_number(t.target_value)}</title></line>'
        )
    return f'<svg class="bullet" data-status="{t.status}" width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img" aria-label="{html.escape(t.name_en)}">{"".join(parts)}</svg>'


CSS = """body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;margin:24px;color:#222}
h1{font-size:20px}h2{font-size:16px;margin-top:28px}.summary{font-size:18px;font-weight:600}
table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #ddd;padding:4px 6px;text-align:left;vertical-align:middle}
th{background:#f4f4f4}.num{text-align:right;white-space:nowrap}.en{color:#666;font-size:12px}.badge{color:#fff;border-radius:3px;padding:1px 6px;font-size:12px;white-space:nowrap}
.filters{margin:12px 0}.filters label{margin-right:16px}footer{margin-top:24px;color:#666;font-size:12px}"""

JS = """function applyFilters(){var g=document.getElementById('f-group').value,d=document.getElementById('f-dept').value;
document.querySelectorAll('tr.target').forEach(function(r){r.style.display=((!g||r.dataset.group===g)&&(!d||r.dataset.dept===d))?'':'none';});}
document.getElementById('f-group').addEventListener('change',applyFilters);document.getElementById('f-dept').addEventListener('change',applyFilters);"""


def write_html(con: duckdb.DuckDBPyConnection, out: str | Path, plan_id: str | None = None) -> Path:
    """One self-contained page (inline CSS, JS and SVG; no network) with the summary, a bullet chart
    per target, filters by group and department, the submission-status table, the date and the sources."""
    plan_id = plan_id or _plan_ids(con)[0]
    rows = _rows(con, plan_id)
    summary_vi, summary_en, targets, achieved, on_track, at_risk, not_achieved, no_data, as_of = (
        _summary(con, plan_id)
    )
    e = html.escape
    groups = "".join(
        f'<option value="{g}">({g})</option>' for g in sorted(rows["group_no"].unique())
    )
    depts = "".join(
        f'<option value="{e(c)}">{e(n)}</option>'
        for c, n in sorted(
            set(zip(rows["department_code"], rows["department_name_vi"], strict=True))
        )
    )
    body = []
    for t in rows.itertuples():
        verdict, provisional = _verdict(t)
        badge = (
            f'<span class="badge provisional" style="background:#fff;color:{STATUS_COLOURS[t.status]};'
            f'border:1px dashed {STATUS_COLOURS[t.status]}" title="số liệu sơ bộ / preliminary figures">'
            f"{e(verdict)}</span>"
            if provisional
            else f'<span class="badge" style="background:{STATUS_COLOURS[t.status]}">{e(verdict)}</span>'
        )
        reason = (
            f'<div class="en">{e(t.no_data_reason)}</div>'
            if isinstance(t.no_data_reason, str)
            else ""
        )
        body.append(
            f'<tr class="target" data-group="{t.group_no}" data-dept="{e(t.department_code)}">'
            f'<td>({t.group_no}).{t.item_no}</td><td>{e(t.name_vi)}<div class="en">{e(t.name_en)}</div></td>'
            f'<td>{e(t.unit)}</td><td class="num">{vi_number(t.target_value)}</td><td class="num">{vi_number(t.actual_value)}'
            f'<div class="en">{e(t.actual_period) if isinstance(t.actual_period, str) else ""}</div></td>'
            f'<td class="num">{vi_number(t.projected_value)}</td><td>{_bullet(t)}</td><td class="num">{vi_number(t.attainment_pct, 1) if pd.notna(t.attainment_pct) else e(_pct_or_comparison(t) or "")}</td>'
            f"<td>{badge}{reason}</td></tr>"
        )
    status = con.execute(
        "select department_name_vi, period_code, due_date, status_vi, accepted_file from mart.submission_status where plan_id = ? order by period_code, department_name_vi",
        [plan_id],
    ).fetchall()
    status_rows = "".join(
        f"<tr><td>{e(d)}</td><td>{e(p)}</td><td>{due:%d/%m/%Y}</td><td>{e(s)}</td><td>{e(f or '')}</td></tr>"
        for d, p, due, s, f in status
    )
    sources = con.execute(
        "select source_kind, count(*), count(distinct source_file) from core.fact_observation group by 1 order by 1"
    ).fetchall()
    source_items = "".join(
        f"<li>{e(k)}: {n} số liệu / figures từ / from {f} tệp hoặc địa chỉ / files or URLs</li>"
        for k, n, f in sources
    )
    page = f"""<!DOCTYPE html>
<html lang="vi"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Tình hình thực hiện chỉ tiêu {e(plan_id)}</title><style>{CSS}</style></head><body>
<h1>Tình hình thực hiện các chỉ tiêu kế hoạch <span class="en">Plan-target attainment</span> — {e(plan_id)}</h1>
<p class="summary">{e(summary_vi)} <span class="en">({e(summary_en)})</span></p>
<p>Đạt và vượt / achieved: {achieved} · Ước đạt / on track: {on_track} · Có nguy cơ / at risk: {at_risk} · Không đạt / not achieved: {not_achieved} · Chưa có số liệu / no data: {no_data} — tổng / total {targets}</p>
<div class="filters"><label>Nhóm / Group <select id="f-group"><option value="">Tất cả / all</option>{groups}</select></label>
<label>Cơ quan / Department <select id="f-dept"><option value="">Tất cả / all</option>{depts}</select></label></div>
<table><thead><tr><th>STT</th><th>Chỉ tiêu <span class="en">Target</span></th><th>ĐVT</th><th>Kế hoạch</th><th>Thực hiện</th><th>Dự kiến cả năm</th><th>Biểu đồ <span class="en">chart</span></th><th>% KH</th><th>Đánh giá</th></tr></thead>
<tbody>{"".join(body)}</tbody></table>
<h2>Tình hình nộp báo cáo <span class="en">Submission status</span></h2>
<table><thead><tr><th>Cơ quan</th><th>Kỳ</th><th>Hạn nộp</th><th>Trạng thái</th><th>Tệp</th></tr></thead><tbody>{status_rows}</tbody></table>
<h2>Nguồn số liệu <span class="en">Sources</span></h2><ul>{source_items}</ul>
<footer>Số liệu đến ngày / as of {as_of:%d/%m/%Y}. Tạo ngày / generated {date.today():%d/%m/%Y} bởi chitieu. Biểu đồ: vạch đen = kế hoạch; thanh đậm = thực hiện; thanh nhạt = dự kiến cả năm.</footer>
<script>{JS}</script></body></html>"""
    return atomic_write(Path(out), lambda tmp: tmp.write_text(page, encoding="utf-8"))
