"""The inbox sensor: a new or changed department file triggers ingestion at once."""

import dagster as dg

from chitieu.reference import load_reference
from chitieu.resources import AlertsResource, InputsResource, PublishResource
from chitieu.submissions.inbox import scan_inbox
from pipelines.jobs import nightly_job
from pipelines.partitions import all_plans_tags, partition_requests, plan_ids


@dg.sensor(
    job=nightly_job, minimum_interval_seconds=60, default_status=dg.DefaultSensorStatus.RUNNING
)
def inbox_sensor(context: dg.SensorEvaluationContext, inputs: InputsResource):
    """One nightly run per new file content: the content hash is the run key, so an unchanged file
    never triggers twice and a changed file (new hash) always does. The whole job runs (in process,
    about 10 s on the sample), so a new file also refreshes the marts, the published snapshot and
    the alerts, and a fresh warehouse is built whole; warehouse writers run one at a time (dagster.yaml)."""
    departments = load_reference(inputs.reference_dir).department_codes
    files = scan_inbox(inputs.inbox_dir, departments)
    plans = all_plans_tags(context.instance)
    if files and plans is None:
        yield dg.SkipReason("no plan partition registered yet (plan_partitions_sensor)")
        return
    for f in files:
        key = f.sha256 or f"refused:{f.path}"
        yield dg.RunRequest(
            run_key=key,
            tags={"chitieu/file": str(f.path), "chitieu/department": f.department or ""} | plans,
        )
    if not files:
        yield dg.SkipReason(f"no files in {inputs.inbox_dir}")


def _send(alerts_resource, pending) -> list[str]:
    from chitieu.alerts import AlertStore, send

    return send(pending, alerts_resource.urls, AlertStore(alerts_resource.state_path))


def check_failure_alert_sensor(check_keys: list):
    """Alerts on failed asset checks: in Dagster OSS a failed check does not fail the run,
    so run-failure sensors never see bad data."""
    from dagster._core.storage.asset_check_execution_record import AssetCheckExecutionRecordStatus

    from chitieu.alerts import Alert

    @dg.sensor(
        name="check_failure_alert_sensor",
        minimum_interval_seconds=60,
        default_status=dg.DefaultSensorStatus.RUNNING,
    )
    def _sensor(context: dg.SensorEvaluationContext, alerts: AlertsResource):
        pending = []
        for key in check_keys:
            records = context.instance.event_log_storage.get_asset_check_execution_history(
                key, limit=5, status={AssetCheckExecutionRecordStatus.FAILED}
            )
            for rec in records:
                meta = (
                    rec.event.asset_check_evaluation.metadata
                    if rec.event and rec.event.asset_check_evaluation
                    else {}
                )
                cells = meta.get("first_failing_cells")
                detail = cells.value if cells is not None else ""
                pending.append(
                    Alert(
                        key=f"check:{key.to_user_string()}:{rec.run_id}",
                        title=f"[chitieu] Kiểm tra dữ liệu không đạt / Data check failed: {key.name}",
                        body=(
                            f"Bộ quy tắc {key.name} phát hiện lỗi trong lần chạy {rec.run_id}; các bước phía sau đã bị chặn.\n"
                            f"Check {key.name} on {key.asset_key.to_user_string()} failed in run {rec.run_id}; downstream assets were blocked.\n{detail}"
                        ),
                    )
                )
        sent = _send(alerts, pending)
        return dg.SkipReason(f"{len(sent)} alert(s) sent for failed checks")

    return _sensor


@dg.run_failure_sensor(
    name="run_failure_alert_sensor", default_status=dg.DefaultSensorStatus.RUNNING
)
def run_failure_alert_sensor(context: dg.RunFailureSensorContext, alerts: AlertsResource):
    """Alerts when a run fails (a crashed step, an unreadable catalogue...)."""
    from chitieu.alerts import Alert

    run = context.dagster_run
    message = (context.failure_event.message or "")[:500]
    _send(
        alerts,
        [
            Alert(
                key=f"run_failure:{run.run_id}",
                title=f"[chitieu] Lần chạy thất bại / Run failed: {run.job_name}",
                body=f"Lần chạy {run.run_id} của {run.job_name} thất bại.\nRun {run.run_id} of {run.job_name} failed: {message}",
            )
        ],
    )


@dg.sensor(
    name="late_submission_sensor",
    minimum_interval_seconds=6 * 3600,
    default_status=dg.DefaultSensorStatus.RUNNING,
)
def late_submission_sensor(
    context: dg.SensorEvaluationContext, publish: "PublishResource", alerts: AlertsResource
):
    """Alerts for each department with nothing for a period whose deadline has passed (from the
    published snapshot, read-only, so it never competes with the nightly write)."""
    from pathlib import Path

    import duckdb

    from chitieu.alerts import late_alerts

    if not Path(publish.published_path).exists():
        return dg.SkipReason(f"no published warehouse at {publish.published_path}")
    with duckdb.connect(publish.published_path, read_only=True) as con:
        pending = late_alerts(con)
    sent = _send(alerts, pending)
    return dg.SkipReason(f"{len(pending)} late report(s); {len(sent)} new alert(s) sent")


@dg.sensor(minimum_interval_seconds=60, default_status=dg.DefaultSensorStatus.RUNNING)
def plan_partitions_sensor(context: dg.SensorEvaluationContext, inputs: InputsResource):
    """Keeps the plan partitions equal to the catalogues in the plans folder: a new plan file
    becomes a partition (the UI lists it, the nightly run covers it), a removed one is dropped.
    It only returns partition requests, which the daemon applies; it writes nothing itself."""
    requests = partition_requests(context.instance, plan_ids(inputs.plans_dir))
    if not requests:
        return dg.SkipReason("plan partitions match the plans folder")
    return dg.SensorResult(dynamic_partitions_requests=requests)
