"""Sensors only request runs; they never send or write. Dagster evaluates a sensor for the UI's
"Preview tick result" too, and an evaluation that sent alerts would send them for real.

The sensors that request runs are stopped by default: turn them on in the UI (Automation) or
with ``dagster sensor start inbox_sensor`` once the daemon runs (``make dev``). The plan sensor
only registers plan partitions (the daemon applies its requests) and is on by default.
"""

import hashlib
import json
import time
import warnings
from dataclasses import asdict

import dagster as dg

from chitieu.reference import load_reference
from chitieu.resources import AlertsResource, InputsResource
from chitieu.submissions.inbox import scan_inbox
from pipelines.jobs import check_warning_alert_job, nightly_job, run_failure_alert_job
from pipelines.partitions import all_plans_tags, partition_requests, plan_ids


def _file_key(f) -> str:
    # content and file time: an earlier version sent again (same bytes, new time) is new
    stamp = f.modified_at.timestamp() if f.modified_at else ""
    return hashlib.sha256(f"{f.sha256}:{stamp}".encode()).hexdigest()


def new_files(files, seen: set[str]) -> list:
    """Settled inbox files whose content and time have not been seen before (a file still being
    copied is held: a later tick sees it settled)."""
    return [f for f in files if not f.held and _file_key(f) not in seen]


@dg.sensor(job=nightly_job, minimum_interval_seconds=60)
def inbox_sensor(context: dg.SensorEvaluationContext, inputs: InputsResource):
    """One nightly run per tick for all the files that arrived since the last run request, none
    when nothing is new. The cursor holds the content hashes already requested, so a restart, an
    unchanged file or a preview never requests again; the run key is the hash of the new contents."""
    seen = set(json.loads(context.cursor)) if context.cursor else set()
    departments = load_reference(inputs.reference_dir).department_codes
    files = scan_inbox(
        inputs.inbox_dir,
        departments,
        settle_seconds=inputs.settle_seconds,
        max_bytes=inputs.max_file_mb * 1024 * 1024,
    )
    fresh = new_files(files, seen)
    if not fresh:
        return dg.SkipReason(f"nothing new in {inputs.inbox_dir} ({len(files)} file(s) seen)")
    plans = all_plans_tags(context.instance)
    if plans is None:
        # The cursor is left as it is, so these files are requested once a plan is registered.
        return dg.SkipReason("no plan partition registered yet (plan_partitions_sensor)")
    keys = sorted(map(_file_key, fresh))
    return dg.SensorResult(
        run_requests=[
            dg.RunRequest(
                run_key=hashlib.sha256(" ".join(keys).encode()).hexdigest(),
                tags={"chitieu/new_files": str(len(fresh))} | plans,
            )
        ],
        cursor=json.dumps(sorted(seen | set(keys))),
    )


@dg.run_failure_sensor(
    name="run_failure_alert_sensor", monitored_jobs=[nightly_job], request_job=run_failure_alert_job
)
def run_failure_alert_sensor(context: dg.RunFailureSensorContext):
    """Requests the alert run for a failed nightly run, with each failed step's original cause
    and each failed blocking check's rules and cells, read back from the instance as
    ``chitieu run`` reads its result (the run key is the failed run's id, so each failure is
    alerted once)."""
    from chitieu.runner import stored_failures

    run = context.dagster_run
    causes = stored_failures(context.instance, run.run_id, context.get_step_failure_events())
    return dg.RunRequest(
        run_key=run.run_id,
        run_config={
            "ops": {
                "send_run_failure_alert": {
                    "config": {
                        "run_id": run.run_id,
                        "job_name": run.job_name,
                        "causes": [c.line() for c in causes],
                    }
                }
            }
        },
    )


@dg.sensor(minimum_interval_seconds=60, default_status=dg.DefaultSensorStatus.RUNNING)
def plan_partitions_sensor(context: dg.SensorEvaluationContext, inputs: InputsResource):
    """Keeps the plan partitions equal to the catalogues in the plans folder: a new plan file
    becomes a partition (the UI lists it, the nightly run covers it), a removed one is dropped.
    It only returns partition requests, which the daemon applies; it writes nothing itself, so
    unlike the sensors that request runs it is on by default (the schedule and the inbox sensor
    skip until a plan is registered)."""
    requests = partition_requests(context.instance, plan_ids(inputs.plans_dir))
    if not requests:
        return dg.SkipReason("plan partitions match the plans folder")
    return dg.SensorResult(dynamic_partitions_requests=requests)


def check_evaluations_after(instance: dg.DagsterInstance, cursor: int | None, limit: int = 500):
    """Asset check evaluation records stored after the storage id ``cursor``, oldest first.

    ``DagsterInstance.get_event_records`` with an ``EventRecordsFilter`` is Dagster 1.13's public way
    to read check evaluations (materializations, observations and run status changes have
    ``fetch_*`` successors, check evaluations not yet); its deprecation notice is silenced here."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        return instance.get_event_records(
            dg.EventRecordsFilter(
                event_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION, after_cursor=cursor
            ),
            limit=limit,
            ascending=True,
        )


@dg.sensor(job=check_warning_alert_job, minimum_interval_seconds=60)
def check_failure_alert_sensor(context: dg.SensorEvaluationContext, alerts: AlertsResource):
    """Requests one alert run for the asset checks that failed with severity WARN since the last
    tick (the cursor is the last check evaluation's storage id). ERROR failures are left to the
    run-failure alert, which carries their rules and cells: one alert per problem, never two.
    Evaluations older than ``CHITIEU_ALERT_MAX_AGE_DAYS`` are not alerted (no backlog on the
    first tick)."""
    from chitieu.runner import check_warning

    oldest = time.time() - alerts.max_age_days * 86400
    records = check_evaluations_after(
        context.instance, int(context.cursor) if context.cursor else None
    )
    if not records:
        return dg.SkipReason("no new check evaluations")
    cursor = str(records[-1].storage_id)
    found = [
        w
        for r in records
        if r.event_log_entry.timestamp >= oldest
        and (w := check_warning(r.event_log_entry.dagster_event.event_specific_data, r.run_id))
    ]
    if not found:
        return dg.SensorResult(
            skip_reason=f"{len(records)} check evaluation(s), none failed with WARN", cursor=cursor
        )
    return dg.SensorResult(
        run_requests=[
            dg.RunRequest(
                run_key=f"check_warnings:{context.cursor or 0}:{cursor}",
                run_config={
                    "ops": {
                        "send_check_warning_alerts": {
                            "config": {"warnings": [asdict(w) for w in found]}
                        }
                    }
                },
            )
        ],
        cursor=cursor,
    )
