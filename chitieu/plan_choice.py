"""Which plan a department file reports on: from its template metadata or its reported period.

The file's time (when it was saved or received) never decides: a 2024 year-end report received
in January 2025 belongs to the 2024 plan. Only annual plans take department files; a multi-year
plan is evaluated from the yearly figures.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from chitieu.catalogue import Plan
from chitieu.periods import PeriodError, parse_period
from chitieu.submissions.layout import find_layout, title_text
from chitieu.submissions.problems import Problem
from chitieu.submissions.reader import META_SHEET, ReadError, Workbook, open_workbook

if TYPE_CHECKING:
    from chitieu.reference import Reference
    from chitieu.submissions.parser import Submission

NO_PLAN_TEXTS = (
    "Không có kế hoạch nào cho kỳ báo cáo của tệp",
    "No loaded plan covers the file's reporting period",
    "Kiểm tra năm của kỳ báo cáo; nếu đúng, báo Sở Kế hoạch và Đầu tư nạp danh mục kế hoạch năm đó.",
    "Check the year of the reporting period; if it is right, ask the planning department to load that year's plan.",
)


@dataclass(frozen=True)
class PlanChoice:
    """The plan a file is parsed for, or the problem that rejects it (``plan`` is then None);
    ``fallback``: the file names no readable plan or period, so the latest plan was taken."""

    plan: Plan | None
    period_code: str | None = None
    problem: Problem | None = None
    fallback: bool = False


def annual_plans(plans: list[Plan]) -> list[Plan]:
    """The plans department files report on, latest year first."""
    return sorted((p for p in plans if p.plan_kind == "annual"), key=lambda p: -p.year)


def _title_period(grid, plans: list[Plan]) -> str | None:
    from chitieu.submissions.parser import _title_period

    for plan in plans:
        layout = find_layout(grid, plan.year)
        if layout is not None:
            period = _title_period(title_text(grid, layout))
            if period:
                return period
    return None


def choose_plan_in(wb: Workbook | None, name: str, plans: list[Plan]) -> PlanChoice:
    """The plan for the opened workbook ``wb`` of file ``name``: the template's ``plan`` entry,
    else the annual plan of its period's year (from the template's ``period`` entry or the
    title). A file whose period no plan covers gets a ``no_plan_for_period`` problem naming the
    period and the plans loaded. When the period cannot be read at all (or ``wb`` is None) the
    latest plan is returned, and the parser reports why."""
    annual = annual_plans(plans)
    fallback = PlanChoice(annual[0] if annual else None, fallback=True)
    if not annual:
        return PlanChoice(
            None,
            problem=Problem(
                "no_plan_for_period",
                name,
                expected="an annual plan in the plans folder",
                texts=NO_PLAN_TEXTS,
            ),
        )
    if wb is None:
        return fallback
    meta = wb.metadata or {}
    loaded = ", ".join(f"{p.plan_id} ({p.year})" for p in annual)
    if meta.get("plan"):
        chosen = next((p for p in annual if p.plan_id == meta["plan"]), None)
        if chosen is None:
            return PlanChoice(
                None,
                meta.get("period"),
                Problem(
                    "no_plan_for_period",
                    name,
                    f"{META_SHEET}!B2",
                    meta["plan"],
                    f"one of the loaded plans: {loaded}",
                    texts=NO_PLAN_TEXTS,
                ),
            )
        return PlanChoice(chosen, meta.get("period"))
    period = meta.get("period")
    if not period:
        grids = [g for g in wb.grids.values() if any(str(v).strip() for r in g.rows for v in r)]
        period = _title_period(grids[0], annual) if grids else None
    try:
        p = parse_period(period) if period else None
    except PeriodError:
        p = None
    if p is None:
        return fallback
    chosen = next((plan for plan in annual if plan.year == p.year), None)
    if chosen is None:
        return PlanChoice(
            None,
            p.code,
            Problem(
                "no_plan_for_period",
                name,
                found=p.code,
                expected=f"a period of a loaded plan: {loaded}",
                texts=NO_PLAN_TEXTS,
            ),
        )
    return PlanChoice(chosen, p.code)


def parse_for_plans(
    path: str | Path,
    plans: list[Plan],
    ref: Reference,
    department: str | None,
    content: bytes,
    default: Plan | None = None,
) -> Submission:
    """Choose the plan (``choose_plan_in``) and parse the file for it, opening it once. Runs in
    the isolated child: the plan choice reads the untrusted file too. ``default`` replaces the
    latest annual plan when the file names no readable period. A file no plan covers comes back
    rejected with ``no_plan_for_period``."""
    from chitieu.submissions.parser import Submission, parse_submission

    path = Path(path)
    try:
        wb = open_workbook(path, content)
    except ReadError:
        wb = None
    choice = choose_plan_in(wb, path.name, plans)
    plan = choice.plan
    if plan is None and choice.problem is not None:
        sub = Submission(str(path), hashlib.sha256(content).hexdigest(), department)
        sub.period_code = choice.period_code
        sub.problems.append(choice.problem)
        return sub
    if choice.fallback and default is not None:
        plan = default
    return parse_submission(path, plan, ref, department, content=content, workbook=wb)
