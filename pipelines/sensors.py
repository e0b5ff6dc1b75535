"""The inbox sensor: a new or changed department file triggers ingestion at once."""

import dagster as dg

from chitieu.reference import load_reference
from chitieu.resources import InputsResource
from chitieu.submissions.inbox import scan_inbox
from pipelines.jobs import ingest_job


@dg.sensor(
    job=ingest_job, minimum_interval_seconds=60, default_status=dg.DefaultSensorStatus.RUNNING
)
def inbox_sensor(context: dg.SensorEvaluationContext, inputs: InputsResource):
    """One run per new file content: the content hash is the run key, so an unchanged file never
    triggers twice, and a changed file (new hash) always does. The nightly job picks up anything missed."""
    departments = load_reference(inputs.reference_dir).department_codes
    files = scan_inbox(inputs.inbox_dir, departments)
    for f in files:
        key = f.sha256 or f"refused:{f.path}"
        yield dg.RunRequest(
            run_key=key,
            tags={"chitieu/file": str(f.path), "chitieu/department": f.department or ""},
        )
    if not files:
        yield dg.SkipReason(f"no files in {inputs.inbox_dir}")
