"""Parse one department submission (official template or free-form Biểu) into values with provenance.

Every value keeps its file, sheet, cell and raw text. Any error rejects the whole file:
nothing of a half-valid file is loaded.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

from chitieu.catalogue import Plan, Target
from chitieu.numbers import NumberParseError, is_ditto, parse_vi_number
from chitieu.periods import PeriodError, parse_period
from chitieu.reference import Reference, fold
from chitieu.submissions.layout import find_layout, period_from_text, table_unit, title_text
from chitieu.submissions.problems import Problem
from chitieu.submissions.reader import META_SHEET, Grid, ReadError, cell_ref, open_workbook

VALUE_ROLES = ("actual", "estimate", "prev_year")
_ROMAN = re.compile(r"^[IVXLC]+\.?$")
_PREFIX = re.compile(r"^\s*(?:[-+•–]|[a-zđ]\)|\d+(?:\.\d+)*[.)]?|\*)\s+", re.I)
_SKIP_NAMES = (
    "tong cong",
    "tong so",
    "cong",
    "ghi chu",
    "nguon",
    "luu y",
    "nguoi lap",
    "thu truong",
)


@dataclass(frozen=True)
class Value:
    target_code: str
    area_code: str
    period_code: str
    value_kind: str
    value: float
    raw_text: str
    sheet: str
    cell: str


@dataclass
class Submission:
    """The outcome of parsing one file."""

    path: str
    sha256: str
    department_code: str | None = None
    period_code: str | None = None
    plan_id: str | None = None
    template_version: str | None = None
    values: list[Value] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity != "error"]

    @property
    def accepted(self) -> bool:
        return not self.errors


def _text(v) -> str:
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return "" if v is None else str(v).strip()


def _name_key(text: str) -> str:
    return fold(_PREFIX.sub("", str(text)).rstrip(":").strip())


class _Matcher:
    def __init__(self, plan: Plan):
        self.by_code = {t.code.lower(): t for t in plan.targets}
        self.by_name: dict[str, Target] = {}
        for t in plan.targets:
            for name in (t.name_vi, t.name_en):
                self.by_name.setdefault(_name_key(name), t)

    def match(self, code: str, name: str) -> Target | None:
        if code and code.lower() in self.by_code:
            return self.by_code[code.lower()]
        return self.by_name.get(_name_key(name)) if name else None


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
    path: str | Path, plan: Plan, ref: Reference, department: str | None = None
) -> Submission:
    """Parse ``path`` for ``plan``. ``department`` is the submitting department (its inbox folder)."""
    path = Path(path)
    fname = path.name
    sub = Submission(
        str(path), hashlib.sha256(path.read_bytes()).hexdigest(), department, plan_id=plan.plan_id
    )
    try:
        wb = open_workbook(path)
    except ReadError as exc:
        sub.problems.append(Problem(exc.rule, fname, detail=str(exc)))
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
    period = meta.get("period") or next(
        (p for _, _, t in titles if (p := period_from_text(t))), None
    )
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
    _read_rows(sub, grid, layout, plan, ref, table_unit(titles), fname)
    if sub.accepted and not sub.values:
        sub.problems.append(
            Problem(
                "no_values", fname, expected="at least one figure for a target of the department"
            )
        )
    return sub


def _read_rows(
    sub: Submission,
    grid: Grid,
    layout,
    plan: Plan,
    ref: Reference,
    corner_unit: str | None,
    fname: str,
) -> None:
    cols = layout.columns
    matcher = _Matcher(plan)
    period_for = {
        "actual": sub.period_code,
        "estimate": f"{plan.year}-EST",
        "prev_year": str(plan.year - 1),
    }
    previous: dict[str, tuple[str, float | None]] = {}
    for r in range(layout.first_data_row, grid.height):
        name = _text(grid.value(r, cols["name"]))
        code = _text(grid.value(r, cols["code"])) if "code" in cols else ""
        stt = _text(grid.value(r, cols["stt"])) if "stt" in cols else ""
        if not name and not code:
            continue
        if _ROMAN.match(stt) or (
            not code and any(_name_key(name).startswith(s) for s in _SKIP_NAMES)
        ):
            continue
        target = matcher.match(code, name)
        if target is None:
            if any(_text(grid.value(r, cols[k])) for k in VALUE_ROLES if k in cols):
                sub.problems.append(
                    Problem(
                        "unknown_row",
                        fname,
                        cell_ref(grid.sheet, r, cols["name"]),
                        name,
                        severity="warning",
                    )
                )
            continue
        if sub.department_code and target.department_code != sub.department_code:
            sub.problems.append(
                Problem(
                    "not_own_target",
                    fname,
                    cell_ref(grid.sheet, r, cols["name"]),
                    f"{target.code} ({target.name_vi})",
                    f"only targets of {sub.department_code}; this one is reported by {target.department_code}",
                )
            )
            continue
        measure_unit = target.measure_unit or target.unit
        unit_text = _text(grid.value(r, cols["unit"])) if "unit" in cols else ""
        if is_ditto(unit_text):
            unit_text = previous.get("unit", ("", None))[0]
        unit_text = unit_text or corner_unit or ""
        previous["unit"] = (unit_text, None)
        if unit_text and ref.unit_for(unit_text) != measure_unit:
            ucell = (
                cell_ref(grid.sheet, r, cols["unit"])
                if "unit" in cols and _text(grid.value(r, cols["unit"]))
                else f"{grid.sheet}!A1"
            )
            sub.problems.append(
                Problem(
                    "unit_mismatch", fname, ucell, unit_text, f"'{measure_unit}' for {target.code}"
                )
            )
            continue
        for kind in VALUE_ROLES:
            if kind not in cols:
                continue
            c = cols[kind]
            ref_ = cell_ref(grid.sheet, r, c)
            raw = grid.value(r, c)
            if (r, c) in grid.formulas and (_text(raw) == "" or grid.recalc_on_load):
                sub.problems.append(
                    Problem(
                        "formula_without_value",
                        fname,
                        ref_,
                        "=…",
                        "a number, or a formula saved with its calculated value",
                    )
                )
                continue
            text = _text(raw)
            if text and is_ditto(text):
                text, value = previous.get(kind, ("", None))
                if value is None:
                    continue
            else:
                try:
                    value = parse_vi_number(raw).as_float()
                except NumberParseError as exc:
                    sub.problems.append(
                        Problem(
                            "ambiguous_number",
                            fname,
                            ref_,
                            exc.text,
                            exc.expected,
                            detail=exc.reason,
                        )
                    )
                    continue
            previous[kind] = (text, value)
            if value is None:
                continue
            if (
                kind in layout.index_base_100
                and target.kind == "growth"
                and target.measure == "reported"
            ):
                value = round(value - 100, 6)
            sub.values.append(
                Value(
                    target.code,
                    target.area_code,
                    period_for[kind],
                    kind,
                    value,
                    text,
                    grid.sheet,
                    ref_,
                )
            )
