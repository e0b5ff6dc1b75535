"""Parse one department submission (official template or free-form Biểu) into values with provenance.

Every value keeps its file, sheet, cell and raw text. Any error rejects the whole file:
nothing of a half-valid file is loaded.
"""

from __future__ import annotations

import hashlib
import re
import weakref
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from itertools import compress
from operator import attrgetter, itemgetter
from pathlib import Path
from typing import NamedTuple

import numpy as np

from chitieu.catalogue import Plan, Target
from chitieu.numbers import (
    CANONICAL,
    NO_VALUE_MARKS,
    NumberParseError,
    is_ditto,
    parse_vi_number,
    parse_yes_no,
)
from chitieu.periods import PeriodError, parse_period
from chitieu.reference import Reference, fold
from chitieu.submissions.layout import find_layout, period_from_text, table_unit, title_text
from chitieu.submissions.problems import Problem
from chitieu.submissions.reader import (
    META_SHEET,
    Grid,
    ReadError,
    Workbook,
    cell_ref,
    col_letter,
    open_workbook,
)

VALUE_ROLES = ("actual", "estimate", "prev_year", "prev_period")
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


class Value(NamedTuple):
    """One figure read from a submission, with its provenance."""

    target_code: str
    area_code: str
    period_code: str
    value_kind: str
    value: float
    raw_text: str
    sheet: str
    cell: str


VALUE_FIELDS = Value._fields


@dataclass
class Submission:
    """The outcome of parsing one file. Figures are kept column by column (a 200,000-row sheet
    would otherwise cost 600,000 objects); ``values`` gives them as ``Value`` tuples."""

    path: str
    sha256: str
    department_code: str | None = None
    period_code: str | None = None
    plan_id: str | None = None
    template_version: str | None = None
    title_period: str | None = None
    value_columns: dict[str, list] = field(default_factory=lambda: {f: [] for f in VALUE_FIELDS})
    problems: list[Problem] = field(default_factory=list)

    def add_value(self, value: Value) -> None:
        for f, v in zip(VALUE_FIELDS, value, strict=True):
            self.value_columns[f].append(v)

    def extend_values(self, **columns: list) -> None:
        for f in VALUE_FIELDS:
            self.value_columns[f].extend(columns[f])

    @property
    def values(self) -> list[Value]:
        return list(
            map(Value._make, zip(*(self.value_columns[f] for f in VALUE_FIELDS), strict=True))
        )

    @property
    def value_count(self) -> int:
        return len(self.value_columns["value"])

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
        _read_rows(sub, grid, layout, plan, ref, table_unit(titles), fname)
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


_SKIP, _UNKNOWN, _FOREIGN, _UNIT, _DITTO_UNIT = "skip", "unknown", "foreign", "unit", "ditto_unit"
_CANONICAL_RE2 = "^" + CANONICAL.pattern + "$"


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


def _read_rows(
    sub: Submission,
    grid: Grid,
    layout,
    plan: Plan,
    ref: Reference,
    corner_unit: str | None,
    fname: str,
) -> None:
    """Classify rows once per distinct label, then convert whole value columns at once (pyarrow)."""
    cols, first, sheet = layout.columns, layout.first_data_row, grid.sheet
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
            _text(k[0]),
            _text(k[1]),
            False,
            _text(k[2]),
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
            above = _text(_ditto_source(grid, r, cols["unit"], first))
            action, _ = _classify(
                _text(codes[i]),
                _text(names[i]),
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
            unit_text = _text(units[i]) or corner_unit or ""
            _row_problem(sub, grid, cols, r, action, target, unit_text, fname)
    if extra:
        matched.sort(key=lambda m: m[0])
    period_for = {
        "actual": sub.period_code,
        "estimate": f"{plan.year}-EST",
        "prev_year": str(plan.year - 1),
        "prev_period": _same_period_last_year(sub.period_code),
    }
    rows = _MatchedRows(grid, matched)
    if len(matched) < ARROW_MIN_CELLS:
        for kind in VALUE_ROLES:
            if kind in cols:
                _values_small(sub, grid, layout, rows, cols[kind], kind, period_for, fname)
        return
    rows_idx = list(rows.rows)
    codes_np = np.array(rows.codes, dtype=object)
    areas_np = np.array(rows.areas, dtype=object)
    for kind in VALUE_ROLES:
        if kind not in cols:
            continue
        c = cols[kind]
        letter = col_letter(c)
        cells = list(map(itemgetter(c), rows.cells))
        slow = [False] * len(cells)
        # only a cell reading blank (or 0, where recalculation is asked) can hide a formula
        suspect = _UNCALCULATED & set(cells)
        if suspect and (suspect != {0} or grid.recalc_on_load):
            slow = [(r, c) in grid.formulas for r in rows_idx]
        if kind in layout.index_base_100:
            slow = [True] * len(cells)
        values, texts, good, odd = _convert_arrow(cells)
        slow_mask = np.asarray(slow, dtype=bool) | odd
        good = good & ~slow_mask
        rows_np = np.asarray(rows_idx, dtype=np.int64)
        keep = rows_np[good]
        sub.extend_values(
            target_code=codes_np[good].tolist(),
            area_code=areas_np[good].tolist(),
            period_code=[period_for[kind]] * len(keep),
            value_kind=[kind] * len(keep),
            value=values[good].tolist(),
            raw_text=[t for t, g in zip(texts, good.tolist(), strict=True) if g],
            sheet=[sheet] * len(keep),
            cell=_cell_refs(f"{sheet}!{letter}", keep),
        )
        for j in np.flatnonzero(slow_mask).tolist():
            _slow_cell(sub, grid, layout, matched[j][1], rows_idx[j], c, kind, period_for, fname)


class _MatchedRows:
    """The matched rows of a form, with what every value column of them shares."""

    def __init__(self, grid: Grid, matched: list[tuple[int, Target]]):
        self.matched = matched
        rows, targets = zip(*matched, strict=True) if matched else ((), ())
        self.rows = rows
        self.cells = list(map(grid.rows.__getitem__, rows))
        self.codes = list(map(attrgetter("code"), targets))
        self.areas = list(map(attrgetter("area_code"), targets))

    @cached_property
    def numbers(self) -> list[str]:
        """Excel row numbers as text, for cell references."""
        return list(map(str, map((1).__add__, self.rows)))


def _values_small(sub, grid, layout, rows: _MatchedRows, c, kind, period_for, fname) -> None:
    """One value column of a typical form, converted a column at a time when it holds only typed
    numbers, or only Vietnamese number text proven canonical by one regex over the joined column
    (no-value marks and blanks left out). Anything else goes cell by cell (``_values_by_cell``)."""
    by_cell = (sub, grid, layout, rows.matched, c, kind, period_for, fname)
    if kind in layout.index_base_100 or not rows.matched:
        return _values_by_cell(*by_cell)
    if any(t.kind == "maintain" for _, t in rows.matched):
        return _values_by_cell(*by_cell)  # yes/no words ("x" included) are sorted out cell by cell
    cells = list(map(itemgetter(c), rows.cells))
    types = set(map(type, cells))
    picked = None  # all rows
    if types == {float}:
        if 0.0 in cells and grid.recalc_on_load:
            return _values_by_cell(*by_cell)
        values = cells
        texts = [str(int(v)) if v.is_integer() else str(v) for v in cells]
    elif types == {str}:
        texts = list(map(str.strip, cells))
        if not NO_VALUE_MARKS.isdisjoint(texts):
            blank = [r for r, t in zip(rows.rows, texts, strict=True) if not t]
            if any((r, c) in grid.formulas for r in blank):
                return _values_by_cell(*by_cell)
            keep = [t not in NO_VALUE_MARKS for t in texts]
            picked = list(compress(range(len(texts)), keep))
            texts = list(compress(texts, keep))
            if not texts:
                return None
        joined = _SEP.join(texts)
        if not _ALL_CANONICAL.fullmatch(joined):
            return _values_by_cell(*by_cell)
        values = list(map(float, joined.replace(".", "").replace(",", ".").split(_SEP)))
    else:
        return _values_by_cell(*by_cell)
    n = len(values)
    prefix = f"{grid.sheet}!{col_letter(c)}"
    if picked is None:
        codes, areas, numbers = rows.codes, rows.areas, rows.numbers
    else:
        codes, areas, numbers = (
            list(map(column.__getitem__, picked))
            for column in (rows.codes, rows.areas, rows.numbers)
        )
    sub.extend_values(
        target_code=codes,
        area_code=areas,
        period_code=[period_for[kind]] * n,
        value_kind=[kind] * n,
        value=values,
        raw_text=texts,
        sheet=[grid.sheet] * n,
        cell=list(map(prefix.__add__, numbers)),
    )
    return None


def _values_by_cell(sub, grid, layout, matched, c, kind, period_for, fname) -> None:
    """One value column, cell by cell: typed numbers and canonical Vietnamese text convert here;
    formulas, index columns, ditto marks, no-value marks and other text are sorted out."""
    rows = grid.rows
    every = kind in layout.index_base_100
    n_rows, n_targets, n_values = [], [], []
    s_rows, s_targets, s_texts = [], [], []
    slow = []
    for r, target in matched:
        row = rows[r]
        v = row[c] if c < len(row) else ""
        if every:
            slow.append((r, target))
            continue
        k = type(v)
        if k is str:
            text = v.strip()
            if text not in NO_VALUE_MARKS:
                s_rows.append(r)
                s_targets.append(target)
                s_texts.append(text)
            elif (
                target.kind == "maintain"
                and parse_yes_no(text) is not None
                or not text
                and (r, c) in grid.formulas
            ):
                slow.append((r, target))
        elif k is float or k is int:
            if v == 0 and grid.recalc_on_load and (r, c) in grid.formulas:
                slow.append((r, target))
                continue
            n_rows.append(r)
            n_targets.append(target)
            n_values.append(v)
        elif v is not None or (r, c) in grid.formulas:
            slow.append((r, target))
    texts = [_text(v) for v in n_values]
    values = [float(v) for v in n_values]
    if s_texts:
        joined = _SEP.join(s_texts)
        if _ALL_CANONICAL.fullmatch(joined):
            values += map(float, joined.replace(".", "").replace(",", ".").split(_SEP))
        else:
            keep = [CANONICAL.fullmatch(t) is not None for t in s_texts]
            slow += [(r, t) for r, t, k in zip(s_rows, s_targets, keep, strict=True) if not k]
            s_rows, s_targets, s_texts = (
                [x for x, k in zip(col, keep, strict=True) if k]
                for col in (s_rows, s_targets, s_texts)
            )
            values += [float(t.replace(".", "").replace(",", ".")) for t in s_texts]
        n_rows += s_rows
        n_targets += s_targets
        texts += s_texts
    if values:
        prefix = f"{grid.sheet}!{col_letter(c)}"
        n = len(values)
        sub.extend_values(
            target_code=[t.code for t in n_targets],
            area_code=[t.area_code for t in n_targets],
            period_code=[period_for[kind]] * n,
            value_kind=[kind] * n,
            value=values,
            raw_text=texts,
            sheet=[grid.sheet] * n,
            cell=[f"{prefix}{r + 1}" for r in n_rows],
        )
    for r, target in slow:
        _slow_cell(sub, grid, layout, target, r, c, kind, period_for, fname)


_SEP = "\x1f"
_ALL_CANONICAL = re.compile(f"(?:{CANONICAL.pattern})(?:{_SEP}(?:{CANONICAL.pattern}))*")


ARROW_MIN_CELLS = 2000
_MATCHERS: dict[int, tuple[weakref.ref, _Matcher]] = {}


def _matcher(plan: Plan) -> _Matcher:
    """One name/code matcher per live plan object (building it folds every target name)."""
    entry = _MATCHERS.get(id(plan))
    if entry is None or entry[0]() is not plan:
        entry = _MATCHERS[id(plan)] = (weakref.ref(plan), _Matcher(plan))
    return entry[1]


def _cell_refs(prefix: str, rows: np.ndarray) -> list[str]:
    """'Biểu!H12'-style references for 0-based rows (vectorised for large columns)."""
    if len(rows) >= ARROW_MIN_CELLS:
        import pyarrow as pa
        import pyarrow.compute as pc

        return pc.binary_join_element_wise(
            prefix, pc.cast(pa.array(rows + 1), pa.string()), ""
        ).to_pylist()
    return [f"{prefix}{r + 1}" for r in rows.tolist()]


def _convert_arrow(cells: list) -> tuple[np.ndarray, list, np.ndarray, np.ndarray]:
    """Numbers of one large value column: (values, raw texts, readable-fast mask, needs-checking
    mask), with pyarrow's vectorised kernels and the same rules as ``_values_small``."""
    import pyarrow as pa
    import pyarrow.compute as pc

    floats = pa.array(
        [v if type(v) is float or type(v) is int else None for v in cells], pa.float64()
    )
    other = np.array([not (v is None or type(v) in (float, int, str)) for v in cells], dtype=bool)
    strs = pc.utf8_trim_whitespace(
        pa.array([v if type(v) is str else None for v in cells], pa.string())
    )
    canonical = pc.fill_null(pc.match_substring_regex(strs, _CANONICAL_RE2), False)
    text_numbers = pc.replace_substring(
        pc.replace_substring(pc.if_else(canonical, strs, None), ".", ""), ",", "."
    )
    values = pc.coalesce(floats, pc.cast(text_numbers, pa.float64()))
    texts = pc.coalesce(strs, pc.cast(floats, pa.string())).to_pylist()
    blank = pc.fill_null(pc.is_in(strs, pa.array(sorted(NO_VALUE_MARKS))), True).to_numpy(
        zero_copy_only=False
    )
    good = pc.is_valid(values).to_numpy(zero_copy_only=False)
    odd = (~good & ~blank) | other
    return pc.fill_null(values, np.nan).to_numpy(zero_copy_only=False), texts, good & ~other, odd


def _row_problem(
    sub: Submission, grid: Grid, cols: dict, r: int, action: str, target, unit_text: str, fname: str
) -> None:
    name_ref = cell_ref(grid.sheet, r, cols["name"])
    if action is _UNKNOWN:
        if any(_text(grid.value(r, cols[k])) for k in VALUE_ROLES if k in cols):
            sub.problems.append(
                Problem(
                    "unknown_row",
                    fname,
                    name_ref,
                    _text(grid.value(r, cols["name"])),
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
        typed = "unit" in cols and _text(grid.value(r, cols["unit"]))
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


def _ditto_source(grid: Grid, r: int, c: int, first_row: int):
    """The value a ditto mark at (r, c) repeats: the nearest cell above that is not a ditto mark."""
    for above in range(r - 1, first_row - 1, -1):
        v = grid.value(above, c)
        if _text(v) and not is_ditto(_text(v)):
            return v
    return None


# Pre-check for a whole column: can any cell be an uncalculated formula? (0 also matches 0.0 and
# False; the exact per-cell test is _reads_uncalculated.)
_UNCALCULATED = frozenset({"", None, 0})


def _reads_uncalculated(grid: Grid, v) -> bool:
    """What an uncalculated formula reads as: blank, or 0 in a workbook that asks to be
    recalculated on opening (xlsxwriter and openpyxl save formulas so). A formula saved with
    another value reads as that value, and only cells reading like this need the formula scan."""
    return v is None or v == "" or (type(v) in (int, float) and v == 0 and grid.recalc_on_load)


def _same_period_last_year(period_code: str) -> str:
    """'2024-9M' -> '2023-9M': the period a "Cùng kỳ năm trước" column reports."""
    p = parse_period(period_code)
    return f"{p.year - 1}{p.code[4:]}"


def _yes_no_cell(sub, grid, target, r, c, kind, period_for) -> bool:
    """A yes/no word (có, đạt, x / không, chưa đạt) in a maintain target's cell: add it as 1 or 0."""
    if target.kind != "maintain":
        return False
    text = _text(grid.value(r, c))
    value = parse_yes_no(text)
    if value is None:
        return False
    sub.add_value(
        Value(
            target.code,
            target.area_code,
            period_for[kind],
            kind,
            value,
            text,
            grid.sheet,
            cell_ref(grid.sheet, r, c),
        )
    )
    return True


def _slow_cell(sub, grid, layout, target, r, c, kind, period_for, fname) -> None:
    """Everything the fast path does not cover: formulas, ditto marks, '%' suffixes, bad text."""
    ref_ = cell_ref(grid.sheet, r, c)
    raw = grid.value(r, c)
    if (r, c) in grid.formulas and _reads_uncalculated(grid, raw):
        sub.problems.append(
            Problem(
                "formula_without_value",
                fname,
                ref_,
                "=…",
                "a number, or a formula saved with its calculated value",
            )
        )
        return
    if _yes_no_cell(sub, grid, target, r, c, kind, period_for):
        return
    text = _text(raw)
    if text and is_ditto(text):
        above = _ditto_source(grid, r, c, layout.first_data_row)
        if above is None:
            return
        raw, text = above, _text(above)
    try:
        value = parse_vi_number(raw).as_float()
    except NumberParseError as exc:
        sub.problems.append(
            Problem("ambiguous_number", fname, ref_, exc.text, exc.expected, detail=exc.reason)
        )
        return
    if value is None:
        return
    if kind in layout.index_base_100 and target.kind == "growth" and target.measure == "reported":
        value = round(value - 100, 6)
    sub.add_value(
        Value(target.code, target.area_code, period_for[kind], kind, value, text, grid.sheet, ref_)
    )
