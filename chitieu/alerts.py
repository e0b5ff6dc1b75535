"""Alerts: what to say (in Vietnamese, with English), to whom (apprise URLs), and never twice.

Channels come only from the environment (``CHITIEU_ALERT_URLS``: apprise URLs such as
``mailtos://user:password@smtp.example.org?to=ops@example.org`` or ``json://hooks.example.org/x``);
they may hold secrets, so no alert text ever includes them. De-duplication is by alert key in a
small SQLite file shared by runs and sensors (SQLite waits on locks; DuckDB would fail at once).
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from chitieu.resources import feedback_path


@dataclass(frozen=True)
class Alert:
    key: str
    title: str
    body: str
    attachments: tuple[str, ...] = field(default=())


class AlertStore:
    """Which alert keys were already sent."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with closing(sqlite3.connect(self.path, timeout=30)) as db, db:
            db.execute(
                "create table if not exists sent (key text primary key, title text, sent_at text)"
            )

    def sent(self, key: str) -> bool:
        with closing(sqlite3.connect(self.path, timeout=30)) as db:
            return db.execute("select 1 from sent where key = ?", [key]).fetchone() is not None

    def mark(self, alert: Alert) -> None:
        with closing(sqlite3.connect(self.path, timeout=30)) as db, db:
            db.execute(
                "insert or ignore into sent values (?, ?, ?)",
                [alert.key, alert.title, datetime.now(UTC).isoformat()],
            )


def send(alerts: list[Alert], urls: str, store: AlertStore) -> list[str]:
    """Send each alert not sent before to every configured channel; returns the keys sent."""
    if not urls.strip():
        return []
    import apprise

    sent = []
    for alert in alerts:
        if store.sent(alert.key):
            continue
        notifier = apprise.Apprise()
        for url in urls.replace(",", " ").split():
            notifier.add(url)
        attach = (
            apprise.AppriseAttachment([a for a in alert.attachments if Path(a).exists()])
            if alert.attachments
            else None
        )
        if notifier.notify(title=alert.title, body=alert.body, attach=attach):
            store.mark(alert)
            sent.append(alert.key)
    return sent


def submission_alerts(con: duckdb.DuckDBPyConnection, outbox_dir: str) -> list[Alert]:
    """One alert per rejected submission, and one per warned submission and warning rule."""
    rows = con.execute(
        """select s.submission_id, s.department_code, s.file_name, s.status, p.rule, p.severity,
                  count(*) as n, min(p.cell) as cell, any_value(p.message_vi) as vi, any_value(p.message_en) as en
           from raw.submissions as s join raw.submission_problems as p using (submission_id)
           where s.status = 'rejected' or p.severity = 'warning'
           group by all order by s.file_name, p.rule"""
    ).fetchall()
    alerts = []
    for sub_id, dept, name, status, rule, severity, n, cell, vi, en in rows:
        if status == "rejected" and severity != "error":
            continue
        feedback = feedback_path(outbox_dir, dept, name)
        kind_vi, kind_en = (
            ("Báo cáo bị từ chối", "Submission rejected")
            if status == "rejected"
            else ("Cảnh báo số liệu", "Data warning")
        )
        alerts.append(
            Alert(
                key=f"submission:{sub_id}:{rule}",
                title=f"[chitieu] {kind_vi} / {kind_en}: {dept}/{name}",
                body=(
                    f"{kind_vi}: {dept}/{name} — {vi} ({n} ô, ví dụ {cell}).\n"
                    f"{kind_en}: {dept}/{name} — {en} ({n} cells, e.g. {cell}).\n"
                    f"Phản hồi chi tiết / Feedback file: {feedback}"
                ),
                attachments=(str(feedback),),
            )
        )
    return alerts


def discrepancy_alerts(con: duckdb.DuckDBPyConnection) -> list[Alert]:
    """One alert per statistics-versus-department difference above the threshold."""
    rows = con.execute(
        "select plan_id, target_code, period_code, name_vi, unit, official_value, other_source, other_value, difference_pct "
        "from mart.source_discrepancies where exceeds_threshold"
    ).fetchall()
    return [
        Alert(
            key=f"discrepancy:{plan}:{target}:{period}:{other}:{other_value}",
            title=f"[chitieu] Chênh lệch số liệu / Figures disagree: {target} {period}",
            body=(
                f"{name_vi} ({period}): thống kê {official} {unit}, {other} {other_value} {unit} (chênh {pct}%).\n"
                f"{target} ({period}): statistics office {official} {unit}, {other} {other_value} {unit} ({pct}% apart). "
                "The official figure is used for attainment."
            ),
        )
        for plan, target, period, name_vi, unit, official, other, other_value, pct in rows
    ]


def late_alerts(con: duckdb.DuckDBPyConnection) -> list[Alert]:
    """One alert per department with nothing for a period whose deadline has passed."""
    rows = con.execute(
        "select plan_id, department_code, department_name_vi, department_name_en, period_code, due_date "
        "from mart.submission_status where status = 'missing' order by period_code, department_code"
    ).fetchall()
    return [
        Alert(
            key=f"late:{plan}:{dept}:{period}",
            title=f"[chitieu] Chậm nộp báo cáo / Late report: {dept} {period}",
            body=(
                f"{name_vi} chưa nộp báo cáo kỳ {period} (hạn {due:%d/%m/%Y}).\n"
                f"{name_en} has not submitted its {period} report (due {due:%Y-%m-%d})."
            ),
        )
        for plan, dept, name_vi, name_en, period, due in rows
    ]
