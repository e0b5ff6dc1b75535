"""Parse one department submission (official template or free-form Biểu) into values with provenance.

Every value keeps its file, sheet, cell and raw text. Any error rejects the whole file:
nothing of a half-valid file is loaded.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from chitieu.catalogue import Plan
from chitieu.periods import PeriodError, parse_period
from chitieu.reference import Reference, fold
from chitieu.submissions.layout import find_layout, period_from_text, table_unit, title_text
from chitieu.submissions.problems import Problem
from chitieu.submissions.reader import META_SHEET, Grid, ReadError, Workbook, open_workbook
from chitieu.submissions.submission import VALUE_FIELDS, Submission, Value
from chitieu.submissions.target_rows import read_rows

# what callers import from here
__all__ = ["Submission", "Value", "parse_submission"]


def _title_period(titles: list[tuple[int, int, str]]) -> str | None:
    """The most specific period named in the title rows: '9 tháng năm 2024' beats '... NĂM 2024'."""
    found = [p for _, _, t in titles if (p := period_from_text(t))]
    return next((p for p in found if "-" in p), found[0] if found else None)


def _pick_grid(wb, fname: str, problems: list[Problem]) -> Grid | None:
    grids = list(wb.grids.values())
    preferred = [g for g in grids if fold(g.sheet) in ("bieu", "bieu so 1", "bieu 1")]
    for g in preferred + grids:
        if any(str(v).strip() for row in g.rows for v in row):
            return g
    problems.append(
        Problem(
            "empty_sheet",
            fname,
            found=", ".join(wb.grids) or "(no sheet)",
            expected="a sheet with the form",
        )
    )
    return None


def parse_submission(
    path: str | Path,
    plan: Plan,
    ref: Reference,
    department: str | None = None,
    content: bytes | None = None,
    workbook: Workbook | None = None,
) -> Submission:
    """Parse ``path`` for ``plan``. ``department`` is the submitting department (its inbox folder);
    ``content`` is the file's bytes when the caller has read them already (the inbox does, once),
    ``workbook`` those bytes opened (the plan choice does, in the same isolated child)."""
    path = path if isinstance(path, Path) else Path(path)
    fname = path.name
    content = path.read_bytes() if content is None else content
    sub = Submission(
        str(path), hashlib.sha256(content).hexdigest(), department, plan_id=plan.plan_id
    )
    try:
        wb = workbook if workbook is not None else open_workbook(path, content)
    except ReadError as exc:
        sub.problems.append(Problem(exc.rule, fname, exc.cell, exc.found, detail=str(exc)))
        return sub
    meta = wb.metadata
    if meta:
        sub.template_version = meta.get("template_version")
        if department and meta.get("department") and meta["department"] != department:
            sub.problems.append(
                Problem(
                    "department_mismatch", fname, f"{META_SHEET}!B3", meta["department"], department
                )
            )
        sub.department_code = department or meta.get("department")
    grid = _pick_grid(wb, fname, sub.problems)
    if grid is None:
        return sub
    layout = find_layout(grid, plan.year)
    titles = title_text(grid, layout)
    if layout is None:
        sub.problems.append(
            Problem(
                "header_not_found",
                fname,
                f"{grid.sheet}!A1",
                expected="a header row with 'Chỉ tiêu' and 'Thực hiện' or 'Ước thực hiện'",
            )
        )
        return sub
    if layout.issues:
        for rule, cell, found, expected in layout.issues:
            sub.problems.append(Problem(rule, fname, cell, found, expected))
        return sub
    sub.title_period = _title_period(titles)
    period = meta.get("period") or sub.title_period
    if period is None:
        sub.problems.append(
            Problem(
                "period_missing",
                fname,
                f"{grid.sheet}!A1",
                expected="a period in the title, e.g. '9 tháng năm 2024'",
            )
        )
        return sub
    try:
        p = parse_period(period)
    except PeriodError:
        sub.problems.append(
            Problem(
                "period_missing",
                fname,
                f"{META_SHEET}!B4",
                period,
                "YYYY-MM, YYYY-Qn, YYYY-6M, YYYY-9M or YYYY",
            )
        )
        return sub
    if p.year != plan.year or p.is_estimate:
        sub.problems.append(
            Problem("period_outside_plan", fname, found=p.code, expected=f"a period of {plan.year}")
        )
        return sub
    sub.period_code = p.code
    try:
        read_rows(sub, grid, layout, plan, ref, table_unit(titles), fname)
    except ReadError as exc:  # a damaged part met by the formula scan
        sub.problems.append(Problem(exc.rule, fname, detail=str(exc)))
        sub.value_columns = {f: [] for f in VALUE_FIELDS}
        return sub
    if sub.accepted and not sub.value_count:
        sub.problems.append(
            Problem(
                "no_values", fname, expected="at least one figure for a target of the department"
            )
        )
    return sub
