"""GX validation of the whole sample inbox (one batch) against the same rules as one DuckDB SQL query.

Both evaluate the department_submission suite's predicates on the same prepared frame (the derived
columns - previous cumulative value, share sums, z-scores - are computed once, outside the timing).
Target (issue 4): GX <= 5x SQL. The import of great_expectations is timed separately.

Run: .venv/bin/python -m benchmarks.validation_vs_sql
"""

from __future__ import annotations

import time
from pathlib import Path

import duckdb

from chitieu.catalogue import load_plan
from chitieu.reference import load_reference
from chitieu.resources import DEFAULT_INBOX_DIR, DEFAULT_PLANS_DIR, DEFAULT_REFERENCE_DIR
from chitieu.submissions.parser import parse_submission
from chitieu.validation.frames import submission_frame

RULES_SQL = """
select 'percent_range' as rule, row_id from f where unit_expected = '%' and not is_rate and (value < 0 or value > 100)
union all select 'negative_value', row_id from f where non_negative and value < 0
union all select 'value_missing', row_id from f where value is null
union all select 'unknown_target', row_id from f where not known_target
union all select 'not_own_target', row_id from f where department_code is not null and target_department is not null and department_code <> target_department
union all select 'unit_mismatch', row_id from f where unit_code is not null and unit_expected is not null and unit_code <> unit_expected
union all select 'period_outside_plan', row_id from f where not period_in_plan
union all select 'period_metadata_mismatch', row_id from f where metadata_period is not null and submission_period is not null and metadata_period <> submission_period
union all select 'cumulative_decrease', row_id from f where previous_cumulative is not null and value < previous_cumulative
union all select 'shares_sum', row_id from f where share_sum is not null and (share_sum < 99.9 or share_sum > 100.1)
union all select 'estimate_missing', row_id from f where needs_estimate and value_kind = 'actual' and not has_estimate
union all select 'outlier', row_id from f where outlier_z is not null and abs(outlier_z) > 3.5
union all select 'jump', row_id from f where not jump_ok
"""


def best(fn, repeat: int) -> tuple[float, object]:
    times, out = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - start)
    return min(times), out


def main() -> None:
    ref = load_reference(DEFAULT_REFERENCE_DIR)
    plan = load_plan(Path(DEFAULT_PLANS_DIR) / "lai-chau-2024.yaml", ref)
    files = sorted(p for p in Path(DEFAULT_INBOX_DIR).rglob("*") if p.is_file())
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
    gx_failures = sorted((f.rule, f.row_id) for f in outcome.failures)
    assert gx_failures == sorted(rows), "GX and SQL must find the same failures"
    print(
        f"sample inbox: {len(files)} files, {len(frame)} figures in one batch, 16 expectations; {len(rows)} failing rows found by both"
    )
    print(
        f"first GX use (import + context): {t_import:.2f} s (paid once per process, only on paths that validate)"
    )
    print(
        f"GX validate (one batch): {t_gx * 1000:8.1f} ms | DuckDB SQL (one query): {t_sql * 1000:6.2f} ms | GX = {t_gx / t_sql:,.0f}x SQL (target <= 5x)"
    )


if __name__ == "__main__":
    main()
