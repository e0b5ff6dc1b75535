"""Open a submitted file as a grid of cells, refusing what cannot be read safely.

Values are read with python-calamine (xlsx, xlsm, xls, ods), which measured 7-24x faster than
openpyxl here. Formula cells are found by scanning the sheet XML for ``<f>`` elements, because
a formula saved without a value reads as blank (or 0 from xlsxwriter) and must not pass as data.
The scan runs only when a value cell reads blank or the workbook asks Excel to recalculate on
load: a formula saved with its value and no recalculation flag reads as that value.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
import zlib
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from xml.etree import ElementTree

from python_calamine import CalamineError, CalamineWorkbook

MAX_UNPACKED_BYTES = 100 * 1024 * 1024
EXCEL_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".ods"}
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
META_SHEET = "_chitieu"
MERGE_SCAN_ROWS = 40  # header search looks at the first 30 rows (layout.HEADER_SCAN_ROWS) plus two


class ReadError(ValueError):
    """A file that cannot be read at all; the message names the file (and sheet)."""

    def __init__(self, message: str, rule: str = "unreadable"):
        self.rule = rule
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


class Package:
    """The ZIP package of an .xlsx file, read only as far as a question needs."""

    def __init__(self, zf: zipfile.ZipFile, content: bytes, file_name: str):
        self.zf = zf
        self.content = content
        self.file_name = file_name

    def read(self, name: str) -> bytes:
        """A part's bytes, with zipfile's checks (declared size, CRC-32). A deflated part is
        inflated straight from the file's bytes: ``ZipFile.read`` costs ~20 µs per part in
        Python-level set-up, as much as inflating a whole 60-row sheet."""
        try:
            return self._inflate(name)
        except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
            raise ReadError(f"{self.file_name}: the part {name} is damaged ({exc})") from exc

    def _inflate(self, name: str) -> bytes:
        info = self.zf.NameToInfo[name]
        start = info.header_offset
        header = self.content[start : start + 30]
        if (
            info.compress_type != zipfile.ZIP_DEFLATED
            or info.flag_bits & 0x1
            or header[:4] != b"PK\x03\x04"
        ):
            return self.zf.read(name)
        start += (
            30 + int.from_bytes(header[26:28], "little") + int.from_bytes(header[28:30], "little")
        )
        data = zlib.decompressobj(-zlib.MAX_WBITS).decompress(
            self.content[start : start + info.compress_size], info.file_size + 1
        )
        if len(data) != info.file_size or zlib.crc32(data) != info.CRC:
            return self.zf.read(name)  # zipfile raises its own error
        return data

    @cached_property
    def workbook_xml(self) -> bytes:
        return self.read("xl/workbook.xml")

    @cached_property
    def recalc_on_load(self) -> bool:
        """True when the file asks Excel to recalculate on opening (xlsxwriter saves formulas as 0)."""
        return b'fullCalcOnLoad="1"' in self.workbook_xml

    @cached_property
    def sheet_parts(self) -> dict[str, str]:
        """Sheet name -> worksheet part, through the workbook's relationships (not the index:
        a re-ordered workbook keeps its sheet2.xml first)."""
        targets = {}
        for rel in ElementTree.fromstring(self.read("xl/_rels/workbook.xml.rels")):
            target = rel.get("Target", "")
            targets[rel.get("Id")] = (
                target.lstrip("/") if target.startswith("/") else f"xl/{target}"
            )
        parts = {}
        for elem in ElementTree.fromstring(self.workbook_xml).iter(f"{_NS}sheet"):
            part = targets.get(elem.get(f"{_RNS}id"))
            if part:
                parts[elem.get("name")] = part
        return parts

    @cached_property
    def _parts_with_formulas(self) -> dict[str, bytes]:
        """Worksheet parts whose XML holds a formula, with their bytes: every formula element
        ends '</f>', or shares one that does (a shared formula's master holds the text)."""
        parts = ((n, self.read(n)) for n in self.zf.NameToInfo if _WORKSHEET.fullmatch(n))
        return {n: xml for n, xml in parts if b"f>" in xml}

    def formula_cells(self, sheet: str) -> set[tuple[int, int]]:
        """(row, col) of the cells holding a formula in ``sheet``'s XML part."""
        if not self._parts_with_formulas:
            return set()
        name = self.sheet_parts.get(sheet)
        if name not in self._parts_with_formulas:
            return set()
        cells = set()
        for _, elem in ElementTree.iterparse(io.BytesIO(self._parts_with_formulas[name])):
            if elem.tag == f"{_NS}c" and elem.find(f"{_NS}f") is not None:
                m = _CELL.match(elem.get("r", ""))
                if m:
                    col = 0
                    for ch in m[1]:
                        col = col * 26 + ord(ch) - 64
                    cells.add((int(m[2]) - 1, col - 1))
            if elem.tag == f"{_NS}row":
                elem.clear()
        return cells


_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_RNS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_CELL = re.compile(r"([A-Z]+)(\d+)")
_WORKSHEET = re.compile(r"xl/worksheets/[^/]+\.xml")


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


def _check_zip(path: Path, content: bytes) -> zipfile.ZipFile:
    if content[:8] == OLE_MAGIC:
        raise ReadError(
            f"{path.name}: the workbook is password-protected (encrypted); save it without a password"
        )
    try:
        zf = zipfile.ZipFile(io.BytesIO(content))
    except zipfile.BadZipFile as exc:
        raise ReadError(
            f"{path.name}: not a real .xlsx file (not a ZIP package); save it as Excel Workbook (.xlsx)"
        ) from exc
    unpacked = sum(i.file_size for i in zf.filelist)
    if unpacked > MAX_UNPACKED_BYTES:
        raise ReadError(
            f"{path.name}: unpacks to {unpacked // (1024 * 1024)} MB, over the {MAX_UNPACKED_BYTES // (1024 * 1024)} MB limit; refused before reading"
        )
    if "xl/workbook.xml" not in zf.NameToInfo:
        raise ReadError(f"{path.name}: not a real .xlsx file (no xl/workbook.xml)")
    return zf


def _read_csv(path: Path, content: bytes) -> Workbook:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ReadError(
            f"{path.name}: not UTF-8 text (byte {exc.start}); save it as CSV UTF-8"
        ) from exc
    rows = [list(r) for r in csv.reader(io.StringIO(text))]
    if not any(any(c.strip() for c in r) for r in rows):
        raise ReadError(f"{path.name}: the file is empty")
    width = max(map(len, rows))
    rows = [r + [""] * (width - len(r)) for r in rows]  # rectangular, as calamine's sheets are
    return Workbook(path, {"csv": Grid("csv", rows)}, {})


def open_workbook(path: str | Path, content: bytes | None = None) -> Workbook:
    """Read every visible sheet of ``path`` into grids; raise ReadError for unreadable files."""
    path = path if isinstance(path, Path) else Path(path)
    content = path.read_bytes() if content is None else content
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return _read_csv(path, content)
    if suffix not in EXCEL_SUFFIXES:
        raise ReadError(f"{path.name}: unsupported file type {suffix!r}; send .xlsx, .xls or .csv")
    zf = None
    if suffix in (".xlsx", ".xlsm"):
        zf = _check_zip(path, content)
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
