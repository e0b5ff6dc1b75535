"""One value cell to a figure, for everything the column-at-a-time paths (``value_columns``) do
not cover: formulas saved without a value, ditto marks, yes/no words, '%' suffixes, index
columns (base 100) and ambiguous text."""

from __future__ import annotations

from chitieu.numbers import NumberParseError, is_ditto, parse_vi_number, parse_yes_no
from chitieu.submissions.problems import Problem
from chitieu.submissions.submission import Value
from chitieu.submissions.workbook import Grid, cell_ref


def cell_text(v) -> str:
    """A cell as text: whole numbers without '.0', blank for no value, stripped."""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return "" if v is None else str(v).strip()


def ditto_source(grid: Grid, r: int, c: int, first_row: int):
    """The value a ditto mark at (r, c) repeats: the nearest cell above that is not a ditto mark."""
    for above in range(r - 1, first_row - 1, -1):
        v = grid.value(above, c)
        if cell_text(v) and not is_ditto(cell_text(v)):
            return v
    return None


def _reads_uncalculated(grid: Grid, v) -> bool:
    """What an uncalculated formula reads as: blank, or 0 in a workbook that asks to be
    recalculated on opening (xlsxwriter and openpyxl save formulas so). A formula saved with
    another value reads as that value, and only cells reading like this need the formula scan."""
    return v is None or v == "" or (type(v) in (int, float) and v == 0 and grid.recalc_on_load)


def _yes_no_cell(sub, grid, target, r, c, kind, period_for) -> bool:
    """A yes/no word (có, đạt, x / không, chưa đạt) in a maintain target's cell: add it as 1 or 0."""
    if target.kind != "maintain":
        return False
    text = cell_text(grid.value(r, c))
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


def slow_cell(sub, grid, layout, target, r, c, kind, period_for, fname) -> None:
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
    text = cell_text(raw)
    if text and is_ditto(text):
        above = ditto_source(grid, r, c, layout.first_data_row)
        if above is None:
            return
        raw, text = above, cell_text(above)
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
