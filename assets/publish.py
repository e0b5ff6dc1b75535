"""What BI tools and the council read: exports, reports and, last, the published warehouse snapshot."""

from pathlib import Path

import dagster as dg

from chitieu.publish import export_changed_tables, publish_snapshot
from chitieu.reports import write_html, write_xlsx
from chitieu.resources import WAREHOUSE_POOL, PublishResource, WarehouseResource

MART_KEYS = [
    ["mart", "target_attainment"],
    ["mart", "attainment_summary"],
    ["mart", "indicator_series"],
    ["mart", "submission_status"],
    ["mart", "submission_changes"],
    ["mart", "source_discrepancies"],
]
# dimensions travel with the marts, so an export can be joined without the warehouse
DIMENSION_KEYS = [
    ["core", "dim_plan"],
    ["core", "dim_plan_group"],
    ["core", "dim_target"],
    ["core", "dim_department"],
    ["core", "dim_area"],
    ["core", "dim_unit"],
    ["core", "dim_period"],
    ["core", "dim_label"],
]
BI_TABLES = [".".join(k) for k in MART_KEYS + DIMENSION_KEYS]


@dg.asset(
    key=["publish", "exports"],
    group_name="publish",
    deps=MART_KEYS + DIMENSION_KEYS,
    pool=WAREHOUSE_POOL,
)
def exports(warehouse: WarehouseResource, publish: PublishResource) -> dg.MaterializeResult:
    """Parquet and two CSV flavours (machine: UTF-8, ',' and '.'; spreadsheet: UTF-8 BOM, ';' and
    decimal comma), formula-injection-safe, of every BI mart and the dimensions they refer to;
    a table whose content has not changed since its files were written is left as it is."""
    with warehouse.get_connection() as con:
        files, unchanged = export_changed_tables(con, BI_TABLES, publish.exports_dir)
    return dg.MaterializeResult(
        metadata={
            "files": len(files),
            "unchanged_tables": ", ".join(unchanged) or "none",
            "dir": dg.MetadataValue.path(str(Path(publish.exports_dir).resolve())),
        }
    )


@dg.asset(
    key=["publish", "attainment_report"],
    group_name="publish",
    deps=[*MART_KEYS, ["core", "dim_plan"], ["core", "dim_unit"]],
    pool=WAREHOUSE_POOL,
)
def attainment_report(
    warehouse: WarehouseResource, publish: PublishResource
) -> dg.MaterializeResult:
    """The council report: an xlsx in the planning department's form and a self-contained HTML page."""
    out = Path(publish.reports_dir)
    with warehouse.get_connection() as con:
        plans = [
            r[0]
            for r in con.execute(
                "select distinct plan_id from mart.target_attainment order by 1"
            ).fetchall()
        ]
        written = []
        for plan_id in plans:
            written.append(write_xlsx(con, out / f"{plan_id}.xlsx", plan_id))
            written.append(write_html(con, out / f"{plan_id}.html", plan_id))
    return dg.MaterializeResult(metadata={"files": [str(p) for p in written]})


@dg.asset(
    key=["publish", "warehouse"],
    group_name="publish",
    deps=[*MART_KEYS, ["publish", "exports"], ["publish", "attainment_report"]],
    pool=WAREHOUSE_POOL,
)
def published_warehouse(
    warehouse: WarehouseResource, publish: PublishResource
) -> dg.MaterializeResult:
    """The read-only snapshot BI tools open (``CHITIEU_PUBLISHED_WAREHOUSE``), replaced atomically at the
    end of a successful run: checkpointed, no ``.wal`` beside it, never half-written. A failed run
    leaves the previous snapshot in place; a reader holding the old file keeps a consistent view."""
    with warehouse.released() as path:
        info = publish_snapshot(path, publish.published_path)
    return dg.MaterializeResult(
        metadata={
            "path": dg.MetadataValue.path(str(Path(info["path"]).resolve())),
            "bytes": info["bytes"],
            "storage_version": info["storage_version"],
        }
    )
