"""Reference dimensions: departments, areas, units, source precedence and code labels."""

import dagster as dg

from chitieu import warehouse as wh
from chitieu.labels import load_labels
from chitieu.reference import load_precedence, load_reference
from chitieu.resources import WAREHOUSE_POOL, InputsResource, WarehouseResource


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            ["core", "dim_department"],
            description="Departments that own targets (Vietnamese and English names, report deadline).",
        ),
        dg.AssetSpec(
            ["core", "dim_area"],
            description="Lai Chau province (12), its districts (105-112) and the poor-district group.",
        ),
        dg.AssetSpec(
            ["core", "dim_unit"], description="Units of measure used by targets and observations."
        ),
        dg.AssetSpec(
            ["core", "dim_figure_precedence"],
            description="Source precedence: rank and finality of each period kind × data status.",
        ),
        dg.AssetSpec(
            ["core", "dim_source_kind"],
            description="Source kinds (statistics, department, manual) and their priority on ties.",
        ),
        dg.AssetSpec(
            ["core", "dim_label"],
            description="Vietnamese and English labels of the codes the marts expose.",
        ),
    ],
    group_name="reference",
    pool=WAREHOUSE_POOL,
)
def reference_dimensions(warehouse: WarehouseResource, inputs: InputsResource):
    """Load the reference YAML files into the core dimension tables."""
    ref = load_reference(inputs.reference_dir)
    figures, sources = load_precedence(inputs.reference_dir)
    areas = ref.areas.assign(member_codes=ref.areas["members"].map(",".join))
    with warehouse.get_connection() as con, wh.transaction(con):
        counts = {
            "dim_department": wh.write_table(con, "core.dim_department", ref.departments),
            "dim_area": wh.write_table(con, "core.dim_area", areas),
            "dim_unit": wh.write_table(con, "core.dim_unit", ref.units),
            "dim_figure_precedence": wh.write_table(con, "core.dim_figure_precedence", figures),
            "dim_source_kind": wh.write_table(con, "core.dim_source_kind", sources),
            "dim_label": wh.write_table(
                con, "core.dim_label", load_labels(inputs.reference_dir)[0]
            ),
        }
    for table, n in counts.items():
        yield dg.MaterializeResult(asset_key=["core", table], metadata={"dagster/row_count": n})
