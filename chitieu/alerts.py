"""Alerts: what to say (in Vietnamese, with English) and about what: failed runs, check warnings,
rejected or warned files, discrepancies, late reports. Sending is ``chitieu.alert_channels``.

Alerts are sent only by runs (assets, ``chitieu run``, the run-failure alert job), never while a
sensor is evaluated: the Dagster UI evaluates sensors for "Preview tick result" too.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

from chitieu.alert_channels import Alert


def run_failure_alert(run_id: str, job: str, causes: list[str], url: str) -> Alert:
    """The alert for a failed run: each failed asset with its original cause, and the run's page."""
    lines = "\n".join(f"- {c}" for c in causes) or "- (no step failed; see the run's log)"
    return Alert(
        key=f"run_failure:{run_id}",
        title=f"[chitieu] Lần chạy thất bại / Run failed: {job}",
        body=(
            f"Lần chạy {job} thất bại / Run {job} failed:\n{lines}"
            + (f"\nChi tiết / Details: {url}" if url else "")
        ),
        severity="failure",
    )


def check_warning_alert(asset: str, check: str, rules: str, cells: str, url: str) -> Alert:
    """The alert for an asset check that failed with severity WARN (warnings only, nothing
    blocked). Its key is the check and what it found, so a warning that persists night after night
    is alerted once, and a new finding is alerted again."""
    digest = hashlib.sha256(f"{rules}\n{cells}".encode()).hexdigest()[:16]
    return Alert(
        key=f"check:{asset}:{check}:{digest}",
        title=f"[chitieu] Cảnh báo kiểm tra dữ liệu / Data check warning: {asset} {check}",
        body=(
            f"Kiểm tra {check} trên {asset} có cảnh báo (không chặn lần chạy): quy tắc {rules}.\n"
            f"Check {check} on {asset} found warnings (nothing was blocked): rules {rules}.\n"
            f"{cells}\nChi tiết / Details: {url}"
        ),
        severity="warning",
    )


def feedback_link(
    outbox_dir: str, department: str | None, file_name: str, base_url: str = ""
) -> str:
    """An absolute link to a feedback file: under ``base_url`` (the portal or a file share) when
    set, else the file's ``file://`` URI."""
    from urllib.parse import quote

    from chitieu.submissions.inbox import feedback_path

    path = feedback_path(outbox_dir, department, file_name)
    if base_url:
        return f"{base_url.rstrip('/')}/{quote(str(path.relative_to(outbox_dir)))}"
    return path.resolve().as_uri()


def submission_alerts(
    con, outbox_dir: str, *, now: datetime | None = None, max_age_days: int = 7, base_url: str = ""
) -> list[Alert]:
    """One alert per rejected or warned submission file, listing each rule. Files superseded by a
    later file of the same department and period (``is_latest`` in staging.stg_submissions: receipt
    time, then file name for files of the same scan), and files received more than
    ``max_age_days`` before ``now`` (the nightly job passes the end of the evaluation date; a
    backlog on the first night with alerts), are not alerted."""
    now = now or datetime.now(UTC)
    rows = con.execute(
        """select s.submission_id, s.department_code, s.file_name, s.status, p.rule, p.severity,
                  count(nullif(p.cell, '')) as n, min(nullif(p.cell, '')) as cell,
                  any_value(p.message_vi) as vi, any_value(p.message_en) as en
           from staging.stg_submissions as s join raw.submission_problems as p using (submission_id)
           where s.is_latest and s.received_at >= ?
             and (s.status = 'rejected' and p.severity = 'error' or s.status = 'accepted' and p.severity = 'warning')
           group by all order by s.file_name, s.submission_id, p.rule""",
        [now - timedelta(days=max_age_days)],
    ).fetchall()
    files: dict[str, list] = {}
    for row in rows:
        files.setdefault(row[0], []).append(row)
    alerts = []
    for sub_id, problems in files.items():
        _, dept, name, status, *_ = problems[0]
        rejected = status == "rejected"
        kind_vi, kind_en = (
            ("Báo cáo bị từ chối", "Submission rejected")
            if rejected
            else ("Cảnh báo số liệu", "Data warning")
        )
        link = feedback_link(outbox_dir, dept, name, base_url)
        # a problem of the whole file (no cell) has no count of cells nor example
        vi = "\n".join(
            f"- {p[8]}" + (f" ({p[6]} ô, ví dụ {p[7]})" if p[7] else "") for p in problems
        )
        en = "\n".join(
            f"- {p[9]}" + (f" ({p[6]} cells, e.g. {p[7]})" if p[7] else "") for p in problems
        )
        alerts.append(
            Alert(
                key=f"submission:{sub_id}",
                title=f"[chitieu] {kind_vi} / {kind_en}: {dept}/{name}",
                body=(
                    f"{kind_vi}: {dept}/{name}\n{vi}\n\n{kind_en}: {dept}/{name}\n{en}\n\n"
                    f"Phản hồi chi tiết / Feedback file: {link}"
                ),
                attachments=(str(_feedback_file(outbox_dir, dept, name)),),
                severity="failure" if rejected else "warning",
            )
        )
    return alerts


def _feedback_file(outbox_dir, dept, name):
    from chitieu.submissions.inbox import feedback_path

    return feedback_path(outbox_dir, dept, name)


def discrepancy_alerts(con, *, max_age_days: int = 7) -> list[Alert]:
    """One alert per statistics-versus-department difference above the threshold. A difference
    known (``known_since``: the later of its two figures' receipt day) more than
    ``max_age_days`` before the evaluation date is not alerted: no backlog on the first night."""
    from chitieu.report_text import vi_number

    rows = con.execute(
        """select plan_id, target_code, period_code, name_vi, unit, official_value, other_source,
                  other_value, difference_pct
           from mart.source_discrepancies
           where exceeds_threshold
             and known_since >= (select as_of from core.evaluation_date) - cast(? as integer)""",
        [max_age_days],
    ).fetchall()
    return [
        Alert(
            key=f"discrepancy:{plan}:{target}:{period}:{other}:{float(other_value)!r}",
            title=f"[chitieu] Chênh lệch số liệu / Figures disagree: {target} {period}",
            body=(
                f"{name_vi} ({period}): thống kê {vi_number(official)} {unit}, {other} "
                f"{vi_number(other_value)} {unit} (chênh {vi_number(pct)}%).\n"
                f"{target} ({period}): statistics office {float(official):g} {unit}, {other} "
                f"{float(other_value):g} {unit} ({float(pct):g}% apart). "
                "The official figure is used for attainment."
            ),
            severity="warning",
        )
        for plan, target, period, name_vi, unit, official, other, other_value, pct in rows
    ]


def late_alerts(con, *, max_age_days: int = 7) -> list[Alert]:
    """One alert per department with nothing for a period whose deadline has passed, unless the
    department has since sent an accepted report for a later period of the plan (its figures are
    cumulative from 1 January, so the later report covers the missing one). A deadline that
    passed more than ``max_age_days`` before the evaluation date is not alerted: no backlog of
    past periods on the first night."""
    rows = con.execute(
        """select s.plan_id, s.department_code, s.department_name_vi, s.department_name_en, s.period_code, s.due_date
           from mart.submission_status as s
           where s.status = 'missing' and s.due_date >= s.as_of - cast(? as integer)
             and not exists (
               select 1 from mart.submission_status as later
               where later.plan_id = s.plan_id and later.department_code = s.department_code
                 and later.status = 'accepted' and later.due_date > s.due_date
           )
           order by s.period_code, s.department_code""",
        [max_age_days],
    ).fetchall()
    return [
        Alert(
            key=f"late:{plan}:{dept}:{period}",
            title=f"[chitieu] Chậm nộp báo cáo / Late report: {dept} {period}",
            body=(
                f"{name_vi} chưa nộp báo cáo kỳ {period} (hạn {due:%d/%m/%Y}).\n"
                f"{name_en} has not submitted its {period} report (due {due:%Y-%m-%d})."
            ),
            severity="warning",
        )
        for plan, dept, name_vi, name_en, period, due in rows
    ]


def department_submission_alerts(con, outbox_dir: str, **options) -> list[tuple[str, Alert]]:
    """(department, alert) for each file ``submission_alerts`` would alert on (one per file, same
    ``options``), so that the department itself can be told."""
    alerts = submission_alerts(con, outbox_dir, **options)
    depts = dict(
        con.execute("select submission_id, department_code from raw.submissions").fetchall()
    )
    return [(depts.get(a.key.split(":", 1)[1]), a) for a in alerts]
