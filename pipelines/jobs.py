"""The nightly job (every asset, in process: the multiprocess executor costs ~3.6 s per asset here)
and the small jobs that send a failed run's alert and failed (WARN) checks' alerts."""

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
    from chitieu.alert_channels import send, warehouse_store
    from chitieu.alerts import run_failure_alert
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


# What-if runs (another date or warehouse) leave what others read untouched: no snapshot,
# exports, council reports or alerts.
WHAT_IF_SKIPPED_GROUPS = ("publish", "alerts")


def what_if_selection(job: dg.JobDefinition) -> list[dg.AssetKey]:
    """Every asset of ``job`` except those that publish or send."""
    graph = job.asset_layer.asset_graph
    return [
        key
        for key in graph.get_all_asset_keys()
        if graph.get(key).group_name not in WHAT_IF_SKIPPED_GROUPS
        and graph.get(key).is_materializable
    ]


class CheckWarningConfig(dg.Config):
    run_id: str
    asset: str
    check: str
    rules: str
    cells: str


class CheckWarnings(dg.Config):
    warnings: list[CheckWarningConfig]


@dg.op(tags={"chitieu/role": "alert"}, pool=WAREHOUSE_POOL)
def send_check_warning_alerts(
    context: dg.OpExecutionContext,
    config: CheckWarnings,
    alerts: AlertsResource,
    warehouse: WarehouseResource,
):
    """Sends one alert per check warning (the same finding is alerted once, whatever the number of
    nights it persists), tracked in ops.alert_deliveries."""
    from chitieu.alert_channels import AlertStore, send
    from chitieu.alerts import check_warning_alert
    from chitieu.runner import run_url

    pending = [
        check_warning_alert(w.asset, w.check, w.rules, w.cells, run_url(alerts.ui_url, w.run_id))
        for w in config.warnings
    ]
    with warehouse.get_connection() as con:
        sent = send(pending, alerts.urls, AlertStore(con, context.run.run_id))
    context.log.info(f"{len(pending)} check warning(s): {len(sent)} alert(s) sent")


@dg.job(executor_def=dg.in_process_executor, tags={"chitieu/role": "alert"})
def check_warning_alert_job():
    """Started by check_failure_alert_sensor: the alert is sent by a run, never by a sensor tick."""
    send_check_warning_alerts()
