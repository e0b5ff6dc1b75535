"""The nightly job (every asset, in process: the multiprocess executor costs ~3.6 s per asset here)
and the small job that sends a failed run's alert."""

import dagster as dg

from chitieu.resources import WAREHOUSE_POOL, AlertsResource, WarehouseResource

nightly_job = dg.define_asset_job(
    name="nightly",
    selection=dg.AssetSelection.all(),
    executor_def=dg.in_process_executor,
    description="Catalogue → observations → warehouse → marts, for every loaded plan.",
)


class FailedRun(dg.Config):
    run_id: str
    job_name: str
    causes: list[str]


@dg.op(tags={"chitieu/role": "alert"}, pool=WAREHOUSE_POOL)
def send_run_failure_alert(
    context: dg.OpExecutionContext,
    config: FailedRun,
    alerts: AlertsResource,
    warehouse: WarehouseResource,
):
    """Sends the failed run's alert (its causes and its page in the UI), once per channel."""
    from chitieu.alerts import run_failure_alert, send, warehouse_store
    from chitieu.runner import run_url

    alert = run_failure_alert(
        config.run_id, config.job_name, config.causes, run_url(alerts.ui_url, config.run_id)
    )
    with warehouse_store(warehouse.path, context.run.run_id) as store:
        sent = send([alert], alerts.urls, store)
    context.log.info(f"run failure alert for {config.run_id}: sent to {len(sent)} alert(s)")


@dg.job(executor_def=dg.in_process_executor, tags={"chitieu/role": "alert"})
def run_failure_alert_job():
    """Started by run_failure_alert_sensor: the alert is sent by a run, never by a sensor tick."""
    send_run_failure_alert()
