"""Regenerate the template-based files of the SAMPLE inbox (sources/inbox) from the sample CSV.

The free-form files (shaped by hand the way offices type them) are committed as they are and
not touched here. Run: .venv/bin/python scripts/make_sample_inbox.py
"""

from __future__ import annotations

import csv
from pathlib import Path

from openpyxl import load_workbook

from chitieu.catalogue import load_plan
from chitieu.reference import load_reference
from chitieu.resources import (
    DEFAULT_MANUAL_DIR,
    DEFAULT_PLANS_DIR,
    DEFAULT_REFERENCE_DIR,
    SAMPLE_INBOX_DIR,
)
from chitieu.submissions.template import INPUT_COLUMNS, write_template

INBOX = Path(SAMPLE_INBOX_DIR)
# (department, period, file name, overrides {(target, kind): value}, formula cells {(target, kind)})
FILES = [
    ("snn", "2024-6M", "snn-2024-6M.xlsx", {}, set()),
    ("snn", "2024-9M", "snn-2024-9M-lan-1.xlsx", {("tea_new_planting", "estimate"): 400}, set()),
    ("snn", "2024-9M", "snn-2024-9M-lan-2.xlsx", {("tea_new_planting", "estimate"): 392}, set()),
    ("stc", "2024-9M", "stc-2024-9M.xlsx", {}, set()),
    ("sgddt", "2024", "sgddt-2024.xlsx", {}, set()),
    # rejected: the estimate is a formula saved without a calculated value
    ("svhttdl", "2024-9M", "svhttdl-2024-9M.xlsx", {}, {("tourist_arrivals_growth", "estimate")}),
]


def sample_values() -> dict[tuple[str, str], float]:
    with open(Path(DEFAULT_MANUAL_DIR) / "lai-chau-2024.sample.csv", encoding="utf-8") as fh:
        return {(r["target_code"], r["period_code"]): float(r["value"]) for r in csv.DictReader(fh)}


def main() -> None:
    ref = load_reference(DEFAULT_REFERENCE_DIR)
    plan = load_plan(Path(DEFAULT_PLANS_DIR) / "lai-chau-2024.yaml", ref)
    values = sample_values()
    for dept, period, name, overrides, formulas in FILES:
        path = write_template(plan, ref, dept, period, INBOX / dept / name)
        wb = load_workbook(path)
        ws = wb["Biểu"]
        for row in range(1, ws.max_row + 1):
            code = ws.cell(row, 2).value
            if not code or code == "Mã chỉ tiêu":
                continue
            wanted = {
                "prev_year": values.get((code, "2023")),
                "actual": values.get((code, period)),
                "estimate": values.get((code, "2024-EST")),
            }
            if period == "2024":
                wanted["estimate"] = None
            for kind, col in INPUT_COLUMNS.items():
                if kind == "note":
                    continue
                value = overrides.get((code, kind), wanted[kind])
                if (code, kind) in formulas:
                    ws.cell(row, col).value = f"=H{row}*1.05"
                elif value is not None:
                    ws.cell(row, col).value = value
        wb.save(path)
        print(path)


if __name__ == "__main__":
    main()
