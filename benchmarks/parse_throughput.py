"""Parse throughput of department submissions against the raw reader, measured in the same run.

Baseline: python-calamine reading the sheet's values (the floor any parser pays).
Measured: chitieu's full parse (header detection, row matching, number parsing, formula scan,
provenance). Target (issue 3): at least 50 % of the raw reader's rows/s.

The 60-row form is measured twice: filled in, and with one year-end estimate in ten left blank
(a blank value cell may be an uncalculated formula, so the sheet XML is scanned for formulas).

Each form is also parsed the way the nightly run does it, in a forked child process with
memory, CPU and time limits (``chitieu/submissions/isolate.py``); the difference is the
per-file cost of isolation.

Run: .venv/bin/python -m benchmarks.parse_throughput [--rows 200000]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import xlsxwriter
from python_calamine import CalamineWorkbook

from chitieu.catalogue import load_plan
from chitieu.reference import load_reference
from chitieu.resources import DEFAULT_PLANS_DIR, DEFAULT_REFERENCE_DIR
from chitieu.submissions.isolate import parse_isolated
from chitieu.submissions.parser import parse_submission


def write_form(path: Path, rows: int, plan, blank_every: int = 0) -> None:
    """A free-form Biểu of ``rows`` data rows cycling through the labour department's targets;
    with ``blank_every`` = n, every n-th year-end estimate is left blank (not reported yet)."""
    targets = [t for t in plan.targets if t.department_code == "sldtbxh"]
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    ws = wb.add_worksheet("Biểu")
    ws.write_row(0, 0, ["Báo cáo 9 tháng năm 2024"])
    ws.write_row(2, 0, ["STT", "Chỉ tiêu", "ĐVT", "TH năm trước", "TH kỳ báo cáo", "Ước TH cả năm"])
    for i in range(rows):
        t = targets[i % len(targets)]
        ws.write_row(
            3 + i,
            0,
            [
                str(i + 1),
                t.name_vi,
                t.measure_unit,
                "8.870",
                6100.5 + i % 7,
                "" if blank_every and i % blank_every == 0 else "8.900,5",
            ],
        )
    wb.close()


def best_of(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=200_000)
    args = ap.parse_args()
    ref = load_reference(DEFAULT_REFERENCE_DIR)
    plan = load_plan(Path(DEFAULT_PLANS_DIR) / "lai-chau-2024.yaml", ref)
    with tempfile.TemporaryDirectory() as tmp:
        for rows, repeat, blank_every in ((args.rows, 3, 0), (60, 30, 0), (60, 30, 10)):
            path = Path(tmp) / f"form-{rows}-{blank_every}.xlsx"
            write_form(path, rows, plan, blank_every)
            label = f"{rows:>7} rows" + (
                f", 1 estimate in {blank_every} blank" if blank_every else ""
            )
            label = f"{label:<33}"

            def raw(path=path):
                CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()

            blanks = -(-rows // blank_every) if blank_every else 0

            def parsed(path=path, expected=3 * rows - blanks):
                sub = parse_submission(path, plan, ref, "sldtbxh")
                assert sub.accepted and sub.value_count == expected, sub.problems[:3]

            def isolated(path=path, expected=3 * rows - blanks):
                content = path.read_bytes()
                sub = parse_isolated(path, plan, ref, "sldtbxh", content, "bench")
                assert sub.accepted and sub.value_count == expected, sub.problems[:3]

            t_raw, t_parse = best_of(raw, repeat), best_of(parsed, repeat)
            t_iso = best_of(isolated, repeat)
            print(
                f"{label}: raw calamine {rows / t_raw:>11,.0f} rows/s ({t_raw * 1000:8.1f} ms) | "
                f"chitieu parse {rows / t_parse:>11,.0f} rows/s ({t_parse * 1000:8.1f} ms) | "
                f"ratio {t_raw / t_parse:6.1%} of raw (target >= 50%) | "
                f"isolated child {t_iso * 1000:8.1f} ms (+{(t_iso - t_parse) * 1000:.1f} ms a file, "
                f"ratio {t_raw / t_iso:6.1%} of raw)"
            )


if __name__ == "__main__":
    main()
