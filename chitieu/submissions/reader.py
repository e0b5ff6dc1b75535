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
import unicodedata
import zipfile
import zlib
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from xml.etree import ElementTree

from python_calamine import CalamineError, CalamineWorkbook

from chitieu.reference import fold

MAX_UNPACKED_BYTES = 100 * 1024 * 1024
# rows x columns of one sheet's used range; a sheet using columns A-Z only counts 26 columns,
# so a 200.000-row form counts 5,2 million
MAX_GRID_CELLS = 10_000_000
MAX_GRID_ROWS = 1_048_576
EXCEL_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".ods"}
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
META_SHEET = "_chitieu"
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
    read_notes: dict[str, str] = field(default_factory=dict)


def _check_zip(path: Path, content: bytes, workbook_part: str | None) -> zipfile.ZipFile:
    if content[:8] == OLE_MAGIC:
        raise ReadError(
            f"{path.name}: the workbook is password-protected (encrypted); save it without a password"
        )
    try:
        zf = zipfile.ZipFile(io.BytesIO(content))
    except zipfile.BadZipFile as exc:
        raise ReadError(
            f"{path.name}: not a real {path.suffix.lower()} file (not a ZIP package); save it as Excel Workbook (.xlsx)"
        ) from exc
    if workbook_part and workbook_part not in zf.NameToInfo:
        raise ReadError(f"{path.name}: not a real {path.suffix.lower()} file (no {workbook_part})")
    _check_parts(path, zf, content)
    return zf


def _check_parts(path: Path, zf: zipfile.ZipFile, content: bytes) -> None:
    """Inflate every part once, in chunks, with a running budget of actual bytes (declared sizes
    may lie); refuse any XML part with a DTD (entity expansion: 'billion laughs', external
    entities) and a worksheet whose used range is too large to hold as a grid."""
    total, limit_mb = 0, MAX_UNPACKED_BYTES // (1024 * 1024)
    too_large = None
    for info in zf.infolist():
        if info.is_dir():
            continue
        xml = info.filename.lower().endswith((".xml", ".rels", ".vml"))
        used = _UsedRange() if _WORKSHEET.fullmatch(info.filename) else None
        tail = b""
        try:
            with zf.open(info) as fh:
                while chunk := fh.read(1 << 20):
                    total += len(chunk)
                    if total > MAX_UNPACKED_BYTES:
                        raise ReadError(
                            f"{path.name}: unpacks to more than {limit_mb} MB (at part {info.filename}); refused",
                            "file_limit",
                            found=f"> {limit_mb} MB",
                        )
                    if not xml:
                        continue
                    buf = tail + chunk  # overlap: a match may straddle two chunks
                    if not tail and (
                        buf[:2] in (b"\xff\xfe", b"\xfe\xff") or buf[:4] == b"<\x00?\x00"
                    ):
                        _unsafe(path, info.filename)  # UTF-16 would hide a DOCTYPE from the search
                    if b"<!" in buf and _DTD.search(buf):
                        _unsafe(path, info.filename)
                    if used:
                        used.scan(buf)
                    tail = buf[-256:]
        except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, OSError) as exc:
            raise ReadError(f"{path.name}: the part {info.filename} is damaged ({exc})") from exc
        if used and not too_large and used.too_large:
            too_large = (info.filename, used)
    if too_large:
        # named only now: every part has passed the size and DTD checks before workbook.xml is parsed
        part, used = too_large
        used.refuse(path, part, _sheet_of_part(zf, content, path.name, part))


def _sheet_of_part(zf: zipfile.ZipFile, content: bytes, file_name: str, part: str) -> str:
    """The sheet name a worksheet part is shown as; "" if the workbook does not say (a damaged
    or odd package must not hide the real refusal)."""
    try:
        names = {p: name for name, p in Package(zf, content, file_name).sheet_parts.items()}
    except (ReadError, KeyError, ElementTree.ParseError):
        return ""
    return names.get(part, "")


def _unsafe(path: Path, part: str):
    raise ReadError(
        f"{path.name}: the part {part} declares a DTD or entities; refused unparsed",
        "unsafe_xml",
        found="<!DOCTYPE / <!ENTITY",
    )


_DTD = re.compile(rb"<!\s*(?:DOCTYPE|ENTITY)", re.I)
_ROW_REF = re.compile(rb"<row\b[^>]*?\sr=\"(\d+)\"")
# a literal prefix lets the regex engine skip ahead: ~20x faster than a leading \s on 60 MB
_BIG_ROW = re.compile(rb" r=\"[A-Z]{0,3}(\d{7,})\"")
_WIDE_CELL = re.compile(rb" r=\"([A-Z]{2,})\d+\"")
_DIMENSION = re.compile(rb"<dimension\s+ref=\"[A-Z]*\d*:?([A-Z]+)(\d+)\"")


def _letters(col: bytes) -> int:
    n = 0
    for ch in col:
        n = n * 26 + ch - 64
    return n


class _UsedRange:
    """Rows x columns a reader would allocate for one sheet, from its XML read in chunks: the
    last row element, any row number of seven digits, any column of two letters or more, and
    the declared dimension. (Rows out of order can hide a far row below a 7-digit number; the
    child process's memory limit is the backstop for those.)"""

    def __init__(self):
        self.rows, self.cols = 0, 26

    def scan(self, buf: bytes) -> None:
        at = buf.rfind(b"<row ")
        last = _ROW_REF.match(buf, at) if at >= 0 else None
        if last:
            self.rows = max(self.rows, int(last[1]))
        self.rows = max([self.rows, *map(int, _BIG_ROW.findall(buf))])
        self.cols = max([self.cols, *map(_letters, set(_WIDE_CELL.findall(buf)))])
        dim = _DIMENSION.search(buf) if b"<dimension" in buf else None
        if dim:
            self.rows, self.cols = max(self.rows, int(dim[2])), max(self.cols, _letters(dim[1]))

    @property
    def too_large(self) -> bool:
        return self.rows > MAX_GRID_ROWS or self.rows * self.cols > MAX_GRID_CELLS

    def refuse(self, path: Path, part: str, sheet: str) -> None:
        rows, cols = self.rows, self.cols
        far = f"{col_letter(cols - 1)}{rows}"
        where = f"sheet {sheet} (part {part.rsplit('/', 1)[-1]})" if sheet else f"sheet part {part}"
        raise ReadError(
            f"{path.name}: the {where} uses {rows:,} rows x {cols:,} columns, over the "
            f"{MAX_GRID_CELLS:,}-cell limit (farthest cell {far}); delete the stray cells far "
            "below or right of the table",
            "file_limit",
            cell=f"{sheet}!{far}" if sheet else far,
            found=f"{rows} rows x {cols} columns",
        )


CSV_DELIMITERS = ";,\t"
# Windows code pages a Vietnamese-locale Excel saves "CSV" in, tried after UTF-8
CSV_LEGACY_ENCODINGS = ("cp1258", "cp1252")


def _decode_csv(path: Path, content: bytes) -> tuple[str, str]:
    """(text, encoding): UTF-8 (with or without BOM), else a Vietnamese/Western code page when the
    text reads as Vietnamese in it, else a ReadError naming the first undecodable byte."""
    try:
        return content.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError as exc:
        first_bad = exc
    for encoding in CSV_LEGACY_ENCODINGS:
        try:
            text = content.decode(encoding)
        except UnicodeDecodeError:
            continue
        if _VI_WORDS.search(fold(text)):
            # Windows-1258 stores most tone marks as combining characters
            return unicodedata.normalize("NFC", text), encoding
    raise ReadError(
        f"{path.name}: not UTF-8 text (byte 0x{content[first_bad.start]:02x} at offset {first_bad.start}), "
        "nor readable as Windows-1258/1252 Vietnamese; save it as 'CSV UTF-8 (Comma delimited)'",
        found=f"byte 0x{content[first_bad.start]:02x} at offset {first_bad.start}",
    )


_VI_WORDS = re.compile(r"chi tieu|thuc hien|don vi|ke hoach")


def _sniff_delimiter(text: str) -> str:
    """The delimiter among ';', ',' and tab (csv.Sniffer on the first lines; ';' is what Excel
    writes in a locale whose decimal mark is ',')."""
    sample = "\n".join(text.splitlines()[:30])
    try:
        return csv.Sniffer().sniff(sample, delimiters=CSV_DELIMITERS).delimiter
    except csv.Error:
        counts = {d: sample.count(d) for d in CSV_DELIMITERS}
        return max(counts, key=counts.get) if any(counts.values()) else ","


def _read_csv(path: Path, content: bytes) -> Workbook:
    text, encoding = _decode_csv(path, content)
    if text and not text.endswith(("\n", "\r")):
        last = text.splitlines()[-1] if text.splitlines() else text
        raise ReadError(
            f"{path.name}: the last line has no line break, so the file may have been cut while "
            "being copied; send the whole file again",
            "incomplete_file",
            cell=f"csv!A{len(text.splitlines())}",
            found=last[-40:],
        )
    delimiter = _sniff_delimiter(text)
    try:
        rows = [list(r) for r in csv.reader(io.StringIO(text), delimiter=delimiter, strict=True)]
    except csv.Error as exc:
        raise ReadError(
            f"{path.name}: a quoted field is never closed ({exc}); the file may have been cut "
            "while being copied; send the whole file again",
            "incomplete_file",
            found=str(exc),
        ) from exc
    if not any(any(c.strip() for c in r) for r in rows):
        raise ReadError(f"{path.name}: the file is empty")
    width = max(map(len, rows))
    rows = [r + [""] * (width - len(r)) for r in rows]  # rectangular, as calamine's sheets are
    meta = {"csv_encoding": encoding, "csv_delimiter": delimiter}
    return Workbook(path, {"csv": Grid("csv", rows)}, {}, meta)


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
        zf = _check_zip(path, content, "xl/workbook.xml")
    elif suffix == ".ods":
        _check_zip(path, content, "content.xml")
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
