"""The core fact table: every observation from every source, with its period and provenance."""

import dagster as dg
import pandas as pd

from chitieu import warehouse as wh
from chitieu.resources import WAREHOUSE_POOL, InputsResource, WarehouseResource

STAGING_VIEWS = (
    "staging.stg_manual_observations",
    "staging.stg_statistics_observations",
    "staging.stg_submissions",
    "staging.stg_department_observations",
    "staging.stg_observations",
)


@dg.asset(
    key=["core", "fact_observation"],
    group_name="core",
    deps=[
        ["raw", "manual_observations"],
        ["raw", "pxweb_observations"],
        ["raw", "submission_values"],
        ["core", "dim_period"],
        ["core", "dim_source_kind"],
    ],
    pool=WAREHOUSE_POOL,
)
def fact_observation(warehouse: WarehouseResource, inputs: InputsResource) -> dg.MaterializeResult:
    """Rebuilds the staging views and ``core.fact_observation`` from all sources in one transaction.
    Observations whose period code is unknown to ``core.dim_period`` are left out and counted.
    Point in time: only figures received and reported on or before the evaluation date
    (``core.evaluation_date``) are kept, so a run ``--as-of`` a past day sees what was known then."""
    as_of = inputs.as_of_date()
    with warehouse.get_connection() as con, wh.transaction(con):
        wh.write_table(con, "core.evaluation_date", pd.DataFrame({"as_of": [as_of]}))
        for raw_table in ("raw.pxweb_observations", "raw.submissions", "raw.submission_values"):
            wh.ensure_table(con, raw_table)
        for view in STAGING_VIEWS:
            wh.build(con, view)
        n = wh.build(con, "core.fact_observation")
        staged = wh.scalar(con, "select count(*) from staging.stg_observations")
        known_periods = wh.scalar(
            con,
            "select count(*) from staging.stg_observations join core.dim_period using (period_code)",
        )
        by_source = dict(
            con.execute(
                "select source_kind, count(*) from core.fact_observation group by all order by 1"
            ).fetchall()
        )
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": n,
            "staged": staged,
            "as_of": str(as_of),
            "dropped_unknown_period": staged - known_periods,
            "after_as_of": known_periods - n,
            "by_source": by_source,
        }
    )
