"""Value columns to figures, a whole column at a time where the cells allow it: typed numbers,
or Vietnamese number text proven canonical by one regex over the joined column; pyarrow's
kernels for large forms. The cells left over go to ``slow_cells`` one by one."""

from __future__ import annotations

import re
from functools import cached_property
from itertools import compress
from operator import attrgetter, itemgetter

import numpy as np

from chitieu.catalogue import Target
from chitieu.numbers import CANONICAL, NO_VALUE_MARKS, parse_yes_no
from chitieu.periods import parse_period
from chitieu.submissions.slow_cells import cell_text, slow_cell
from chitieu.submissions.submission import VALUE_ROLES, Submission
from chitieu.submissions.workbook import Grid, col_letter

_CANONICAL_RE2 = "^" + CANONICAL.pattern + "$"
_SEP = "\x1f"
_ALL_CANONICAL = re.compile(f"(?:{CANONICAL.pattern})(?:{_SEP}(?:{CANONICAL.pattern}))*")
ARROW_MIN_CELLS = 2000
# Pre-check for a whole column: can any cell be an uncalculated formula? (0 also matches 0.0 and
# False; the exact per-cell test is slow_cells._reads_uncalculated.)
_UNCALCULATED = frozenset({"", None, 0})


def read_values(
    sub: Submission,
    grid: Grid,
    layout,
    matched: list[tuple[int, Target]],
    plan_year: int,
    fname: str,
) -> None:
    """The figures of every value column in the matched rows; whole columns are converted at
    once (pyarrow for large forms), and cells the fast paths do not cover one by one."""
    cols, sheet = layout.columns, grid.sheet
    period_for = {
        "actual": sub.period_code,
        "estimate": f"{plan_year}-EST",
        "prev_year": str(plan_year - 1),
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
            slow_cell(sub, grid, layout, matched[j][1], rows_idx[j], c, kind, period_for, fname)


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
    texts = [cell_text(v) for v in n_values]
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
        slow_cell(sub, grid, layout, target, r, c, kind, period_for, fname)


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


def _same_period_last_year(period_code: str) -> str:
    """'2024-9M' -> '2023-9M': the period a "Cùng kỳ năm trước" column reports."""
    p = parse_period(period_code)
    return f"{p.year - 1}{p.code[4:]}"
