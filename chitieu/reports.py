"""The attainment report for the council: one self-contained HTML page (the xlsx is in chitieu.council_xlsx)."""

from __future__ import annotations

import html
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd

from chitieu.council_xlsx import report_rows, write_pdf, write_xlsx
from chitieu.periods import parse_period
from chitieu.publish import atomic_write
from chitieu.report_history import status_paths
from chitieu.report_text import vi_number

__all__ = ["write_html", "write_pdf", "write_xlsx"]

STATUS_COLOURS = {
    "achieved": "#1a7f37",
    "on_track": "#4f9a5d",
    "at_risk": "#d97706",
    "not_achieved": "#c62828",
    "no_data": "#8c8c8c",
}


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
    return f'<svg class="bullet" data-status="{t.status}" width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img" aria-label="{html.escape(t.name_vi)} ({html.escape(t.name_en)})">{"".join(parts)}</svg>'


CSS = """*{box-sizing:border-box}body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;margin:24px;color:#222}
h1{font-size:20px}h2{font-size:16px;margin-top:28px}.summary{font-size:18px;font-weight:600}.cite{color:#444}
table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #ddd;padding:4px 6px;text-align:left;vertical-align:middle}
th{background:#f4f4f4}tr.group th{background:#e8eef5;font-size:14px}.num{text-align:right;white-space:nowrap}
.en{color:#666;font-size:12px;font-weight:normal}.badge{color:#fff;border-radius:3px;padding:1px 6px;font-size:12px;white-space:nowrap}
.bullet{max-width:100%;height:auto}.filters{margin:12px 0}.filters label{margin-right:16px}footer{margin-top:24px;color:#666;font-size:12px}
@media (max-width:600px){
body{margin:8px}h1{font-size:16px;margin:4px 0}.summary{font-size:15px;margin:6px 0}p{margin:6px 0;font-size:13px}
h1 .en,.cite .en{display:none}
table.cards thead{display:none}
table.cards,table.cards tbody,table.cards tr,table.cards td,table.cards th{display:block;width:auto}
table.cards tr{border:1px solid #ccc;border-radius:6px;margin:0 0 6px;padding:3px 8px}
table.cards tr.target{display:grid;grid-template-columns:1fr 1fr 1fr;column-gap:6px;line-height:1.2}
table.cards td{border:0;padding:1px 0;text-align:left;white-space:normal;font-size:13px}
table.cards td.wide{grid-column:1/-1}table.cards td.stt{display:none}table.cards td .en{font-size:11px}
table.cards td.wide strong{font-size:14px}
table.cards td.chart{order:9;grid-column:1/2;align-self:center}table.cards td.status{order:10;grid-column:2/4;align-self:center}
table.cards td[data-label]::before{content:attr(data-label);display:block;color:#666;font-size:10px;line-height:1.1}
table.cards tr.group{border:0;padding:0;margin:10px 0 4px}table.cards tr.group th{background:none;padding:0}
.filters{display:flex;gap:6px}.filters label{flex:1;margin:0;font-size:12px}.filters select{width:100%}
}
@media print{
@page{size:A4 landscape;margin:10mm}
body{margin:0;font-size:11px}.filters,script{display:none!important}
tr{break-inside:avoid;page-break-inside:avoid}thead{display:table-header-group}
h2{break-after:avoid}.badge{-webkit-print-color-adjust:exact;print-color-adjust:exact}
}"""

JS = """function applyFilters(){var g=document.getElementById('f-group').value,d=document.getElementById('f-dept').value;
document.querySelectorAll('tr.target').forEach(function(r){r.style.display=((!g||r.dataset.group===g)&&(!d||r.dataset.dept===d))?'':'none';});
document.querySelectorAll('tr.group').forEach(function(r){r.style.display=(!g||r.dataset.group===g)?'':'none';});}
document.getElementById('f-group').addEventListener('change',applyFilters);document.getElementById('f-dept').addEventListener('change',applyFilters);"""

STATUS_EN = {
    "achieved": "achieved",
    "on_track": "on track",
    "at_risk": "at risk",
    "not_achieved": "not achieved",
    "no_data": "no data",
}
# (Vietnamese, English) column labels, the same as the council xlsx plus the chart
HEADINGS = [
    ("STT", "No."),
    ("Chỉ tiêu", "Target"),
    ("ĐVT", "Unit"),
    ("TH năm trước", "Previous year"),
    ("KH năm", "Plan"),
    ("TH kỳ báo cáo", "Actual to date"),
    ("Ước TH năm", "Year projection"),
    ("Biểu đồ", "Chart"),
    ("So sánh (%)", "% of plan"),
    ("Đánh giá", "Status"),
]


def _num(value, decimals: int) -> str:
    return "" if value is None or pd.isna(value) else vi_number(float(value), int(decimals))


def _plan_text(t) -> str:
    if t.kind == "range":
        return f"{_num(t.target_low, t.decimals)}–{_num(t.target_high, t.decimals)}"
    if t.unit == "có/không":
        return "Có" if t.target_value else "Không"
    return _num(t.target_value, t.decimals)


def _badge(t) -> str:
    """The status badge; a verdict on preliminary figures is a dashed outline with its note."""
    colour = STATUS_COLOURS[t.status]
    flag = getattr(t, "provisional", False)
    if bool(pd.notna(flag) and flag):
        return (
            f'<span class="badge provisional" style="background:#fff;color:{colour};'
            f'border:1px dashed {colour}" title="số liệu sơ bộ / preliminary figures">'
            f"{html.escape(t.verdict_vi)}</span>"
        )
    return f'<span class="badge" style="background:{colour}">{html.escape(t.status_vi)}</span>'


def _target_row(t, n: int, path: str = "") -> str:
    e = html.escape
    labels = [h[0] for h in HEADINGS]
    period = ""
    if isinstance(t.actual_period, str):
        p = parse_period(t.actual_period)
        period = f'<div class="en">{e(p.label_vi)} / {e(p.label_en)}</div>'
    reason = (
        f'<div>{e(t.no_data_reason_vi)}</div><div class="en">{e(t.no_data_reason)}</div>'
        if isinstance(t.no_data_reason_vi, str)
        else ""
    )
    baseline = (
        _num(t.baseline_value_display, t.measure_decimals) if t.measure_unit == t.unit else ""
    )
    cells = [
        ("stt", f"{n}"),
        ("wide", f'<strong>{e(t.name_vi)}</strong><div class="en">{e(t.name_en)}</div>'),
        ("", e(t.unit)),
        ("num", baseline),
        ("num", _plan_text(t)),
        ("num", _num(t.actual_value_display, t.decimals) + period),
        ("num", _num(t.projected_value_display, t.decimals)),
        ("wide chart", _bullet(t)),
        ("num", _num(t.attainment_pct_display, 1)),
        (
            "wide status",
            _badge(t) + f' <span class="en">{STATUS_EN[t.status]}</span>{reason}{path}',
        ),
    ]
    tds = "".join(
        f'<td class="{cls}" data-label="{e(label)}">{content}</td>'
        if label not in ("Chỉ tiêu", "Biểu đồ", "Đánh giá", "STT")
        else f'<td class="{cls}">{content}</td>'
        for label, (cls, content) in zip(labels, cells, strict=True)
    )
    return (
        f'<tr class="target" data-group="{t.group_no}" data-dept="{e(t.department_code)}" '
        f'data-code="{e(t.target_code)}">{tds}</tr>'
    )


def write_html(con: duckdb.DuckDBPyConnection, out: str | Path, plan_id: str | None = None) -> Path:
    """One self-contained page (inline CSS, JS and SVG; no network), Vietnamese first with English
    beside: the summary, a bullet chart per target in group sections, filters by group and
    department, the submission-status table, the sources and the resolution it reports on.
    Under 600 px each target is a card; printed, it is A4 landscape without the filters and
    no row is split across pages."""
    plan_id = plan_id or con.execute("select min(plan_id) from core.dim_plan").fetchall()[0][0]
    rows = report_rows(con, plan_id)
    year, citation_vi, citation_en = con.execute(
        "select plan_year, citation_vi, citation_en from core.dim_plan where plan_id = ?", [plan_id]
    ).fetchall()[0]
    summary_vi, summary_en, targets, achieved, on_track, at_risk, not_achieved, no_data, as_of = (
        con.execute(
            "select summary_vi, summary_en, targets, achieved, on_track, at_risk, not_achieved, no_data, as_of "
            "from mart.attainment_summary where plan_id = ? and group_no is null",
            [plan_id],
        ).fetchall()[0]
    )
    e = html.escape
    group_names = rows.drop_duplicates("group_no").set_index("group_no")
    groups = "".join(
        f'<option value="{g}">({g}) {e(r.group_name_vi)}</option>'
        for g, r in group_names.iterrows()
    )
    depts = "".join(
        f'<option value="{e(c)}">{e(n)}</option>'
        for c, n in sorted(
            set(zip(rows["department_code"], rows["department_name_vi"], strict=True)),
            key=lambda x: x[1],
        )
    )
    body = []
    # each target's status over the year (mart.attainment_history), beside its status
    paths = status_paths(con, plan_id)
    for (g, name_vi, name_en), part in rows.groupby(
        ["group_no", "group_name_vi", "group_name_en"], sort=True
    ):
        body.append(
            f'<tr class="group" data-group="{g}"><th colspan="{len(HEADINGS)}">({g}) {e(name_vi)} '
            f'<span class="en">{e(name_en)}</span></th></tr>'
        )
        body += [
            _target_row(t, n, paths.get(t.target_code, ""))
            for n, t in enumerate(part.itertuples(), 1)
        ]
    status = con.execute(
        "select department_name_vi, period_code, due_date, status_vi, status, accepted_file from mart.submission_status where plan_id = ? order by period_code, department_name_vi",
        [plan_id],
    ).fetchall()
    status_rows = "".join(
        f'<tr><td class="wide">{e(d)}</td><td data-label="Kỳ">{e(parse_period(p).label_vi)}</td>'
        f'<td data-label="Hạn nộp">{due:%d/%m/%Y}</td><td data-label="Trạng thái">{e(s)} <span class="en">{e(code)}</span></td>'
        f'<td class="wide" data-label="Tệp">{e(f or "")}</td></tr>'
        for d, p, due, s, code, f in status
    )
    sources = con.execute(
        "select o.source_kind, coalesce(any_value(l.label_vi), o.source_kind), count(*), count(distinct o.source_file) "
        "from core.fact_observation as o left join core.dim_label as l "
        "on l.vocabulary = 'source_kind' and l.code = o.source_kind group by 1 order by 1"
    ).fetchall()
    source_items = "".join(
        f'<li>{e(label)} <span class="en">({e(k)})</span>: {n} số liệu từ {f} tệp hoặc địa chỉ '
        f'<span class="en">{n} figures from {f} files or URLs</span></li>'
        for k, label, n, f in sources
    )
    heads = "".join(f'<th>{v} <span class="en">{en}</span></th>' for v, en in HEADINGS)
    page = f"""<!DOCTYPE html>
<html lang="vi"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Tình hình thực hiện các chỉ tiêu kế hoạch năm {year}</title><style>{CSS}</style></head><body>
<h1>Tình hình thực hiện các chỉ tiêu kinh tế - xã hội chủ yếu năm {year} <span class="en">Attainment of the {year} plan targets</span></h1>
<p class="cite">{e(citation_vi)} <span class="en">{e(citation_en)}</span></p>
<p class="summary">{e(summary_vi)} <span class="en">({e(summary_en)})</span></p>
<p>Đạt và vượt <span class="en">achieved</span>: {achieved} · Ước đạt <span class="en">on track</span>: {on_track} · Có nguy cơ không đạt <span class="en">at risk</span>: {at_risk} · Không đạt <span class="en">not achieved</span>: {not_achieved} · Chưa có số liệu <span class="en">no data</span>: {no_data} — tổng <span class="en">total</span> {targets}</p>
<div class="filters"><label>Nhóm <span class="en">Group</span> <select id="f-group"><option value="">Tất cả / all</option>{groups}</select></label>
<label>Cơ quan <span class="en">Department</span> <select id="f-dept"><option value="">Tất cả / all</option>{depts}</select></label></div>
<table class="cards targets"><thead><tr>{heads}</tr></thead>
<tbody>{"".join(body)}</tbody></table>
<h2>Tình hình nộp báo cáo <span class="en">Submission status</span></h2>
<table class="cards"><thead><tr><th>Cơ quan <span class="en">Department</span></th><th>Kỳ <span class="en">Period</span></th><th>Hạn nộp <span class="en">Due</span></th><th>Trạng thái <span class="en">Status</span></th><th>Tệp <span class="en">File</span></th></tr></thead><tbody>{status_rows}</tbody></table>
<h2>Nguồn số liệu <span class="en">Sources</span></h2><ul>{source_items}</ul>
<footer>Số liệu đến ngày {as_of:%d/%m/%Y} <span class="en">(as of)</span>. Tạo ngày {date.today():%d/%m/%Y} bởi chitieu <span class="en">(generated)</span>. Biểu đồ: vạch đen = kế hoạch; thanh đậm = thực hiện; thanh nhạt = dự kiến cả năm <span class="en">(chart: black mark = plan; dark bar = actual; light bar = year projection)</span>.</footer>
<script>{JS}</script></body></html>"""
    return atomic_write(Path(out), lambda tmp: tmp.write_text(page, encoding="utf-8"))
