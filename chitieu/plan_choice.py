"""Which plan a department file reports on: from its template metadata or its reported period.

The file's time (when it was saved or received) never decides: a 2024 year-end report received
in January 2025 belongs to the 2024 plan. Only annual plans take department files; a multi-year
plan is evaluated from the yearly figures.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from chitieu.catalogue import Plan
from chitieu.periods import PeriodError, parse_period
from chitieu.submissions.layout import find_layout, title_text
from chitieu.submissions.problems import Problem
from chitieu.submissions.reader import META_SHEET, ReadError, open_workbook

NO_PLAN_TEXTS = (
    "Không có kế hoạch nào cho kỳ báo cáo của tệp",
    "No loaded plan covers the file's reporting period",
    "Kiểm tra năm của kỳ báo cáo; nếu đúng, báo Sở Kế hoạch và Đầu tư nạp danh mục kế hoạch năm đó.",
    "Check the year of the reporting period; if it is right, ask the planning department to load that year's plan.",
)


@dataclass(frozen=True)
class PlanChoice:
    """The plan a file is parsed for, or the problem that rejects it (``plan`` is then None)."""

    plan: Plan | None
    period_code: str | None = None
    problem: Problem | None = None


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


def choose_plan(path: str | Path, plans: list[Plan]) -> PlanChoice:
    """The plan for ``path``: the template's ``plan`` entry, else the annual plan of its period's
    year (from the template's ``period`` entry or the title). A file whose period no plan covers
    gets a ``no_plan_for_period`` problem naming the period and the plans loaded. When the
    period cannot be read at all the latest plan is returned, and the parser reports why."""
    path = Path(path)
    annual = annual_plans(plans)
    fallback = PlanChoice(annual[0] if annual else None)
    if not annual:
        return PlanChoice(
            None,
            problem=Problem(
                "no_plan_for_period",
                path.name,
                expected="an annual plan in the plans folder",
                texts=NO_PLAN_TEXTS,
            ),
        )
    try:
        wb = open_workbook(path)
    except ReadError:
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
                    path.name,
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
                path.name,
                found=p.code,
                expected=f"a period of a loaded plan: {loaded}",
                texts=NO_PLAN_TEXTS,
            ),
        )
    return PlanChoice(chosen, p.code)
