"""The core fact table: every observation from every source, with its period and provenance."""

import dagster as dg

from chitieu import warehouse as wh
from chitieu.resources import WAREHOUSE_POOL, WarehouseResource

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
def fact_observation(warehouse: WarehouseResource) -> dg.MaterializeResult:
    """Rebuilds the staging views and ``core.fact_observation`` from all sources in one transaction.
    Observations whose period code is unknown to ``core.dim_period`` are left out and counted."""
    with warehouse.get_connection() as con, wh.transaction(con):
        for raw_table in ("raw.pxweb_observations", "raw.submissions", "raw.submission_values"):
            wh.ensure_table(con, raw_table)
        for view in STAGING_VIEWS:
            wh.build(con, view)
        n = wh.build(con, "core.fact_observation")
        staged = wh.scalar(con, "select count(*) from staging.stg_observations")
        by_source = dict(
            con.execute(
                "select source_kind, count(*) from core.fact_observation group by all order by 1"
            ).fetchall()
        )
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": n,
            "staged": staged,
            "dropped_unknown_period": staged - n,
            "by_source": by_source,
        }
    )
