"""The ZIP package of an .xlsx file, read only as far as a question needs: its parts, its
sheets and the cells that hold a formula. ``package_guards`` has checked it before."""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from functools import cached_property
from xml.etree import ElementTree

from chitieu.submissions.workbook import ReadError

_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_RNS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_CELL = re.compile(r"([A-Z]+)(\d+)")
WORKSHEET_PART = re.compile(r"xl/worksheets/[^/]+\.xml")


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
        parts = ((n, self.read(n)) for n in self.zf.NameToInfo if WORKSHEET_PART.fullmatch(n))
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
