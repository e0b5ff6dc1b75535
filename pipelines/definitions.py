"""The single Dagster entry point (workspace.yaml points here)."""

import os

import dagster as dg

from assets import (
    alerts,
    bi,
    checks,
    manual,
    marts,
    observations,
    plan_header,
    plans,
    portal,
    publish,
    reference,
    source_loads,
    statistics,
    submissions,
)
from pipelines.jobs import check_warning_alert_job, nightly_job, run_failure_alert_job
from pipelines.metadata import with_metadata
from pipelines.resources import build_resources
from pipelines.schedules import DEFAULT_CRON, nightly_schedule
from pipelines.sensors import (
    check_failure_alert_sensor,
    inbox_sensor,
    plan_partitions_sensor,
    run_failure_alert_sensor,
)

ASSET_MODULES = (
    reference,
    plans,
    plan_header,
    manual,
    statistics,
    source_loads,
    submissions,
    observations,
    marts,
    bi,
    publish,
    alerts,
    portal,
)


def build_definitions(overrides: dict[str, dict] | None = None) -> dg.Definitions:
    """Assemble assets, checks, the nightly job, its schedule, sensors and resources from the current environment."""
    asset_checks = dg.load_asset_checks_from_modules([checks])
    return dg.Definitions(
        assets=with_metadata(dg.load_assets_from_modules(list(ASSET_MODULES))),
        asset_checks=asset_checks,
        jobs=[nightly_job, run_failure_alert_job, check_warning_alert_job],
        schedules=[nightly_schedule(os.environ.get("CHITIEU_NIGHTLY_CRON") or DEFAULT_CRON)],
        sensors=[
            inbox_sensor,
            run_failure_alert_sensor,
            check_failure_alert_sensor,
            plan_partitions_sensor,
        ],
        resources=build_resources(overrides),
        executor=dg.in_process_executor,
    )


@dg.definitions
def defs() -> dg.Definitions:
    """Loaded lazily by Dagster, so the environment is read at load time, not import time."""
    return build_definitions()
