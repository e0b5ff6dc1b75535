"""The reporting calendar: which reports each department owes, and their deadlines."""

from __future__ import annotations

import calendar
from datetime import date
from pathlib import Path

import pandas as pd

from chitieu.catalogue import Plan
from chitieu.periods import Period, parse_period
from chitieu.yaml_loader import load_yaml


def due_date(period: Period, deadline_day: int) -> date:
    """The deadline_day of the month after the period ends (January of next year for the year)."""
    year, month = (
        (period.year, period.end_month + 1) if period.end_month < 12 else (period.year + 1, 1)
    )
    return date(year, month, min(deadline_day, calendar.monthrange(year, month)[1]))


def expected_reports(
    plans: list[Plan], departments: pd.DataFrame, calendar_path: str | Path, as_of: date
) -> pd.DataFrame:
    """One row per annual plan × department owning targets × expected period (a multi-year plan
    is judged from yearly figures, not from reports of its own)."""
    with open(calendar_path, encoding="utf-8") as fh:
        suffixes = load_yaml(fh)["expected_periods"]
    deadlines = dict(zip(departments["department_code"], departments["deadline_day"], strict=True))
    rows = []
    for plan in plans:
        if plan.plan_kind != "annual":  # departments report on annual plans only
            continue
        for dept in sorted({t.department_code for t in plan.targets}):
            for suffix in suffixes:
                period = parse_period(f"{plan.year}-{suffix}" if suffix else str(plan.year))
                rows.append(
                    {
                        "plan_id": plan.plan_id,
                        "department_code": dept,
                        "period_code": period.code,
                        "due_date": due_date(period, int(deadlines[dept])),
                        "as_of": as_of,
                    }
                )
    return pd.DataFrame(rows)
