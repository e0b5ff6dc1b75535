"""Real department files for the portal tests: the official template filled in, and a free-form Biểu."""

from __future__ import annotations

from pathlib import Path

from openpyxl import load_workbook

from chitieu.catalogue import load_plan
from chitieu.reference import load_reference
from chitieu.resources import DEFAULT_PLANS_DIR, DEFAULT_REFERENCE_DIR
from chitieu.submissions.template import write_template
from tests.sheets import write_bieu


def stc_form(path: Path, actual: float, estimate: float | None) -> Path:
    """stc's official 9-month template with budget revenue filled in (tỷ đồng)."""
    ref = load_reference(DEFAULT_REFERENCE_DIR)
    plan = load_plan(Path(DEFAULT_PLANS_DIR) / "lai-chau-2024.yaml", ref)
    write_template(plan, ref, "stc", "2024-9M", path)
    wb = load_workbook(path)
    ws = wb["Biểu"]
    row = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 2).value == "budget_revenue")
    ws.cell(row, 8).value = actual
    ws.cell(row, 9).value = estimate
    wb.save(path)
    return path


def good_form(path: Path) -> Path:
    return stc_form(path, 1720, 2365)


def warned_form(path: Path) -> Path:
    """No year-end estimate in a 9-month report: a warning (estimate_missing), still accepted."""
    return stc_form(path, 1720, None)


def bad_form(path: Path) -> Path:
    """Budget revenue in triệu đồng where the catalogue says tỷ đồng: rejected (Biểu!C4)."""
    return write_bieu(
        path, [["1", "Thu ngân sách trên địa bàn", "triệu đồng", "2.180.000", "1.720.000", ""]]
    )
