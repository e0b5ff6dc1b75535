"""The nightly job: every asset, in process (the multiprocess executor costs ~3.6 s per asset here)."""

import dagster as dg

# Runs with this tag write the warehouse; dagster.yaml lets only one of them run at a time.
WAREHOUSE_WRITER = {"chitieu/warehouse": "write"}

nightly_job = dg.define_asset_job(
    name="nightly",
    selection=dg.AssetSelection.all(),
    executor_def=dg.in_process_executor,
    tags=WAREHOUSE_WRITER,
    description="Catalogue → observations → warehouse → marts, for every loaded plan.",
)


# What-if runs (another date or warehouse) leave what others read untouched: no snapshot,
# exports, council reports or alerts.
WHAT_IF_SKIPPED_GROUPS = ("publish", "alerts")


def what_if_selection(job: dg.JobDefinition) -> list[dg.AssetKey]:
    """Every asset of ``job`` except those that publish or send."""
    graph = job.asset_layer.asset_graph
    return [
        key
        for key in graph.get_all_asset_keys()
        if graph.get(key).group_name not in WHAT_IF_SKIPPED_GROUPS
        and graph.get(key).is_materializable
    ]
