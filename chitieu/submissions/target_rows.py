"""Rows of a form to targets: each row's code or name is matched to a target of the plan once
per distinct label; section rows, totals and notes are skipped; rows of another department,
in another unit or unknown are reported (``Problem``)."""

from __future__ import annotations

import re
import weakref
from functools import lru_cache
from itertools import compress
from operator import itemgetter

from chitieu.catalogue import Plan, Target
from chitieu.numbers import is_ditto
from chitieu.reference import Reference, fold
from chitieu.submissions.problems import Problem
from chitieu.submissions.slow_cells import cell_text, ditto_source
from chitieu.submissions.submission import VALUE_ROLES, Submission
from chitieu.submissions.value_columns import read_values
from chitieu.submissions.workbook import Grid, cell_ref

_ROMAN = re.compile(r"^[IVXLC]+\.?$")
_ROMAN_LINE = re.compile(r"^[^\S\n]*[IVXLC]+\.?[^\S\n]*$", re.M)
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

_SKIP, _UNKNOWN, _FOREIGN, _UNIT, _DITTO_UNIT = "skip", "unknown", "foreign", "unit", "ditto_unit"


@lru_cache(maxsize=65536)
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


_MATCHERS: dict[int, tuple[weakref.ref, _Matcher]] = {}


def _matcher(plan: Plan) -> _Matcher:
    """One name/code matcher per live plan object (building it folds every target name)."""
    entry = _MATCHERS.get(id(plan))
    if entry is None or entry[0]() is not plan:
        entry = _MATCHERS[id(plan)] = (weakref.ref(plan), _Matcher(plan))
    return entry[1]


def _roman_rows(stts: list) -> list[int]:
    """Indexes of section rows numbered I, II, III... (one regex pass over the joined column)."""
    joined = "\n".join(
        stts if set(map(type, stts)) == {str} else [v if type(v) is str else "" for v in stts]
    )
    if joined.count("\n") != len(stts) - 1:  # a cell with a line break: look row by row
        return [i for i, v in enumerate(stts) if type(v) is str and _ROMAN.match(v.strip())]
    return [joined.count("\n", 0, m.start()) for m in _ROMAN_LINE.finditer(joined)]


def _raw_column(body: list[list], col: int) -> list:
    """One column of a rectangular grid as read (blank where the layout has no such column)."""
    if col < 0:
        return [""] * len(body)
    return list(map(itemgetter(col), body))


def _classify(
    code: str, name: str, roman: bool, unit_text: str, matcher, department, ref, corner_unit
):
    """What to do with a row, decided once per distinct (code, name, roman, unit)."""
    if not name and not code:
        return _SKIP, None
    if roman or (not code and _name_key(name).startswith(_SKIP_NAMES)):
        return _SKIP, None
    target = matcher.match(code, name)
    if target is None:
        return _UNKNOWN, None
    if department and not target.may_report(department):
        return _FOREIGN, target
    if unit_text and is_ditto(unit_text):
        return _DITTO_UNIT, target
    unit = unit_text or corner_unit or ""
    if unit and ref.unit_for(unit) != (target.measure_unit or target.unit):
        return _UNIT, target
    return target, target


def read_rows(
    sub: Submission,
    grid: Grid,
    layout,
    plan: Plan,
    ref: Reference,
    corner_unit: str | None,
    fname: str,
) -> None:
    """Classify rows once per distinct label; read the value cells of the rows that match a
    target of the department (``value_columns``), report the others."""
    cols, first = layout.columns, layout.first_data_row
    body = grid.rows[first:]
    codes = _raw_column(body, cols.get("code", -1))
    names = _raw_column(body, cols["name"])
    units = _raw_column(body, cols.get("unit", -1))
    stts = _raw_column(body, cols.get("stt", -1))
    romans = _roman_rows(stts)
    matcher = _matcher(plan)
    keys = list(zip(codes, names, units, strict=True))
    memo = {
        k: _classify(
            cell_text(k[0]),
            cell_text(k[1]),
            False,
            cell_text(k[2]),
            matcher,
            sub.department_code,
            ref,
            corner_unit,
        )
        for k in set(keys)
    }
    # rows that are plainly a target of the department, found without a per-row Python loop
    found = {k: d[1] for k, d in memo.items() if d[0] is d[1] and d[1] is not None}
    targets = list(map(found.get, keys))
    for i in romans:
        targets[i] = None
    matched: list[tuple[int, Target]] = list(
        zip(compress(range(first, first + len(keys)), targets), filter(None, targets), strict=True)
    )
    odd_keys = {k for k, d in memo.items() if d[0] is not _SKIP and d[0] is not d[1]}
    skip = set(romans)
    odd = [i for i, k in enumerate(keys) if k in odd_keys and i not in skip] if odd_keys else []
    extra = False
    for i in odd:
        action, target = memo[keys[i]]
        r = first + i
        if action is _DITTO_UNIT:
            above = cell_text(ditto_source(grid, r, cols["unit"], first))
            action, _ = _classify(
                cell_text(codes[i]),
                cell_text(names[i]),
                False,
                above,
                matcher,
                sub.department_code,
                ref,
                corner_unit,
            )
            if action is target:
                matched.append((r, target))
                extra = True
            else:
                _row_problem(sub, grid, cols, r, action, target, above, fname)
        else:
            unit_text = cell_text(units[i]) or corner_unit or ""
            _row_problem(sub, grid, cols, r, action, target, unit_text, fname)
    if extra:
        matched.sort(key=lambda m: m[0])
    read_values(sub, grid, layout, matched, plan.year, fname)


def _row_problem(
    sub: Submission, grid: Grid, cols: dict, r: int, action: str, target, unit_text: str, fname: str
) -> None:
    name_ref = cell_ref(grid.sheet, r, cols["name"])
    if action is _UNKNOWN:
        if any(cell_text(grid.value(r, cols[k])) for k in VALUE_ROLES if k in cols):
            sub.problems.append(
                Problem(
                    "unknown_row",
                    fname,
                    name_ref,
                    cell_text(grid.value(r, cols["name"])),
                    severity="warning",
                )
            )
    elif action is _FOREIGN:
        sub.problems.append(
            Problem(
                "not_own_target",
                fname,
                name_ref,
                f"{target.code} ({target.name_vi})",
                f"only targets {sub.department_code} reports; this one is reported by "
                + ", ".join((target.department_code, *target.also_reported_by)),
                severity="warning",
            )
        )
    elif action is _UNIT:
        typed = "unit" in cols and cell_text(grid.value(r, cols["unit"]))
        ucell = cell_ref(grid.sheet, r, cols["unit"]) if typed else f"{grid.sheet}!A1"
        sub.problems.append(
            Problem(
                "unit_mismatch",
                fname,
                ucell,
                unit_text,
                f"'{target.measure_unit or target.unit}' for {target.code}",
            )
        )
