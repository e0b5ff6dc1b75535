"""The plan catalogue and the reporting periods it needs."""

import dagster as dg
import pandas as pd

from chitieu import warehouse as wh
from chitieu.catalogue import load_plan
from chitieu.periods import periods_for_year
from chitieu.reference import load_reference
from chitieu.resources import WAREHOUSE_POOL, InputsResource, WarehouseResource

# One partition per plan (its id), registered from the plans folder by pipelines.partitions:
# one plan's marts can be rebuilt or backfilled alone, and the nightly run covers them all.
PLAN_PARTITIONS = dg.DynamicPartitionsDefinition(name="plans")
PLAN_BACKFILL = dg.BackfillPolicy.single_run()


def load_plans(inputs: InputsResource) -> list:
    """Every plan YAML in the plans folder, checked against the reference data."""
    ref = load_reference(inputs.reference_dir)
    return [load_plan(p, ref) for p in inputs.plan_files()]


@dg.asset(
    key=["core", "dim_target"],
    group_name="plans",
    pool=WAREHOUSE_POOL,
    deps=[["core", "dim_department"], ["core", "dim_area"], ["core", "dim_unit"]],
)
def dim_target(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource, inputs: InputsResource
) -> dg.MaterializeResult:
    """Every target of every plan resolution in ``sources/plans``, with its exact value, unit, kind,
    tolerance, department and area. The catalogue is checked on load: unique codes, known units,
    departments and areas, and values that parse; an error names the file and the entry."""
    plans = load_plans(inputs)
    frame = pd.concat([p.targets_frame() for p in plans], ignore_index=True)
    with warehouse.get_connection() as con, wh.transaction(con):
        n = wh.write_table(con, "core.dim_target", frame)
        preview = wh.preview_markdown(
            con,
            "select target_code, group_no, name_vi, unit, kind, target_value from core.dim_target",
        )
    context.log.info(f"loaded {n} targets from {len(plans)} plan(s)")
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": n,
            "plans": [p.plan_id for p in plans],
            "preview": dg.MetadataValue.md(preview),
        }
    )


@dg.asset(
    key=["core", "dim_period"],
    group_name="plans",
    deps=[["core", "dim_target"]],
    pool=WAREHOUSE_POOL,
)
def dim_period(warehouse: WarehouseResource, inputs: InputsResource) -> dg.MaterializeResult:
    """All reporting periods of every plan year (each year of a multi-year plan) and its baseline year."""
    years = sorted({y for p in load_plans(inputs) for y in range(p.baseline_year, p.year + 1)})
    frame = pd.DataFrame(
        [
            {
                "period_code": p.code,
                "period_type": p.period_type,
                "year": p.year,
                "start_date": p.start_date,
                "end_date": p.end_date,
                "end_month": p.end_month,
                "elapsed_fraction": p.elapsed_fraction,
                "label_vi": p.label_vi,
                "label_en": p.label_en,
            }
            for y in years
            for p in periods_for_year(y)
        ]
    )
    with warehouse.get_connection() as con, wh.transaction(con):
        n = wh.write_table(con, "core.dim_period", frame)
    return dg.MaterializeResult(metadata={"dagster/row_count": n, "years": years})
