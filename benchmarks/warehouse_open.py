"""The warehouse opened once per run (each step a cursor on it) against once per step (open,
work, close and checkpoint), on the whole nightly job over the sample, side by side in one
process: the same inputs, alternating, after one warm-up night that pays the imports.

Run: .venv/bin/python -m benchmarks.warehouse_open [--rounds 3]
"""

from __future__ import annotations

import argparse
import logging
import os
import shutil
import statistics
import tempfile
import time
from pathlib import Path

import dagster as dg

from chitieu.resources import SAMPLE_INBOX_DIR, WarehouseResource
from pipelines.definitions import build_definitions
from pipelines.partitions import all_plans_tags, plan_ids, sync_plan_partitions


class PerStepWarehouse(WarehouseResource):
    """The baseline: nothing held, so every step opens and closes the file."""

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        return None


def _night(root: Path, warehouse: WarehouseResource) -> float:
    """One full nightly run on an empty warehouse below ``root``; its wall time."""
    shutil.rmtree(root / "out", ignore_errors=True)
    overrides = {
        "inputs": {"inbox_dir": str(root / "inbox"), "outbox_dir": str(root / "out" / "outbox")},
        "validation": {"gx_dir": ""},
        "publish": {
            "published_path": str(root / "out" / "published.duckdb"),
            "exports_dir": str(root / "out" / "exports"),
            "reports_dir": str(root / "out" / "reports"),
        },
    }
    defs = build_definitions(overrides)
    instance = dg.DagsterInstance.ephemeral()
    sync_plan_partitions(instance, plan_ids(defs.resources["inputs"].plans_dir))
    job = defs.resolve_job_def("nightly")
    start = time.perf_counter()
    result = job.execute_in_process(
        instance=instance,
        resources={"warehouse": warehouse},
        tags=all_plans_tags(instance) or {},
        run_config={"loggers": {"console": {"config": {"log_level": "CRITICAL"}}}},
    )
    seconds = time.perf_counter() - start
    if not result.success:
        raise SystemExit("the nightly run failed")
    return seconds


def main(argv: list[str] | None = None) -> float:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    os.environ.setdefault("CHITIEU_STATS_MODE", "offline")
    logging.getLogger("alembic").setLevel(logging.WARNING)
    with tempfile.TemporaryDirectory(prefix="chitieu-bench-") as tmp:
        root = Path(tmp)
        shutil.copytree(SAMPLE_INBOX_DIR, root / "inbox")
        path = str(root / "out" / "chitieu.duckdb")
        _night(root, WarehouseResource(path=path))  # warm-up: imports, GX, caches
        held, per_step = [], []
        for _ in range(args.rounds):
            per_step.append(_night(root, PerStepWarehouse(path=path)))
            held.append(_night(root, WarehouseResource(path=path)))
    base, new = statistics.median(per_step), statistics.median(held)
    print("warehouse opened per step vs once per run (nightly job, sample, in process, median)")
    print(f"  open + close per step (baseline)   {base:6.2f} s  1.00x")
    print(f"  once per run, a cursor per step    {new:6.2f} s  {new / base:.2f}x")
    return new / base


if __name__ == "__main__":
    main()
