"""The ``chitieu`` command: run the nightly job without the Dagster daemon, and more."""

from __future__ import annotations

import argparse
import os
import sys

import duckdb

DEMO_NOTE = (
    "SAMPLE DATA — figures are for demonstration; see docs/sample-data.md for the few public ones."
)


def _run(args: argparse.Namespace) -> int:
    import dagster as dg

    from pipelines.definitions import build_definitions

    overrides = {
        "warehouse": {"path": args.warehouse} if args.warehouse else {},
        "inputs": {"as_of": args.as_of} if args.as_of else {},
    }
    defs = build_definitions(overrides)
    instance = (
        dg.DagsterInstance.get()
        if os.environ.get("DAGSTER_HOME")
        else dg.DagsterInstance.ephemeral()
    )
    quiet = {"loggers": {"console": {"config": {"log_level": "WARNING"}}}}
    result = defs.resolve_job_def("nightly").execute_in_process(
        run_config=quiet, instance=instance, raise_on_error=False
    )
    if not result.success:
        for event in result.all_events:
            if event.is_step_failure:
                print(
                    f"FAILED {event.step_key}: {event.event_specific_data.error.message.strip()}",
                    file=sys.stderr,
                )
        return 1
    path = defs.resources["warehouse"].path
    if isinstance(path, dg.EnvVar):
        path = path.get_value()
    from chitieu.report_text import attainment_table

    with duckdb.connect(path, read_only=True) as con:
        if args.demo:
            print(DEMO_NOTE)
        print(
            attainment_table(con)
            if args.demo or args.table
            else attainment_table(con).splitlines()[-2]
        )
    print(f"warehouse: {path}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="chitieu", description="Plan-target attainment pipeline for Vietnamese provinces."
    )
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser(
        "run", help="run the nightly job in-process (for cron users without the Dagster daemon)"
    )
    run.add_argument(
        "--demo", action="store_true", help="print the full attainment table after the run"
    )
    run.add_argument("--table", action="store_true", help="print the full attainment table")
    run.add_argument(
        "--warehouse",
        help="DuckDB file to write (default: $CHITIEU_WAREHOUSE or var/chitieu.duckdb)",
    )
    run.add_argument(
        "--as-of", help="evaluation date YYYY-MM-DD (default: today in Asia/Ho_Chi_Minh)"
    )
    args = parser.parse_args(argv)
    if args.command == "run":
        return _run(args)
    return 2


if __name__ == "__main__":
    sys.exit(main())
