"""BI-facing marts: indicator time series and submission status (reporting rate and timeliness)."""

import dagster as dg

from assets.plans import load_plans
from chitieu import warehouse as wh
from chitieu.calendar import expected_reports
from chitieu.reference import load_reference
from chitieu.resources import WAREHOUSE_POOL, InputsResource, WarehouseResource


@dg.asset(
    key=["mart", "indicator_series"],
    group_name="mart",
    deps=[["core", "fact_observation"], ["core", "dim_label"]],
    pool=WAREHOUSE_POOL,
)
def indicator_series(warehouse: WarehouseResource) -> dg.MaterializeResult:
    """Target × area × period: the figure in force (cumulative for flows), the estimate and the plan value."""
    n = wh.build_model(warehouse, "mart.indicator_series")
    return dg.MaterializeResult(metadata={"dagster/row_count": n})


@dg.asset(
    key=["core", "expected_reports"],
    group_name="core",
    deps=[["core", "dim_target"], ["core", "dim_department"]],
    pool=WAREHOUSE_POOL,
)
def expected_reports_asset(
    warehouse: WarehouseResource, inputs: InputsResource
) -> dg.MaterializeResult:
    """The reports each department owes per plan (sources/reference/reporting_calendar.yaml) and their deadlines."""
    ref = load_reference(inputs.reference_dir)
    frame = expected_reports(
        load_plans(inputs),
        ref.departments,
        f"{inputs.reference_dir}/reporting_calendar.yaml",
        inputs.as_of_date(),
    )
    with warehouse.get_connection() as con, wh.transaction(con):
        n = wh.write_table(con, "core.expected_reports", frame)
    return dg.MaterializeResult(metadata={"dagster/row_count": n})


@dg.asset(
    key=["mart", "submission_status"],
    group_name="mart",
    deps=[["core", "expected_reports"], ["raw", "submissions"], ["core", "fact_observation"]],
    pool=WAREHOUSE_POOL,
)
def submission_status(warehouse: WarehouseResource) -> dg.MaterializeResult:
    """Per department and expected period: received, on time, accepted or rejected, or missing once overdue."""
    with warehouse.get_connection() as con, wh.transaction(con):
        n = wh.build(con, "mart.submission_status")
        counts = dict(
            con.execute("select status, count(*) from mart.submission_status group by 1").fetchall()
        )
    return dg.MaterializeResult(
        metadata={"dagster/row_count": n, **{f"status/{k}": v for k, v in counts.items()}}
    )
