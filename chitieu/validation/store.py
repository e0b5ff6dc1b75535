"""Keep validation results as data: runs, per-expectation results and per-row failures."""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd

from chitieu import warehouse as wh
from chitieu.validation.bridge import Outcome

TABLES = ("raw.validation_runs", "raw.validation_results", "raw.validation_failures")


def record(
    con,
    outcome: Outcome,
    frame: pd.DataFrame,
    run_id: str,
    context: str,
    source_col: str,
    file_col: str,
    cell_col: str,
) -> None:
    """Append one validation run (inside the caller's transaction)."""
    for name in TABLES:
        wh.ensure_table(con, name)
    errors = sum(f.severity == "error" for f in outcome.failures)
    run = pd.DataFrame(
        [
            {
                "run_id": run_id,
                "suite": outcome.suite,
                "context": context,
                "rows": outcome.rows,
                "success": outcome.success,
                "errors": errors,
                "warnings": len(outcome.failures) - errors,
                "validated_at": datetime.now(UTC),
            }
        ]
    )
    wh.append_rows(con, "raw.validation_runs", run)
    if outcome.results:
        res = pd.DataFrame([r | {"run_id": run_id, "context": context} for r in outcome.results])
        res["element_count"] = res["element_count"].astype("Int64")
        res["unexpected_count"] = res["unexpected_count"].astype("Int64")
        wh.append_rows(con, "raw.validation_results", res)
    rows = []
    for f in outcome.failures:
        row = frame.loc[f.row_id] if f.row_id is not None else None
        rows.append(
            {
                "run_id": run_id,
                "suite": outcome.suite,
                "context": context,
                "rule": f.rule,
                "severity": f.severity,
                "source_id": None if row is None else str(row[source_col]),
                "file": None if row is None else str(row[file_col]),
                "cell": None if row is None else str(row[cell_col]),
                "target_code": None if row is None else row.get("target_code"),
                "found": None if f.found is None else str(f.found),
            }
        )
    if rows:
        wh.append_rows(con, "raw.validation_failures", pd.DataFrame(rows).astype("string"))


def _plain(value):
    """NumPy scalars as Python values, so messages read ``152.9`` and not ``np.float64(152.9)``."""
    return value.item() if hasattr(value, "item") and not isinstance(value, str) else value


def first_failures(
    outcome: Outcome, frame: pd.DataFrame, file_col: str, cell_col: str, limit: int = 10
) -> str:
    """A markdown list of the first failing cells, for asset-check metadata."""
    lines = []
    for f in outcome.failures[:limit]:
        if f.row_id is None:
            lines.append(f"- {f.severity} `{f.rule}`: {f.found}")
        else:
            row = frame.loc[f.row_id]
            lines.append(
                f"- {f.severity} `{f.rule}` {row[file_col]} {row[cell_col]}: found {_plain(f.found)!r}"
            )
    return "\n".join(lines) or "none"
