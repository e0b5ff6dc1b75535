"""The plan partitions: one per plan catalogue in the plans folder, registered on the instance.

Plans are a dynamic partition dimension: a new catalogue becomes a partition when the plan
sensor (or ``chitieu run``) registers it, and one plan's marts can be rebuilt or backfilled
alone. The nightly run covers every registered plan in one run (a partition range).
"""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import yaml

from assets.plans import PLAN_PARTITIONS

RANGE_START = "dagster/asset_partition_range_start"
RANGE_END = "dagster/asset_partition_range_end"


def plan_ids(plans_dir: str | Path) -> list[str]:
    """The ``plan.id`` of every catalogue in ``plans_dir`` (unreadable files are left to the
    catalogue asset, which names their problems)."""
    ids = []
    for path in sorted(Path(plans_dir).glob("*.yaml")):
        try:
            doc = yaml.safe_load(path.read_text(encoding="utf-8"))
            ids.append(str(doc["plan"]["id"]))
        except (OSError, yaml.YAMLError, KeyError, TypeError):
            continue
    return sorted(set(ids))


def partition_requests(instance: dg.DagsterInstance, ids: list[str]) -> list:
    """The requests that make the registered plan partitions equal ``ids``."""
    registered = set(instance.get_dynamic_partitions(PLAN_PARTITIONS.name))
    requests = []
    if new := [i for i in ids if i not in registered]:
        requests.append(PLAN_PARTITIONS.build_add_request(new))
    if stale := sorted(registered - set(ids)):
        requests.append(PLAN_PARTITIONS.build_delete_request(stale))
    return requests


def sync_plan_partitions(instance: dg.DagsterInstance, ids: list[str]) -> list[str]:
    """Register ``ids`` as the plan partitions now (for runs started outside the daemon)."""
    registered = set(instance.get_dynamic_partitions(PLAN_PARTITIONS.name))
    new = [i for i in ids if i not in registered]
    if new:
        instance.add_dynamic_partitions(PLAN_PARTITIONS.name, new)
    for stale in sorted(registered - set(ids)):
        instance.delete_dynamic_partition(PLAN_PARTITIONS.name, stale)
    return instance.get_dynamic_partitions(PLAN_PARTITIONS.name)


def all_plans_tags(instance: dg.DagsterInstance) -> dict[str, str] | None:
    """Run tags covering every registered plan (a single-run partition range); None when no
    plan is registered yet."""
    keys = instance.get_dynamic_partitions(PLAN_PARTITIONS.name)
    if not keys:
        return None
    return {RANGE_START: keys[0], RANGE_END: keys[-1]}
