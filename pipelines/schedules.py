"""The nightly schedule, in Vietnam's time zone."""

import dagster as dg

from chitieu.resources import TIMEZONE
from pipelines.jobs import nightly_job

DEFAULT_CRON = "0 2 * * *"


def nightly_schedule(cron: str = DEFAULT_CRON) -> dg.ScheduleDefinition:
    """Runs the nightly job at ``cron`` (Asia/Ho_Chi_Minh). Stopped by default, so a first
    ``make dev`` does not start runs by itself: turn it on in the UI (Automation) or with
    ``dagster schedule start nightly_schedule``."""
    return dg.ScheduleDefinition(
        name="nightly_schedule",
        job=nightly_job,
        cron_schedule=cron,
        execution_timezone=TIMEZONE,
    )
