"""One blocking asset check per expectation suite (a small GX 1.x bridge; dagster-ge supports only GX < 1.0).

Each check validates what actually flows downstream. An error-severity failure fails the check with
severity ERROR, which blocks downstream assets and fails the run: the run-failure alert carries its
rules and cells (one alert). Warnings alone fail the check with severity WARN, which blocks nothing;
check_failure_alert_sensor (pipelines/sensors.py) requests the run that alerts them. Department
warnings are the exception: each warned file is already alerted to the department and the team
(ops/submission_alerts, ops/department_alerts), so they stay in the metadata.
"""

import dagster as dg

from assets.plans import load_plans
from assets.submissions import history
from chitieu import warehouse as wh
from chitieu.reference import load_reference
from chitieu.resources import WAREHOUSE_POOL, InputsResource, ValidationResource, WarehouseResource


def _result(
    context,
    con,
    suite: str,
    frame,
    cols: tuple[str, str, str],
    validation: ValidationResource,
    warnings_fail: bool = True,
) -> dg.AssetCheckResult:
    """Validate ``frame``, keep the results as data, and report counts and the first failing cells."""
    from chitieu.validation.cache import validate_once
    from chitieu.validation.store import first_failures, record

    file_col, cell_col, source_col = cols
    with wh.transaction(con):
        outcome, reused = validate_once(con, suite, frame, validation.gx_dir or None, cols)
    with wh.transaction(con):
        record(con, outcome, frame, context.run.run_id, "check", source_col, file_col, cell_col)
    errors = sum(f.severity == "error" for f in outcome.failures)
    warnings = len(outcome.failures) - errors
    warned = not errors and warnings and warnings_fail
    return dg.AssetCheckResult(
        passed=errors == 0 and not warned,
        severity=dg.AssetCheckSeverity.WARN if warned else dg.AssetCheckSeverity.ERROR,
        metadata={
            "suite": f"expectations/{suite}.json",
            "rows": outcome.rows,
            "reused_unchanged_result": reused,
            "unexpected_errors": errors,
            "unexpected_warnings": warnings,
            "failed_rules": ", ".join(sorted({f.rule for f in outcome.failures})) or "none",
            "first_failing_cells": dg.MetadataValue.md(
                first_failures(outcome, frame, file_col, cell_col)
            ),
        },
    )


@dg.asset_check(
    asset=["raw", "submission_values"],
    blocking=True,
    name="department_submission_suite",
    pool=WAREHOUSE_POOL,
)
def department_submission_suite(
    context: dg.AssetCheckExecutionContext,
    warehouse: WarehouseResource,
    inputs: InputsResource,
    validation: ValidationResource,
) -> dg.AssetCheckResult:
    """expectations/department_submission.json on the figures of every current accepted submission."""
    from chitieu.validation.frames import submission_frame

    with warehouse.get_connection() as con:
        values = con.execute(
            """select v.*, s.plan_id, s.file_name, s.department_code, s.period_code as submission_period, null as metadata_period
               from raw.submission_values as v join staging.stg_submissions as s using (submission_id) where s.is_current"""
        ).df()
        hist = history(con)
        hist = hist[~hist["submission_id"].isin(set(values["submission_id"]))]
        frame = submission_frame(
            values, load_plans(inputs), load_reference(inputs.reference_dir), hist
        )
        return _result(
            context,
            con,
            "department_submission",
            frame,
            ("file_name", "cell", "submission_id"),
            validation,
            warnings_fail=False,
        )


@dg.asset_check(
    asset=["raw", "manual_observations"],
    blocking=True,
    name="manual_observations_suite",
    pool=WAREHOUSE_POOL,
)
def manual_observations_suite(
    context: dg.AssetCheckExecutionContext,
    warehouse: WarehouseResource,
    inputs: InputsResource,
    validation: ValidationResource,
) -> dg.AssetCheckResult:
    """expectations/manual_observations.json on the loaded manual observations."""
    from chitieu.validation.frames import manual_frame

    ref = load_reference(inputs.reference_dir)
    with warehouse.get_connection() as con:
        rows = con.execute("select * from raw.manual_observations").df()
        targets = con.execute("select * from core.dim_target").df()
        frame = manual_frame(rows, targets, ref.areas, ref)
        return _result(
            context,
            con,
            "manual_observations",
            frame,
            ("source_file", "line", "source_file"),
            validation,
        )


@dg.asset_check(
    asset=["raw", "pxweb_observations"],
    blocking=True,
    name="national_statistics_suite",
    pool=WAREHOUSE_POOL,
)
def national_statistics_suite(
    context: dg.AssetCheckExecutionContext,
    warehouse: WarehouseResource,
    inputs: InputsResource,
    validation: ValidationResource,
) -> dg.AssetCheckResult:
    """expectations/national_statistics.json on the cells read from PX-Web."""
    from chitieu.validation.frames import statistics_frame

    with warehouse.get_connection() as con:
        wh.ensure_table(con, "raw.pxweb_observations")
        rows = con.execute("select * from raw.pxweb_observations").df()
        targets = con.execute("select * from core.dim_target").df()
        frame = statistics_frame(rows, targets, load_reference(inputs.reference_dir))
        return _result(
            context, con, "national_statistics", frame, ("url", "where", "table_key"), validation
        )


@dg.asset_check(
    asset=["core", "dim_target"], blocking=True, name="catalogue_suite", pool=WAREHOUSE_POOL
)
def catalogue_suite(
    context: dg.AssetCheckExecutionContext,
    warehouse: WarehouseResource,
    validation: ValidationResource,
) -> dg.AssetCheckResult:
    """expectations/catalogue.json on the loaded plan catalogue."""
    from chitieu.validation.frames import catalogue_frame

    with warehouse.get_connection() as con:
        frame = catalogue_frame(con.execute("select * from core.dim_target").df())
        return _result(
            context, con, "catalogue", frame, ("source_ref", "target_code", "plan_id"), validation
        )
