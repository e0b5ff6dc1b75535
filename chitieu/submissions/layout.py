"""Find the header of a Biểu-style sheet, map its columns by Vietnamese header text, read its title."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from chitieu.reference import fold
from chitieu.submissions.reader import Grid

# Checked in this order: "Ước thực hiện" before "Thực hiện", "So sánh (TH/KH)" before both.
ROLE_PATTERNS: list[tuple[str, list[str]]] = [
    ("compare", [r"so sanh", r"^tang giam"]),
    ("note", [r"ghi chu"]),
    ("stt", [r"^s?tt$", r"^so tt$", r"^so thu tu$"]),
    ("code", [r"^ma( chi tieu| so)?$", r"^code$"]),
    ("name_en", [r"tieng anh", r"english"]),
    ("name", [r"^(ten )?chi tieu", r"^noi dung", r"^danh muc"]),
    ("unit", [r"^dvt$", r"^d\.?v\.?t\.?$", r"^don vi( tinh)?$"]),
    # "Cùng kỳ năm trước": last year's figure for the same period, before the full-year column
    ("prev_period", [r"cung ky"]),
    ("prev_year", [r"nam truoc", r"^(th|thuc hien|uoc th|uoc thuc hien) nam (?P<year>\d{4})$"]),
    ("estimate", [r"(^| )uoc( |$)"]),
    ("plan", [r"(^| )kh( |$)", r"ke hoach"]),
    ("actual", [r"(^| )th( |$)", r"thuc hien", r"luy ke", r"ky bao cao"]),
]
HEADER_SCAN_ROWS = 30
_NUMBERING = re.compile(r"[A-Z]|\(?\d+\)?|\d+\s*=\s*[\d/*+\-x ]+")
_ROW_NUMBER = re.compile(r"[IVX]+|\d+")


def _col(c: int) -> str:
    from chitieu.submissions.reader import col_letter

    return col_letter(c)


_COMPILED = [(role, [re.compile(p) for p in patterns]) for role, patterns in ROLE_PATTERNS]


@dataclass
class Layout:
    header_rows: list[int]
    columns: dict[str, int]
    first_data_row: int
    index_base_100: set[str]
    # (rule, cell, found, expected) for header trouble: two columns claiming one figure,
    # a year that contradicts the plan year
    issues: list[tuple[str, str, str, str]] = field(default_factory=list)


YEAR_ROLES = ("actual", "estimate", "prev_year", "plan")
CLAIMED_ROLES = ("actual", "estimate", "prev_year", "plan", "name", "code")
_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")


@lru_cache(maxsize=4096)
def _role(text: str, plan_year: int) -> str | None:
    """The column role of a header text; "TH 2023" (plan year - 1) is the previous year, "KH 2024"
    the plan, "Ước TH năm 2024" the estimate. A year that fits no role is ``header_year``."""
    role = _text_role(text, plan_year)
    if role not in YEAR_ROLES:
        return role
    years = {int(y) for y in _YEAR.findall(fold(text))}
    if not years:
        return role
    if len(years) > 1:
        return role if role == "prev_year" or plan_year in years else "header_year"
    (year,) = years
    if role == "plan":
        return "plan" if year == plan_year else None  # an earlier year's plan is not read
    if role == "prev_year":
        return "prev_year" if year == plan_year - 1 else "header_year"
    if year == plan_year - 1:
        return "prev_year"
    return role if year == plan_year else "header_year"


def _text_role(text: str, plan_year: int) -> str | None:
    # "(năm trước = 100)" states an index base, not a previous-year column
    t = re.sub(r"\(?\s*nam truoc\s*=\s*100\s*\)?", " ", fold(text))
    t = re.sub(r"[():,;*\-–]+", " ", t)
    t = " ".join(t.split())
    for role, patterns in _COMPILED:
        for p in patterns:
            m = p.search(t)
            if m:
                if (
                    role == "prev_year"
                    and m.groupdict().get("year")
                    and int(m["year"]) != plan_year - 1
                ):
                    if "kh" in t.split() or "ke hoach" in t:
                        return "plan"
                    return "estimate" if t.startswith("uoc") else "actual"
                return role
    return None
    return None


def _is_header_row(grid: Grid, row: int, plan_year: int) -> bool:
    shown = {str(grid.header_value(row, c)) for c in range(len(grid.rows[row]))} - {""}
    if len(shown) < 2:  # a header names at least the target and one value column
        return False
    roles = {_role(text, plan_year) for text in shown}
    return "name" in roles and len(roles - {None}) >= 2


def find_layout(grid: Grid, plan_year: int) -> Layout | None:
    """The header rows (one to three, merged or split) and the column of each role, or None."""
    for h in range(min(HEADER_SCAN_ROWS, grid.height)):
        if not _is_header_row(grid, h, plan_year):
            continue
        header_rows = [h]
        numbering_rows: set[int] = set()
        for extra in (h + 1, h + 2):
            if extra >= grid.height:
                break
            cells = [str(grid.header_value(extra, c)).strip() for c in range(len(grid.rows[extra]))]
            texts = [c for c in cells if c]
            numbering = texts and all(_NUMBERING.fullmatch(t) for t in texts)
            if numbering:
                header_rows.append(extra)
                numbering_rows.add(extra)
                break
            first = str(grid.value(extra, 0)).strip()
            if any(_role(t, plan_year) for t in texts) and not _ROW_NUMBER.fullmatch(first):
                header_rows.append(extra)
            else:
                break
        width = max(len(grid.rows[r]) for r in header_rows)
        columns: dict[str, int] = {}
        base100: set[str] = set()
        issues: list[tuple[str, str, str, str]] = []
        where: dict[int, str] = {}
        for c in range(width):
            parts = []
            for r in header_rows:
                if r in numbering_rows:
                    continue
                v = str(grid.header_value(r, c)).strip()
                if v and (not parts or parts[-1] != v):
                    parts.append(v)
                    where[c] = f"{grid.sheet}!{_col(c)}{r + 1}"
            # the most specific text is the lowest header cell; fall back to the combined text
            role = _role(parts[-1], plan_year) if parts else None
            combined = " ".join(parts)
            if (
                role in (None, "compare")
                or (
                    role == "actual" and len(parts) > 1 and _role(combined, plan_year) == "estimate"
                )
                # "TH" under a merged "Năm 2023": the year above decides the role
                or (
                    role in YEAR_ROLES
                    and len(parts) > 1
                    and not _YEAR.search(fold(parts[-1]))
                    and _YEAR.search(fold(combined))
                )
            ):
                role = _role(combined, plan_year) if parts else None
            if role == "header_year":
                issues.append(
                    (
                        "header_year",
                        where[c],
                        " ".join(parts),
                        f"TH {plan_year - 1} (previous year), KH/Ước TH {plan_year}",
                    )
                )
            elif role in columns and role in CLAIMED_ROLES:
                first = columns[role]
                issues.append(
                    (
                        "duplicate_column",
                        f"{where[first]}, {where[c]}",
                        f"{grid.header_value(header_rows[-1], first)!s} | {' '.join(parts)}",
                        f"one column for {role}",
                    )
                )
            elif role and role not in columns:
                columns[role] = c
                if "100" in " ".join(parts):
                    base100.add(role)
        if "name" in columns and ({"actual", "estimate"} & set(columns)):
            return Layout(header_rows, columns, header_rows[-1] + 1, base100, issues)
    return None


_PERIOD_PATTERNS = [
    (r"9 thang (?:dau )?(?:nam )?(\d{4})", lambda m: f"{m[1]}-9M"),
    (r"6 thang (?:dau )?(?:nam )?(\d{4})", lambda m: f"{m[1]}-6M"),
    (
        r"quy (iv|iii|ii|i|[1-4])\s*(?:/|nam)\s*(\d{4})",
        lambda m: f"{m[2]}-Q{ {'i': 1, 'ii': 2, 'iii': 3, 'iv': 4}.get(m[1], m[1]) }",
    ),
    (r"thang (\d{1,2})\s*(?:/|nam)\s*(\d{4})", lambda m: f"{m[2]}-{int(m[1]):02d}"),
    (r"(?:ca nam|nam) (\d{4})", lambda m: m[1]),
]


@lru_cache(maxsize=4096)
def period_from_text(text: str) -> str | None:
    """A canonical period code from title text such as '9 tháng năm 2024' or 'Quý II/2024'."""
    t = " ".join(re.sub(r"[,.;:()]", " ", fold(text)).split())
    for pattern, build in _PERIOD_PATTERNS:
        m = re.search(pattern, t)
        if m:
            code = build(m)
            if re.fullmatch(r"\d{4}-\d{2}", code) and not 1 <= int(code[5:]) <= 12:
                continue
            return code
    return None


def title_text(grid: Grid, layout: Layout | None) -> list[tuple[int, int, str]]:
    """Non-empty cells above the header: (row, col, text)."""
    stop = layout.header_rows[0] if layout else min(HEADER_SCAN_ROWS, grid.height)
    return [
        (r, c, str(v).strip())
        for r in range(stop)
        for c, v in enumerate(grid.rows[r])
        if str(v).strip()
    ]


def table_unit(titles: list[tuple[int, int, str]]) -> str | None:
    """'Đơn vị tính: tỷ đồng' in a title corner."""
    for _, _, text in titles:
        m = re.match(r"^\s*(?:đơn vị tính|đvt|don vi tinh|dvt)\s*:\s*(.+)$", text, re.I)
        if m:
            return m[1].strip()
    return None
