"""Dagster code location: definitions, jobs, schedules and resources.

Dagster marks two parameters this code location uses on purpose as beta and says so on stderr
each time the definitions are built, and cron mails whatever ``chitieu run`` prints there:
``backfill_policy`` on the plan-partitioned assets (one run for every plan), and ``owners``,
which Dagster passes itself when it binds the sensors to their jobs. Those two notices are
silenced here, before any asset is defined; any other beta or preview notice still shows.
"""

import warnings

import dagster as dg

for _known in (
    r"Parameter `backfill_policy` of function `asset` ",
    r"Parameter `owners` of initializer `SensorDefinition.__init__` ",
):
    warnings.filterwarnings("ignore", message=_known, category=dg.BetaWarning)
