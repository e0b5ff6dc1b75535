"""Read a submitted CSV file as one grid: UTF-8 or a Vietnamese/Western code page, the
delimiter Excel wrote, and a refusal for a file cut while being copied."""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from pathlib import Path

from chitieu.reference import fold
from chitieu.submissions.workbook import Grid, ReadError, Workbook

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


def read_csv(path: Path, content: bytes) -> Workbook:
    """The file as a workbook of one rectangular grid named ``csv``; else a ReadError."""
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
