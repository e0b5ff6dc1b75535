"""Resource instances, bound to environment variables when they are set.

The environment is read when Dagster loads the code location, never at import time.
"""

import os

import dagster as dg

from chitieu.resources import InputsResource, WarehouseResource

ENV_SETTINGS = {
    "warehouse": {"path": "CHITIEU_WAREHOUSE"},
    "inputs": {
        "plans_dir": "CHITIEU_PLANS_DIR",
        "reference_dir": "CHITIEU_REFERENCE_DIR",
        "manual_observations_dir": "CHITIEU_MANUAL_DIR",
        "as_of": "CHITIEU_AS_OF",
    },
}


def _from_env(fields: dict[str, str]) -> dict:
    return {field: dg.EnvVar(var) for field, var in fields.items() if os.environ.get(var)}


def build_resources(overrides: dict[str, dict] | None = None) -> dict:
    """The same resource keys everywhere; values come from ``overrides`` (command-line flags),
    then CHITIEU_* variables, then bundled defaults."""
    overrides = overrides or {}
    return {
        "warehouse": WarehouseResource(
            **(_from_env(ENV_SETTINGS["warehouse"]) | overrides.get("warehouse", {}))
        ),
        "inputs": InputsResource(
            **(_from_env(ENV_SETTINGS["inputs"]) | overrides.get("inputs", {}))
        ),
    }
