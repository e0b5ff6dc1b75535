"""Alerts sent during the run: rejected and warned submissions, and material discrepancies."""

import dagster as dg
import duckdb

from chitieu.alerts import AlertStore, discrepancy_alerts, send, submission_alerts
from chitieu.resources import AlertsResource, InputsResource, WarehouseResource


@dg.asset(key=["ops", "submission_alerts"], group_name="alerts", deps=[["raw", "submissions"]])
def submission_alerts_asset(
    warehouse: WarehouseResource, inputs: InputsResource, alerts: AlertsResource
) -> dg.MaterializeResult:
    """E-mail / webhook for each rejected submission and each warning (once per submission and rule),
    pointing to (and attaching) the feedback file. Depends only on raw/submissions, so a failed
    check elsewhere does not hold it back."""
    with duckdb.connect(warehouse.path, read_only=True) as con:
        pending = submission_alerts(con, inputs.outbox_dir)
    sent = send(pending, alerts.urls, AlertStore(alerts.state_path))
    return dg.MaterializeResult(
        metadata={
            "candidates": len(pending),
            "sent": len(sent),
            "channels_configured": bool(alerts.urls.strip()),
        }
    )


@dg.asset(
    key=["ops", "discrepancy_alerts"], group_name="alerts", deps=[["mart", "source_discrepancies"]]
)
def discrepancy_alerts_asset(
    warehouse: WarehouseResource, alerts: AlertsResource
) -> dg.MaterializeResult:
    """An alert for each statistics-versus-department difference above the configured threshold."""
    with duckdb.connect(warehouse.path, read_only=True) as con:
        pending = discrepancy_alerts(con)
    sent = send(pending, alerts.urls, AlertStore(alerts.state_path))
    return dg.MaterializeResult(metadata={"candidates": len(pending), "sent": len(sent)})
