"""Alerts about statistics sources: a rejected or stale table, or a moved table whose pin needs updating.

Each alert key names the source and its last success, so one outage gives one "rejected"
alert and, if it lasts, one "stale" alert, not one per night.
"""

from __future__ import annotations

import duckdb

from chitieu.alert_channels import Alert


def _when(ts) -> str:
    return f"{ts:%Y-%m-%d %H:%M} UTC" if ts is not None else "chưa bao giờ / never"


def statistics_alerts(con: duckdb.DuckDBPyConnection) -> list[Alert]:
    """One alert per rejected or stale statistics source and per moved table, from mart.source_loads."""
    rows = con.execute(
        """select source_name, last_status, is_stale, last_errors, last_success_at, days_since_success
           from mart.source_loads
           where source_kind = 'statistics' and (needs_attention or last_errors like 'table moved%')
           order by source_name"""
    ).fetchall()
    alerts = []
    for name, status, stale, errors, success, days in rows:
        since = _when(success)
        first = (errors or "").splitlines()[0] if errors else ""
        if status == "rejected":
            alerts.append(
                Alert(
                    key=f"statistics-rejected:{name}:{since}",
                    title=f"[chitieu] Số liệu thống kê bị từ chối / Statistics rejected: {name}",
                    body=(
                        f"{name}: lần lấy số liệu gần nhất bị từ chối, giữ số liệu cũ (lần thành công gần nhất: {since}).\n"
                        f"{name}: the latest retrieval was rejected; the previous rows are kept (last success: {since}).\n"
                        f"{first}"
                    ),
                    severity="failure",
                )
            )
        if stale:
            alerts.append(
                Alert(
                    key=f"statistics-stale:{name}:{since}",
                    title=f"[chitieu] Số liệu thống kê đã cũ / Statistics stale: {name}",
                    body=(
                        f"{name}: không lấy được số liệu mới từ {since} ({days if days is not None else '—'} ngày).\n"
                        f"{name}: no successful retrieval since {since} ({days if days is not None else '—'} days)."
                    ),
                    severity="warning",
                )
            )
        if status != "rejected" and first.startswith("table moved"):
            alerts.append(
                Alert(
                    key=f"statistics-moved:{name}:{first}",
                    title=f"[chitieu] Bảng thống kê đã đổi mã / Statistics table moved: {name}",
                    body=(
                        f"{name}: bảng đã đổi mã; cần cập nhật table_id trong sources/statistics/config.yaml.\n"
                        f"{first}"
                    ),
                    severity="warning",
                )
            )
    return alerts


def statistics_summary(con: duckdb.DuckDBPyConnection) -> str:
    """Lines for the run summary: statistics sources rejected or stale (empty when all loaded)."""
    exists = con.execute(
        "select count(*) from information_schema.tables where table_schema = 'mart' and table_name = 'source_loads'"
    ).fetchall()[0][0]
    if not exists:
        return ""
    rows = con.execute(
        """select source_name, last_status, is_stale, last_success_at, last_errors from mart.source_loads
           where source_kind = 'statistics' and needs_attention order by source_name"""
    ).fetchall()
    if not rows:
        return ""
    lines = [f"Số liệu thống kê giữ số cũ / Statistics kept their previous rows: {len(rows)}"]
    for name, status, stale, success, errors in rows:
        vi = ["bị từ chối"] * (status == "rejected") + ["đã cũ"] * bool(stale)
        en = ["rejected"] * (status == "rejected") + ["stale"] * bool(stale)
        state = f"{', '.join(vi)} / {', '.join(en)}"
        first = (errors or "").splitlines()[0] if errors and status == "rejected" else ""
        lines.append(
            f"  - {name}: {state}; lần thành công gần nhất / last success {_when(success)}"
            + (f"; {first}" if first else "")
        )
    return "\n".join(lines)
