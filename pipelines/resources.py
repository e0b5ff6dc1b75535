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
from chitieu.settings import ENV_SETTINGS, FLOAT_FIELDS, INT_FIELDS, setting_value

RESOURCE_CLASSES = {
    "warehouse": WarehouseResource,
    "inputs": InputsResource,
    "statistics": StatisticsResource,
    "publish": PublishResource,
    "alerts": AlertsResource,
    "validation": ValidationResource,
}


def _env_value(field: str, var: str):
    """The field bound to its variable, after checking the value (SettingError names the
    variable, the value and what is expected). Dagster's EnvVar carries only strings and ints,
    so float settings are read when the code location loads (still never at import time)."""
    value = setting_value(field, var, os.environ[var])
    if field in FLOAT_FIELDS:
        return value
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
