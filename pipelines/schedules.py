"""The nightly schedule, in Vietnam's time zone."""

import dagster as dg

from chitieu.resources import TIMEZONE
from pipelines.jobs import nightly_job
from pipelines.partitions import all_plans_tags

DEFAULT_CRON = "0 2 * * *"


def nightly_schedule(cron: str = DEFAULT_CRON) -> dg.ScheduleDefinition:
    """Runs the nightly job at ``cron`` (Asia/Ho_Chi_Minh) for every registered plan in one run;
    on by default once the daemon runs."""

    @dg.schedule(
        name="nightly_schedule",
        job=nightly_job,
        cron_schedule=cron,
        execution_timezone=TIMEZONE,
        default_status=dg.DefaultScheduleStatus.RUNNING,
    )
    def _nightly(context: dg.ScheduleEvaluationContext):
        tags = all_plans_tags(context.instance)
        if tags is None:
            return dg.SkipReason("no plan partition registered yet (plan_partitions_sensor)")
        return dg.RunRequest(tags=tags)

    return _nightly
