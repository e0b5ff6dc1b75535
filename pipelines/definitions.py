"""The single Dagster entry point (workspace.yaml points here)."""

import os

import dagster as dg

from assets import (
    bi,
    manual,
    marts,
    observations,
    plans,
    publish,
    reference,
    statistics,
    submissions,
)
from pipelines.jobs import ingest_job, nightly_job
from pipelines.resources import build_resources
from pipelines.schedules import DEFAULT_CRON, nightly_schedule
from pipelines.sensors import inbox_sensor

ASSET_MODULES = (
    reference,
    plans,
    manual,
    statistics,
    submissions,
    observations,
    marts,
    bi,
    publish,
)


def build_definitions(overrides: dict[str, dict] | None = None) -> dg.Definitions:
    """Assemble assets, the nightly job, its schedule and resources from the current environment."""
    return dg.Definitions(
        assets=dg.load_assets_from_modules(list(ASSET_MODULES)),
        jobs=[nightly_job, ingest_job],
        sensors=[inbox_sensor],
        schedules=[nightly_schedule(os.environ.get("CHITIEU_NIGHTLY_CRON") or DEFAULT_CRON)],
        resources=build_resources(overrides),
        executor=dg.in_process_executor,
    )


@dg.definitions
def defs() -> dg.Definitions:
    """Loaded lazily by Dagster, so the environment is read at load time, not import time."""
    return build_definitions()
