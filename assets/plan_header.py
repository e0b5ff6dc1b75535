"""The plan resolutions' headers and group headings, for the council report and BI."""

import dagster as dg

from assets.plans import load_plans
from chitieu import warehouse as wh
from chitieu.plan_header import header_frames, load_plan_header
from chitieu.resources import WAREHOUSE_POOL, InputsResource, WarehouseResource


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            ["core", "dim_plan"],
            description="One row per plan resolution: number, title, issuer, date, citation.",
            deps=[["core", "dim_target"]],
        ),
        dg.AssetSpec(
            ["core", "dim_plan_group"],
            description="Headings of each plan's target groups (1)-(10), Vietnamese and English.",
            deps=[["core", "dim_target"]],
        ),
    ],
    group_name="plans",
    pool=WAREHOUSE_POOL,
)
def plan_headers(warehouse: WarehouseResource, inputs: InputsResource):
    """Read each plan YAML's ``plan:`` header; every group its targets use must have a heading."""
    used = {p.plan_id: {t.group_no for t in p.targets} for p in load_plans(inputs)}
    headers = [load_plan_header(path, used) for path in inputs.plan_files()]
    plans, groups = header_frames(headers)
    with warehouse.get_connection() as con, wh.transaction(con):
        counts = {
            "dim_plan": wh.write_table(con, "core.dim_plan", plans),
            "dim_plan_group": wh.write_table(con, "core.dim_plan_group", groups),
        }
    for table, n in counts.items():
        yield dg.MaterializeResult(asset_key=["core", table], metadata={"dagster/row_count": n})
