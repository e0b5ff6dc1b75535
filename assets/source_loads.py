"""Source health: mart.source_loads and the alerts for rejected, stale or moved statistics tables."""

import dagster as dg

from chitieu import warehouse as wh
from chitieu.alert_channels import AlertStore, send
from chitieu.resources import WAREHOUSE_POOL, AlertsResource, StatisticsResource, WarehouseResource
from chitieu.source_alerts import statistics_alerts


@dg.asset(
    key=["mart", "source_loads"],
    group_name="mart",
    deps=[
        ["raw", "pxweb_observations"],
        ["raw", "worldbank_observations"],
        ["raw", "manual_observations"],
        ["core", "dim_label"],
    ],
    pool=WAREHOUSE_POOL,
)
def source_loads(
    warehouse: WarehouseResource, statistics: StatisticsResource
) -> dg.MaterializeResult:
    """Per source, the latest attempt, the last successful retrieval, failures since, and whether it
    is rejected or stale (statistics older than ``CHITIEU_STATS_STALE_DAYS``)."""
    with warehouse.get_connection() as con, wh.transaction(con):
        wh.ensure_table(con, "raw.source_loads")
        con.execute("set variable stale_days = ?", [int(statistics.stale_days)])
        n = wh.build(con, "mart.source_loads")
        attention = [
            r[0]
            for r in con.execute(
                "select source_name from mart.source_loads where needs_attention"
            ).fetchall()
        ]
        preview = wh.preview_markdown(
            con,
            "select source_name, last_status, last_success_at, is_stale from mart.source_loads",
            30,
        )
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": n,
            "needs_attention": ", ".join(attention) or "none",
            "preview": dg.MetadataValue.md(preview),
        }
    )


@dg.asset(
    key=["ops", "statistics_alerts"],
    group_name="alerts",
    kinds={"apprise"},
    deps=[["mart", "source_loads"]],
    pool=WAREHOUSE_POOL,
)
def statistics_alerts_asset(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource, alerts: AlertsResource
) -> dg.MaterializeResult:
    """An alert for each rejected or stale statistics table or indicator (once per outage), and for
    a moved table whose pin a person should update."""
    with warehouse.get_connection() as con:
        pending = statistics_alerts(con)
        sent = send(pending, alerts.urls, AlertStore(con, context.run.run_id))
    return dg.MaterializeResult(
        metadata={
            "candidates": len(pending),
            "sent": len(sent),
            "alerts": "; ".join(a.title for a in pending) or "none",
        }
    )
