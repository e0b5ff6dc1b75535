"""Open a submitted file as a grid of cells, refusing what cannot be read safely.

``package_guards`` refuses an unsafe ZIP package before any reader sees it, ``csv_file`` reads
CSV, ``package`` answers what calamine does not (which cells hold a formula), and ``workbook``
holds the outcome: one ``Grid`` per sheet.

Values are read with python-calamine (xlsx, xlsm, xls, ods), which measured 7-24x faster than
openpyxl here. Formula cells are found by scanning the sheet XML for ``<f>`` elements, because
a formula saved without a value reads as blank (or 0 from xlsxwriter) and must not pass as data.
The scan runs only when a value cell reads blank or the workbook asks Excel to recalculate on
load: a formula saved with its value and no recalculation flag reads as that value.
"""

from __future__ import annotations

import io
from pathlib import Path

from python_calamine import CalamineError, CalamineWorkbook

from chitieu.submissions.csv_file import read_csv
from chitieu.submissions.package import Package
from chitieu.submissions.package_guards import OLE_MAGIC, check_package
from chitieu.submissions.workbook import Grid, ReadError, Workbook, cell_ref, col_letter

# what callers and tests import from here
__all__ = [
    "META_SHEET",
    "Grid",
    "Package",
    "ReadError",
    "Workbook",
    "cell_ref",
    "col_letter",
    "open_workbook",
]

EXCEL_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".ods"}
META_SHEET = "_chitieu"


def open_workbook(path: str | Path, content: bytes | None = None) -> Workbook:
    """Read every visible sheet of ``path`` into grids; raise ReadError for unreadable files."""
    path = path if isinstance(path, Path) else Path(path)
    content = path.read_bytes() if content is None else content
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return read_csv(path, content)
    if suffix not in EXCEL_SUFFIXES:
        raise ReadError(f"{path.name}: unsupported file type {suffix!r}; send .xlsx, .xls or .csv")
    zf = None
    if suffix in (".xlsx", ".xlsm"):
        zf = check_package(path, content, "xl/workbook.xml")
    elif suffix == ".ods":
        check_package(path, content, "content.xml")
    elif suffix == ".xls" and content[:8] != OLE_MAGIC:
        raise ReadError(f"{path.name}: not a real .xls file")
    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(content))
    except (CalamineError, Exception) as exc:  # calamine raises several types for broken files
        if suffix == ".xls" and "password" in str(exc).lower():
            raise ReadError(
                f"{path.name}: the workbook is password-protected; save it without a password"
            ) from exc
        raise ReadError(f"{path.name}: cannot be read as {suffix} ({exc})") from exc
    package = Package(zf, content, path.name) if zf else None
    grids, metadata = {}, {}
    for index, meta in enumerate(book.sheets_metadata):
        if meta.name != META_SHEET and str(meta.visible).lower().endswith("hidden"):
            continue
        sheet = book.get_sheet_by_index(index)
        data = sheet.to_python(skip_empty_area=False)
        if meta.name == META_SHEET:
            metadata = {
                str(r[0]).strip(): str(r[1]).strip()
                for r in data
                if len(r) >= 2 and str(r[0]).strip()
            }
            continue
        grids[meta.name] = Grid(meta.name, data, list(sheet.merged_cell_ranges or []), package)
    return Workbook(path, grids, metadata)
