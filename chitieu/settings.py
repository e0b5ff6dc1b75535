"""The CHITIEU_* variables behind the resources' fields, and what each must hold.

No Dagster import: ``chitieu run`` checks them before anything runs (a night with nothing new
included), and pipelines/resources.py checks them again when Dagster loads the code location,
so a bad value is one line naming the variable, never a config error deep in a run.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping

# where feedback files go unless CHITIEU_OUTBOX_DIR says otherwise
DEFAULT_OUTBOX_DIR = "var/outbox"

ENV_SETTINGS = {
    "warehouse": {"path": "CHITIEU_WAREHOUSE"},
    "inputs": {
        "plans_dir": "CHITIEU_PLANS_DIR",
        "reference_dir": "CHITIEU_REFERENCE_DIR",
        "manual_observations_dir": "CHITIEU_MANUAL_DIR",
        "inbox_dir": "CHITIEU_INBOX_DIR",
        "outbox_dir": "CHITIEU_OUTBOX_DIR",
        "portal_log": "CHITIEU_PORTAL_LOG",
        "as_of": "CHITIEU_AS_OF",
        "settle_seconds": "CHITIEU_SETTLE_SECONDS",
        "max_file_mb": "CHITIEU_MAX_FILE_MB",
        "parse_timeout_seconds": "CHITIEU_PARSE_TIMEOUT_SECONDS",
        "parse_memory_mb": "CHITIEU_PARSE_MEMORY_MB",
    },
    "alerts": {
        "urls": "CHITIEU_ALERT_URLS",
        "ui_url": "CHITIEU_UI_URL",
        "feedback_base_url": "CHITIEU_FEEDBACK_BASE_URL",
        "max_age_days": "CHITIEU_ALERT_MAX_AGE_DAYS",
        "department_mail_url": "CHITIEU_DEPARTMENT_MAIL_URL",
    },
    "validation": {"gx_dir": "CHITIEU_GX_DIR"},
    "publish": {
        "published_path": "CHITIEU_PUBLISHED_WAREHOUSE",
        "exports_dir": "CHITIEU_EXPORTS_DIR",
        "reports_dir": "CHITIEU_REPORTS_DIR",
    },
    "statistics": {
        "mode": "CHITIEU_STATS_MODE",
        "pxweb_base_url": "CHITIEU_PXWEB_BASE_URL",
        "worldbank_base_url": "CHITIEU_WORLDBANK_BASE_URL",
        "ttl_minutes": "CHITIEU_STATS_TTL_MINUTES",
        "retries": "CHITIEU_STATS_RETRIES",
        "timeout_seconds": "CHITIEU_STATS_TIMEOUT_SECONDS",
        "request_deadline_seconds": "CHITIEU_STATS_REQUEST_DEADLINE_SECONDS",
        "source_deadline_seconds": "CHITIEU_STATS_SOURCE_DEADLINE_SECONDS",
        "max_retry_after_seconds": "CHITIEU_STATS_MAX_RETRY_AFTER_SECONDS",
        "max_calls": "CHITIEU_STATS_MAX_CALLS",
        "time_window_seconds": "CHITIEU_STATS_TIME_WINDOW_SECONDS",
        "stale_days": "CHITIEU_STATS_STALE_DAYS",
    },
}

INT_FIELDS = {
    "ttl_minutes",
    "retries",
    "max_calls",
    "stale_days",
    "max_age_days",
    "settle_seconds",
    "max_file_mb",
    "parse_timeout_seconds",
    "parse_memory_mb",
}
FLOAT_FIELDS = {
    "timeout_seconds",
    "request_deadline_seconds",
    "source_deadline_seconds",
    "max_retry_after_seconds",
    "time_window_seconds",
}
STATS_MODES = ("offline", "live")
CHOICE_FIELDS = {"mode": STATS_MODES}


class SettingError(ValueError):
    """A CHITIEU_* variable holding a value its field cannot take."""


def setting_problem(var: str, value: object, expected: str) -> str:
    """``CHITIEU_X: found 'abc', expected a whole number``."""
    return f"{var}: found {value!r}, expected {expected}"


def setting_value(field: str, var: str, text: str):
    """``text`` as the field takes it (an int, a float or the text itself); a value it cannot
    take raises SettingError naming the variable, the value found and what is expected."""
    if field in INT_FIELDS:
        try:
            value = int(text)
        except ValueError:
            value = -1
        if value < 0:
            raise SettingError(setting_problem(var, text, "a whole number (0 or more)"))
        return value
    if field in FLOAT_FIELDS:
        try:
            value = float(text)
        except ValueError:
            value = math.nan
        if not math.isfinite(value) or value < 0:
            raise SettingError(setting_problem(var, text, "a number of seconds (0 or more)"))
        return value
    if field == "as_of":
        from chitieu.periods import parse_as_of

        try:
            parse_as_of(text)
        except ValueError:
            raise SettingError(setting_problem(var, text, "a date YYYY-MM-DD")) from None
        return text
    if field in CHOICE_FIELDS and text not in CHOICE_FIELDS[field]:
        raise SettingError(setting_problem(var, text, " or ".join(CHOICE_FIELDS[field])))
    return text


def environment_problems(environ: Mapping[str, str] | None = None) -> list[str]:
    """What is wrong with the CHITIEU_* variables that are set (unset ones take the defaults)."""
    environ = os.environ if environ is None else environ
    problems = []
    for fields in ENV_SETTINGS.values():
        for field, var in fields.items():
            if environ.get(var):
                try:
                    setting_value(field, var, environ[var])
                except SettingError as exc:
                    problems.append(str(exc))
    return problems
