"""GX validation of the whole sample inbox (one batch) against the same rules as one DuckDB SQL query.

Both evaluate the department_submission suite's predicates on the same prepared frame (the derived
columns - previous cumulative value, share sums, z-scores - are computed once, outside the timing).
Target (issue 4): GX <= 5x SQL. The import of great_expectations is timed separately, and so is
GX on a one-row batch (its fixed cost); the sample is also replicated (--scale) to show the ratio
once the fixed cost is spread over more rows.

Run: .venv/bin/python -m benchmarks.validation_vs_sql
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from chitieu.catalogue import load_plan
from chitieu.reference import load_reference
from chitieu.resources import DEFAULT_PLANS_DIR, DEFAULT_REFERENCE_DIR, SAMPLE_INBOX_DIR
from chitieu.submissions.parser import parse_submission
from chitieu.validation.frames import submission_frame

# One scan of the frame; each rule contributes its name where it fails. (Thirteen UNION ALL
# branches, one scan each, measured 6x slower: every branch re-reads the pandas frame.)
RULES_SQL = """
with checked as (
    select row_id, [
        case when unit_expected = '%' and not is_rate and (value < 0 or value > 100) then 'percent_range' end,
        case when non_negative and value < 0 then 'negative_value' end,
        case when value is null then 'value_missing' end,
        case when not known_target then 'unknown_target' end,
        case when department_code <> target_department then 'not_own_target' end,
        case when unit_code <> unit_expected then 'unit_mismatch' end,
        case when not period_in_plan then 'period_outside_plan' end,
        case when metadata_period <> submission_period then 'period_metadata_mismatch' end,
        case when value < previous_cumulative then 'cumulative_decrease' end,
        case when share_sum < 99.9 or share_sum > 100.1 then 'shares_sum' end,
        case when needs_estimate and value_kind = 'actual' and not has_estimate then 'estimate_missing' end,
        case when abs(outlier_z) > 3.5 then 'outlier' end,
        case when not jump_ok then 'jump' end
    ] as rules
    from f
)
select rule, row_id from (select row_id, unnest(list_filter(rules, lambda r: r is not null)) as rule from checked)
"""


def best(fn, repeat: int) -> tuple[float, object]:
    times, out = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - start)
    return min(times), out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument(
        "--scale", type=int, nargs="*", default=[100, 1000], help="also time the sample x N rows"
    )
    args = ap.parse_args()
    ref = load_reference(DEFAULT_REFERENCE_DIR)
    plan = load_plan(Path(DEFAULT_PLANS_DIR) / "lai-chau-2024.yaml", ref)
    files = sorted(p for p in Path(SAMPLE_INBOX_DIR).rglob("*") if p.is_file())
    subs = [parse_submission(p, plan, ref, p.parent.name) for p in files]
    frame = submission_frame([s for s in subs if s.accepted], [plan], ref)
    start = time.perf_counter()
    from chitieu.validation.bridge import validate

    validate("department_submission", frame.head(1))
    t_import = time.perf_counter() - start

    con = duckdb.connect()
    con.register("f", frame)
    t_gx, outcome = best(lambda: validate("department_submission", frame), 10)
    t_sql, rows = best(lambda: con.execute(RULES_SQL).fetchall(), 10)
    t_floor, _ = best(lambda: validate("department_submission", frame.head(1)), 10)
    gx_failures = sorted((f.rule, f.row_id) for f in outcome.failures)
    assert gx_failures == sorted(rows), "GX and SQL must find the same failures"
    print(
        f"sample inbox: {len(files)} files, {len(frame)} figures in one batch, 16 expectations; {len(rows)} failing rows found by both"
    )
    print(
        f"first GX use (import + context): {t_import:.2f} s (paid once per process, only on paths that validate)"
    )
    print(
        f"GX on a one-row batch: {t_floor * 1000:.1f} ms (its fixed cost for 16 expectations = {t_floor / t_sql:,.1f}x the SQL query)"
    )
    print(
        f"GX validate (one batch): {t_gx * 1000:8.1f} ms | DuckDB SQL (one query): {t_sql * 1000:6.2f} ms | GX = {t_gx / t_sql:,.1f}x SQL (target <= 5x)"
    )
    for copies in args.scale:
        big = pd.concat([frame] * copies, ignore_index=True)
        big["row_id"] = np.arange(len(big))
        con.register("f", big)
        t_gx, _ = best(lambda big=big: validate("department_submission", big), 3)
        t_sql, _ = best(lambda: con.execute(RULES_SQL).fetchall(), 3)
        print(
            f"sample x {copies:>5} ({len(big):>7,} rows): GX {t_gx * 1000:8.1f} ms | SQL {t_sql * 1000:7.2f} ms | GX = {t_gx / t_sql:,.1f}x SQL"
        )


if __name__ == "__main__":
    main()
