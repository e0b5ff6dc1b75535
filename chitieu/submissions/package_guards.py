"""Refusals before any reader sees a ZIP package (xlsx, xlsm, ods): not a package or encrypted,
more unpacked bytes than the budget, a DTD or entities in any XML part, a sheet's used range too
large to hold as a grid (docs/submissions.md, "Limits")."""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from pathlib import Path
from xml.etree import ElementTree

from chitieu.submissions.package import WORKSHEET_PART, Package
from chitieu.submissions.workbook import ReadError, col_letter

MAX_UNPACKED_BYTES = 100 * 1024 * 1024
# rows x columns of one sheet's used range; a sheet using columns A-Z only counts 26 columns,
# so a 200.000-row form counts 5,2 million
MAX_GRID_CELLS = 10_000_000
MAX_GRID_ROWS = 1_048_576
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def check_package(path: Path, content: bytes, workbook_part: str | None) -> zipfile.ZipFile:
    """The opened ZIP package of ``content``, once every check has passed; else a ReadError."""
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
        used = _UsedRange() if WORKSHEET_PART.fullmatch(info.filename) else None
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
