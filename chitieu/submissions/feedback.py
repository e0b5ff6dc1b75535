"""Feedback files survive crashes: a recorded submission with problems whose feedback file is
missing (a crash after the warehouse commit, a deleted outbox) gets it written again from the
warehouse's own records."""

from __future__ import annotations

from pathlib import Path

from chitieu.submissions.problems import Problem
from chitieu.submissions.submission import Submission


def restore_feedback(con, outbox_dir: str) -> list[Path]:
    """Write the missing feedback files of recorded submissions; returns the paths written."""
    from chitieu.submissions.inbox import feedback_path

    rows = con.execute(
        """select s.submission_id, s.file_path, s.file_name, s.department_code, s.period_code,
                  s.value_count, p.rule, p.severity, p.cell, p.found, p.expected, p.detail,
                  p.message_vi, p.message_en, p.fix_vi, p.fix_en
           from raw.submissions as s join raw.submission_problems as p using (submission_id)
           order by s.received_at, s.submission_id, p.severity, p.cell"""
    ).fetchall()
    subs: dict[str, Submission] = {}
    for sid, path, name, dept, period, count, *problem in rows:
        target = feedback_path(outbox_dir, dept, name)
        if target.exists():
            continue
        sub = subs.get(sid)
        if sub is None:
            sub = subs[sid] = Submission(path, sid, dept, period)
            sub.restored_count = count  # type: ignore[attr-defined]
        rule, severity, cell, found, expected, detail, mvi, men, fvi, fen = problem
        sub.problems.append(
            Problem(
                rule,
                name,
                cell or "",
                found or "",
                expected or "",
                severity,
                detail or "",
                (mvi, men, fvi, fen),
            )
        )
    if not subs:
        return []  # nothing missing: the writers (and pandas, under chitieu.publish) stay unloaded
    from chitieu.publish import atomic_write
    from chitieu.submissions.report import render_report

    written = []
    for sub in subs.values():
        target = feedback_path(outbox_dir, sub.department_code, Path(sub.path).name)
        text = render_report(sub, value_count=getattr(sub, "restored_count", None))
        written.append(
            atomic_write(
                target, lambda tmp, text=text: tmp.write_text(text + "\n", encoding="utf-8")
            )
        )
    return written
