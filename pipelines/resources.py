"""Resource instances, bound to environment variables when they are set.

The environment is read when Dagster loads the code location, never at import time.
"""

import os

import dagster as dg

from chitieu.resources import (
    AlertsResource,
    InputsResource,
    PublishResource,
    StatisticsResource,
    ValidationResource,
    WarehouseResource,
)

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

RESOURCE_CLASSES = {
    "warehouse": WarehouseResource,
    "inputs": InputsResource,
    "statistics": StatisticsResource,
    "publish": PublishResource,
    "alerts": AlertsResource,
    "validation": ValidationResource,
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
# Dagster's EnvVar carries only strings and ints, so float settings are read when the code
# location loads (still never at import time).
FLOAT_FIELDS = {
    "timeout_seconds",
    "request_deadline_seconds",
    "source_deadline_seconds",
    "max_retry_after_seconds",
    "time_window_seconds",
}


def _env_value(field: str, var: str):
    if field in FLOAT_FIELDS:
        try:
            return float(os.environ[var])
        except ValueError as exc:
            raise ValueError(f"{var} must be a number of seconds, not {os.environ[var]!r}") from exc
    return dg.EnvVar.int(var) if field in INT_FIELDS else dg.EnvVar(var)


def _from_env(fields: dict[str, str]) -> dict:
    return {field: _env_value(field, var) for field, var in fields.items() if os.environ.get(var)}


PATH_FIELDS = {
    "path",
    "plans_dir",
    "reference_dir",
    "manual_observations_dir",
    "inbox_dir",
    "outbox_dir",
    "gx_dir",
    "published_path",
    "exports_dir",
    "reports_dir",
}


def _rooted(key: str, cls, values: dict) -> dict:
    """With CHITIEU_ROOT set (make dev runs Dagster from var/dagster_home), relative paths are
    taken from the project folder, as ``chitieu run`` from there takes them."""
    root = os.environ.get("CHITIEU_ROOT")
    if not root:
        return values
    out = dict(values)
    for name in PATH_FIELDS & set(cls.model_fields):
        value = out.get(name, cls.model_fields[name].default)
        text = value.get_value() if isinstance(value, dg.EnvVar) else value
        if text and not os.path.isabs(text):
            out[name] = os.path.join(root, text)
    return out


def build_resources(overrides: dict[str, dict] | None = None) -> dict:
    """The same resource keys everywhere; values come from ``overrides`` (command-line flags),
    then CHITIEU_* variables, then bundled defaults."""
    overrides = overrides or {}
    return {
        key: cls(**_rooted(key, cls, _from_env(ENV_SETTINGS[key]) | overrides.get(key, {})))
        for key, cls in RESOURCE_CLASSES.items()
    }
