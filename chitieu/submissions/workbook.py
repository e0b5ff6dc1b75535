"""A read file as grids of cells: one ``Grid`` per sheet, cell references, and ``ReadError``
for a file that cannot be read at all. ``chitieu.submissions.reader`` builds them."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from chitieu.submissions.package import Package

MERGE_SCAN_ROWS = 40  # header search looks at the first 30 rows (layout.HEADER_SCAN_ROWS) plus two


class ReadError(ValueError):
    """A file that cannot be read at all; the message names the file (and sheet)."""

    def __init__(self, message: str, rule: str = "unreadable", cell: str = "", found: str = ""):
        self.rule = rule
        self.cell = cell
        self.found = found
        super().__init__(message)


def col_letter(col: int) -> str:
    """0-based column index to Excel letters (0 -> A, 27 -> AB)."""
    out = ""
    col += 1
    while col:
        col, rem = divmod(col - 1, 26)
        out = chr(65 + rem) + out
    return out


def cell_ref(sheet: str, row: int, col: int) -> str:
    """'Biểu!F12' from 0-based row and column."""
    return f"{sheet}!{col_letter(col)}{row + 1}"


@dataclass
class Grid:
    """One sheet: cell values by absolute 0-based (row, col) in rectangular rows, merged ranges,
    and (from the package, on first use) its formula cells."""

    sheet: str
    rows: list[list]
    merged: list[tuple[tuple[int, int], tuple[int, int]]] = field(default_factory=list)
    package: Package | None = None

    @cached_property
    def formulas(self) -> set[tuple[int, int]]:
        return self.package.formula_cells(self.sheet) if self.package else set()

    @property
    def recalc_on_load(self) -> bool:
        return bool(self.package) and self.package.recalc_on_load

    def value(self, row: int, col: int):
        if row < len(self.rows) and col < len(self.rows[row]):
            return self.rows[row][col]
        return ""

    @cached_property
    def _merged_origin(self) -> dict[tuple[int, int], tuple[int, int]]:
        """Each cell covered by a merged range (above the data, where headers are) -> its top-left cell."""
        origin = {}
        for (r0, c0), (r1, c1) in self.merged:
            if r0 < MERGE_SCAN_ROWS:
                for r in range(r0, min(r1, MERGE_SCAN_ROWS) + 1):
                    for c in range(c0, c1 + 1):
                        origin[(r, c)] = (r0, c0)
        return origin

    def header_value(self, row: int, col: int):
        """The value shown at (row, col): a merged range shows its top-left cell everywhere."""
        if self.merged:
            if row < MERGE_SCAN_ROWS:
                row, col = self._merged_origin.get((row, col), (row, col))
            else:
                for (r0, c0), (r1, c1) in self.merged:
                    if r0 <= row <= r1 and c0 <= col <= c1:
                        return self.value(r0, c0)
        return self.value(row, col)

    @property
    def height(self) -> int:
        return len(self.rows)


@dataclass
class Workbook:
    path: Path
    grids: dict[str, Grid]
    metadata: dict[str, str]
    read_notes: dict[str, str] = field(default_factory=dict)
