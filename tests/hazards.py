"""Small hostile and broken department files, one per hazard, written into a folder by the tests.

Each builder writes one file and returns its path; ``HAZARDS`` maps a file name to
(builder, expected rule, expected cell or "" when the whole file is concerned).
"""

from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path

from tests.sheets import write_bieu

ROWS = [["1", "Thu ngân sách trên địa bàn", "tỷ đồng", "2.180", "1.720,5", "2.365"]]
LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'
        for i in range(1, 10)
    )
    + "]>"
)


def _rewrite(src: Path, dst: Path, change) -> Path:
    """Copy an xlsx package, passing each part's bytes through ``change(name, data)``."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            zout.writestr(info.filename, change(info.filename, zin.read(info.filename)))
    if dst != src:
        src.unlink()
    return dst


def _good(path: Path) -> Path:
    return write_bieu(path.with_suffix(".tmp.xlsx"), ROWS)


def _with_dtd(data: bytes) -> bytes:
    body = data.split(b"?>", 1)[1] if data.startswith(b"<?xml") else data
    return LAUGHS.encode() + body


def _first_text(data: bytes, entity: bytes) -> bytes:
    return data.replace(b"<t>", b"<t>" + entity, 1)


def laughs_in_cell(path: Path) -> Path:
    def change(name, data):
        if name == "xl/worksheets/sheet1.xml":
            return _with_dtd(_first_text(data, b"&lol9;"))
        return data

    return _rewrite(_good(path), path, change)


def laughs_in_header_footer(path: Path) -> Path:
    def change(name, data):
        if name == "xl/worksheets/sheet1.xml":
            return _with_dtd(
                data.replace(
                    b"</worksheet>",
                    b"<headerFooter><oddHeader>&lol9;</oddHeader></headerFooter></worksheet>",
                )
            )
        return data

    return _rewrite(_good(path), path, change)


def undefined_entity(path: Path) -> Path:
    def change(name, data):
        if name == "xl/worksheets/sheet1.xml":
            return _first_text(data, b"&undefined;")
        return data

    return _rewrite(_good(path), path, change)


def far_cell(path: Path) -> Path:
    def change(name, data):
        if name == "xl/worksheets/sheet1.xml":
            return data.replace(
                b"</sheetData>",
                b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData>',
            )
        return data

    return _rewrite(_good(path), path, change)


def lying_sizes(path: Path) -> Path:
    """A part whose declared (uncompressed) size is smaller than what it inflates to."""
    src = _good(path)
    data = bytearray(src.read_bytes())
    src.unlink()
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as zf:
        info = zf.getinfo("xl/worksheets/sheet1.xml")
    name = info.filename.encode()
    pos = data.find(b"PK\x01\x02")  # central directory entries; uncompressed size at +24
    while data[pos + 46 : pos + 46 + int.from_bytes(data[pos + 28 : pos + 30], "little")] != name:
        pos = data.find(b"PK\x01\x02", pos + 4)
    data[pos + 24 : pos + 28] = (100).to_bytes(4, "little")
    local = info.header_offset  # local header: uncompressed size at +22
    data[local + 22 : local + 26] = (100).to_bytes(4, "little")
    path.write_bytes(bytes(data))
    return path


def _zip_bomb(path: Path, part: str, extra: dict[str, bytes], megabytes: int = 101) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in extra.items():
            zf.writestr(name, data)
        with zf.open(part, "w", force_zip64=True) as fh:
            block = b"<x/>" * (1 << 18)  # 1 MiB
            for _ in range(megabytes):
                fh.write(block)
    return path


def xlsx_bomb(path: Path) -> Path:
    src = _good(path)
    with zipfile.ZipFile(src) as zin:
        parts = {n: zin.read(n) for n in zin.namelist() if n != "xl/worksheets/sheet1.xml"}
    src.unlink()
    return _zip_bomb(path, "xl/worksheets/sheet1.xml", parts)


def ods_bomb(path: Path) -> Path:
    return _zip_bomb(
        path,
        "content.xml",
        {"mimetype": b"application/vnd.oasis.opendocument.spreadsheet"},
    )


def ods_huge_range(path: Path) -> Path:
    """A small .ods whose repeated rows and columns make a reader allocate billions of cells:
    only the child process's memory limit stops it."""
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        '<office:body><office:spreadsheet><table:table table:name="Biểu">'
        '<table:table-row table:number-rows-repeated="60000">'
        '<table:table-cell table:number-columns-repeated="1000" office:value-type="float" office:value="1"/>'
        "</table:table-row>"
        '<table:table-row><table:table-cell/><table:table-cell office:value-type="float" office:value="2"/></table:table-row>'
        "</table:table></office:spreadsheet></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
        'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
        '<manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        zf.writestr("META-INF/manifest.xml", manifest)
        zf.writestr("content.xml", content)
    return path


def named_pipe(path: Path) -> Path:
    os.mkfifo(path)
    return path


def csv_cut_in_last_number(path: Path) -> Path:
    text = (
        "Báo cáo 9 tháng năm 2024\n\nSTT,Chỉ tiêu,ĐVT,TH năm trước,TH kỳ báo cáo,Ước TH cả năm\n"
        '1,Thu ngân sách trên địa bàn,tỷ đồng,"2.180","1.720,5","21'
    )
    path.write_text(text, encoding="utf-8")
    return path


def csv_open_quote(path: Path) -> Path:
    text = (
        "Báo cáo 9 tháng năm 2024\n\nSTT;Chỉ tiêu;ĐVT;TH năm trước;TH kỳ báo cáo;Ước TH cả năm\n"
        '1;Thu ngân sách trên địa bàn;tỷ đồng;2.180;"1.720,5;2.365\n'
    )
    path.write_text(text, encoding="utf-8")
    return path


def empty_file(path: Path) -> Path:
    path.write_bytes(b"")
    return path


def duplicate_columns(path: Path) -> Path:
    header = ["STT", "Chỉ tiêu", "ĐVT", "TH năm trước", "TH kỳ báo cáo", "Thực hiện 9 tháng"]
    return write_bieu(path, ROWS, header=header)


def contradicting_year(path: Path) -> Path:
    header = ["STT", "Chỉ tiêu", "ĐVT", "TH 2025", "TH kỳ báo cáo", "Ước TH năm 2024"]
    return write_bieu(path, ROWS, header=header)


def oversized(path: Path) -> Path:
    path.write_bytes(os.urandom(2 * 1024 * 1024 + 1))
    return path


# file name -> (builder, rule, cell); oversized is over a 2 MB max_file_mb set by the tests
HAZARDS = {
    "laughs-cell.xlsx": (laughs_in_cell, "unsafe_xml", ""),
    "laughs-header.xlsx": (laughs_in_header_footer, "unsafe_xml", ""),
    "undefined-entity.xlsx": (undefined_entity, "unreadable", ""),
    "far-cell.xlsx": (far_cell, "file_limit", "Biểu!XFD1048576"),
    "lying-sizes.xlsx": (lying_sizes, "unreadable", ""),
    "bomb.xlsx": (xlsx_bomb, "file_limit", ""),
    "bomb.ods": (ods_bomb, "file_limit", ""),
    "huge-range.ods": (ods_huge_range, "unreadable", ""),
    "pipe.xlsx": (named_pipe, "not_regular_file", ""),
    "cut.csv": (csv_cut_in_last_number, "incomplete_file", "csv!A4"),
    "open-quote.csv": (csv_open_quote, "incomplete_file", ""),
    "empty.xlsx": (empty_file, "unreadable", ""),
    "two-actuals.xlsx": (duplicate_columns, "duplicate_column", "Biểu!E3, Biểu!F3"),
    "year-2025.xlsx": (contradicting_year, "header_year", "Biểu!D3"),
    "big.xlsx": (oversized, "file_limit", ""),
}
