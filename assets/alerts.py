"""Alerts sent by the run (never by a sensor evaluation): rejected and warned submission files,
material discrepancies and late reports. Each alert goes once to each channel (chitieu/alerts.py)."""

import dagster as dg
import duckdb

from chitieu.alerts import AlertStore, discrepancy_alerts, late_alerts, send, submission_alerts
from chitieu.resources import WAREHOUSE_POOL, AlertsResource, InputsResource, WarehouseResource

ALERTS = {"group_name": "alerts", "kinds": {"apprise"}}


def _deliver(alerts: AlertsResource, pending: list) -> dg.MaterializeResult:
    sent = send(pending, alerts.urls, AlertStore(alerts.state_path))
    return dg.MaterializeResult(
        metadata={
            "candidates": len(pending),
            "sent": len(sent),
            "sent_keys": ", ".join(sent) or "none",
            "channels_configured": bool(alerts.urls.strip()),
        }
    )


@dg.asset(
    key=["ops", "submission_alerts"], deps=[["raw", "submissions"]], **ALERTS, pool=WAREHOUSE_POOL
)
def submission_alerts_asset(
    warehouse: WarehouseResource, inputs: InputsResource, alerts: AlertsResource
) -> dg.MaterializeResult:
    """One e-mail / webhook per rejected or warned file (all its rules in one message), linking to
    and attaching the feedback file; superseded files and files older than
    ``CHITIEU_ALERT_MAX_AGE_DAYS`` are left out. Depends only on raw/submissions, so a failed check
    elsewhere does not hold it back."""
    with duckdb.connect(warehouse.path, read_only=True) as con:
        pending = submission_alerts(
            con,
            inputs.outbox_dir,
            max_age_days=alerts.max_age_days,
            base_url=alerts.feedback_base_url,
        )
    return _deliver(alerts, pending)


@dg.asset(
    key=["ops", "discrepancy_alerts"],
    deps=[["mart", "source_discrepancies"]],
    **ALERTS,
    pool=WAREHOUSE_POOL,
)
def discrepancy_alerts_asset(
    warehouse: WarehouseResource, alerts: AlertsResource
) -> dg.MaterializeResult:
    """An alert for each statistics-versus-department difference above the configured threshold."""
    with duckdb.connect(warehouse.path, read_only=True) as con:
        pending = discrepancy_alerts(con)
    return _deliver(alerts, pending)


@dg.asset(
    key=["ops", "late_alerts"], deps=[["mart", "submission_status"]], **ALERTS, pool=WAREHOUSE_POOL
)
def late_alerts_asset(warehouse: WarehouseResource, alerts: AlertsResource) -> dg.MaterializeResult:
    """An alert for each department with no report for a period past its deadline, unless it has
    since sent a later (cumulative, so fuller) report."""
    with duckdb.connect(warehouse.path, read_only=True) as con:
        pending = late_alerts(con)
    return _deliver(alerts, pending)
