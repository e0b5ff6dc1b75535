"""Which inbox files are new receipts, and their parsing, one isolated child per file.

A receipt is a content seen at a path where the pipeline had not seen it before. Its time is the
scan's time (``received_at``), never the file's own time. A content already received is a
duplicate, unless it is an earlier version of a department's report sent again: then it is a new
receipt (with its own submission id) and becomes current. Refused and rejected contents are
recorded once.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from chitieu.catalogue import Plan
from chitieu.reference import Reference
from chitieu.submissions.inbox import InboxFile
from chitieu.submissions.isolate import ParseLimits, parse_isolated
from chitieu.submissions.parser import Submission


@dataclass
class IntakeState:
    """What the warehouse already knows: the last content seen at each path, and for each
    content its latest receipt (submission id, status, department, plan, period) and whether
    that receipt is its period's current one."""

    path_content: dict[str, str] = field(default_factory=dict)
    receipts: dict[str, tuple[str, str, str | None, str | None, str | None]] = field(
        default_factory=dict
    )
    current: set[str] = field(default_factory=set)

    @classmethod
    def load(cls, con) -> IntakeState:
        state = cls()
        state.path_content = dict(
            con.execute(
                "select file_path, arg_max(sha256, seen_at) from raw.inbox_files group by 1"
            ).fetchall()
        )
        for content, sid, status, dept, plan, period in con.execute(
            """select coalesce(content_sha256, submission_id), arg_max(submission_id, received_at),
                      arg_max(status, received_at), arg_max(department_code, received_at),
                      arg_max(plan_id, received_at), arg_max(period_code, received_at)
               from raw.submissions group by 1"""
        ).fetchall():
            state.receipts[content] = (sid, status, dept, plan, period)
        state.current = {
            r[0]
            for r in con.execute(
                """select submission_id from raw.submissions
                   qualify status = 'accepted' and row_number() over (
                       partition by department_code, plan_id, period_code, status
                       order by received_at desc, file_name desc) = 1"""
            ).fetchall()
        }
        return state

    def receipt_id(self, f: InboxFile) -> str | None:
        """The submission id for this file's content if it is a new receipt, else None."""
        if self.path_content.get(str(f.path)) == f.sha256:
            return None  # unchanged since last seen here
        known = self.receipts.get(f.sha256)
        if known is None:
            return f.sha256
        sid, status, *_ = known
        if status != "accepted" or sid in self.current:
            return None  # a copy of what is already recorded
        return hashlib.sha256(f"{f.sha256}@{f.received_at.isoformat()}".encode()).hexdigest()


@dataclass
class Receipt:
    file: InboxFile
    submission_id: str
    sub: Submission


def take_receipts(
    files: list[InboxFile],
    state: IntakeState,
    plans: list[Plan],
    ref: Reference,
    limits: ParseLimits,
) -> tuple[list[Receipt], list[InboxFile], list[InboxFile]]:
    """(new receipts with their parsed submissions, files seen at a new path, held files).
    Each file is parsed in an isolated child, which also chooses the plan its template or period
    names among ``plans`` (``chitieu.plan_choice``); a file no plan covers is rejected."""
    receipts, seen_paths, held = [], [], []
    taken: set[str] = set()
    for f in files:
        if f.held:
            held.append(f)
            continue
        if state.path_content.get(str(f.path)) != f.sha256:
            seen_paths.append(f)
        sid = state.receipt_id(f)
        if sid is None or f.sha256 in taken:
            continue
        taken.add(f.sha256)
        if f.refused:
            sub = Submission(str(f.path), sid, f.department)
            sub.problems.append(f.refused)
        else:
            sub = parse_isolated(f.path, plans, ref, f.department, f.content, sid, limits)
        sub.sha256 = sid
        receipts.append(Receipt(f, sid, sub))
    return receipts, seen_paths, held
