"""Alerts sent by the run (never by a sensor evaluation): rejected and warned submission files,
material discrepancies and late reports. Each alert goes once to each channel, tracked in
``ops.alert_deliveries`` (chitieu/alert_channels.py); the run holds the warehouse (pool ``chitieu_warehouse``)."""

import dagster as dg

from chitieu.alert_channels import AlertStore, send
from chitieu.alerts import discrepancy_alerts, late_alerts, submission_alerts
from chitieu.resources import WAREHOUSE_POOL, AlertsResource, InputsResource, WarehouseResource

ALERTS = {"group_name": "alerts", "kinds": {"apprise"}, "pool": WAREHOUSE_POOL}


def _deliver(context, con, alerts: AlertsResource, pending: list) -> dg.MaterializeResult:
    sent = send(pending, alerts.urls, AlertStore(con, context.run.run_id))
    return dg.MaterializeResult(
        metadata={
            "candidates": len(pending),
            "sent": len(sent),
            "sent_keys": ", ".join(sent) or "none",
            "channels_configured": bool(alerts.urls.strip()),
        }
    )


@dg.asset(key=["ops", "submission_alerts"], deps=[["raw", "submissions"]], **ALERTS)
def submission_alerts_asset(
    context: dg.AssetExecutionContext,
    warehouse: WarehouseResource,
    inputs: InputsResource,
    alerts: AlertsResource,
) -> dg.MaterializeResult:
    """One e-mail / webhook per rejected or warned file (all its rules in one message), linking to
    and attaching the feedback file; superseded files and files older than
    ``CHITIEU_ALERT_MAX_AGE_DAYS`` are left out. Depends only on raw/submissions, so a failed check
    elsewhere does not hold it back."""
    with warehouse.get_connection() as con:
        pending = submission_alerts(
            con,
            inputs.outbox_dir,
            now=inputs.as_of_end(),
            max_age_days=alerts.max_age_days,
            base_url=alerts.feedback_base_url,
        )
        return _deliver(context, con, alerts, pending)


@dg.asset(key=["ops", "discrepancy_alerts"], deps=[["mart", "source_discrepancies"]], **ALERTS)
def discrepancy_alerts_asset(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource, alerts: AlertsResource
) -> dg.MaterializeResult:
    """An alert for each statistics-versus-department difference above the configured threshold,
    unless known for longer than ``CHITIEU_ALERT_MAX_AGE_DAYS`` before the evaluation date."""
    with warehouse.get_connection() as con:
        pending = discrepancy_alerts(con, max_age_days=alerts.max_age_days)
        return _deliver(context, con, alerts, pending)


@dg.asset(key=["ops", "late_alerts"], deps=[["mart", "submission_status"]], **ALERTS)
def late_alerts_asset(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource, alerts: AlertsResource
) -> dg.MaterializeResult:
    """An alert for each department with no report for a period past its deadline, unless it has
    since sent a later (cumulative, so fuller) report; deadlines that passed more than
    ``CHITIEU_ALERT_MAX_AGE_DAYS`` before the evaluation date are left out."""
    with warehouse.get_connection() as con:
        pending = late_alerts(con, max_age_days=alerts.max_age_days)
        return _deliver(context, con, alerts, pending)
