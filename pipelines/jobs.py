"""The nightly job: every asset, in process (the multiprocess executor costs ~3.6 s per asset here)."""

import dagster as dg

nightly_job = dg.define_asset_job(
    name="nightly",
    selection=dg.AssetSelection.all(),
    executor_def=dg.in_process_executor,
    description="Catalogue → observations → warehouse → marts, for every loaded plan.",
)

ingest_job = dg.define_asset_job(
    name="ingest_submissions",
    selection=dg.AssetSelection.keys(["raw", "submissions"])
    .required_multi_asset_neighbors()
    .downstream(),
    executor_def=dg.in_process_executor,
    description="Reads new department files and refreshes everything downstream of them.",
)
