"""`chitieu run`: the lock, the no-change decision (before Dagster is imported), what-if runs."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import duckdb

from chitieu.cli_night import run_night
from chitieu.cli_output import (
    DEMO_NOTE,
    print_rejected,
    send_failure_alert,
    setting,
    summary_lines,
)


def run(args: argparse.Namespace) -> int:
    from chitieu import incremental, runner
    from chitieu.periods import parse_as_of, parse_receipt_time
    from chitieu.settings import environment_problems

    try:
        if args.as_of:
            parse_as_of(args.as_of)
        if args.received_at:
            parse_receipt_time(args.received_at)
    except ValueError as exc:
        print(f"chitieu run: {exc}", file=sys.stderr)
        return 2
    if problems := environment_problems():  # before anything runs, a night with nothing new too
        print(f"chitieu run: {'; '.join(problems)}", file=sys.stderr)
        return 2
    overrides = {
        "warehouse": {"path": args.warehouse} if args.warehouse else {},
        "inputs": ({"as_of": args.as_of} if args.as_of else {})
        | ({"received_at": args.received_at} if args.received_at else {})
        # the bundled sample inbox is never being written to: no settle wait
        | ({"settle_seconds": 0} if args.demo else {}),
    }
    what_if = is_what_if(args) and not args.publish
    path = incremental.warehouse_path(overrides)
    try:
        with runner.exclusive_run(path):
            # decided before Dagster is even imported: a no-change night costs a fraction of a second
            night = incremental.tonight(overrides, publish=not what_if)
            moved_from = None
            if night is not None and not args.full:
                try:
                    previous = incremental.last_run(path, night.key)
                    if previous is not None:
                        return report_unchanged(path, previous, args)
                    moved_from = incremental.only_the_date_moved(
                        path, night.inputs_key, night.as_of
                    )
                except duckdb.Error as exc:
                    return warehouse_unavailable(overrides, path, exc, send_alert=not what_if)
            if Path(path).exists():
                try:  # a night needs the file for writing: find out now, not after retries
                    duckdb.connect(path).close()
                except duckdb.Error as exc:
                    return warehouse_unavailable(overrides, path, exc, send_alert=not what_if)
            return run_night(args, overrides, path, night, moved_from, what_if)
    except runner.RunInProgress as exc:
        print(f"chitieu run: {exc}", file=sys.stderr)
        return 3


def warehouse_unavailable(overrides: dict, path: str, exc: Exception, send_alert: bool) -> int:
    """The warehouse cannot be read before the run (another process holds it, or it is not a
    DuckDB file): one ``FAILED warehouse: <cause>`` line and the run-failure alert, as for a
    failed step, and nothing runs."""
    from datetime import UTC, datetime

    from chitieu import runner
    from chitieu.alerts import run_failure_alert
    from pipelines.resources import build_resources

    cause = " ".join(str(exc).split())
    failure = runner.StepFailure("warehouse", f"{path}: {cause}")
    if send_alert:
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        alert = run_failure_alert(f"before-run-{stamp}", "nightly", [failure.line()], "")
        urls = setting(build_resources(overrides)["alerts"].urls)
        send_failure_alert(alert, urls, None)  # the warehouse, its store, is unavailable
    print(failure.line(), file=sys.stderr)
    return 1


def report_unchanged(path: str, previous, args) -> int:
    from chitieu.report_text import attainment_table

    run_id, finished = previous
    print(
        f"nothing changed since run {run_id} ({finished:%Y-%m-%d %H:%M} UTC): same inputs, "
        "settings, date and code, so it is not run again (--full runs it anyway)"
    )
    with duckdb.connect(path, read_only=True) as con:
        if args.demo:
            print(DEMO_NOTE)
        table = attainment_table(con)
        print(table if args.demo or args.table else summary_lines(table))
        if args.demo or args.table:
            from chitieu.settings import DEFAULT_OUTBOX_DIR

            print_rejected(con, os.environ.get("CHITIEU_OUTBOX_DIR") or DEFAULT_OUTBOX_DIR)
    print(f"warehouse: {path}")
    return 0


def is_what_if(args: argparse.Namespace) -> bool:
    """An as-of date other than today, or a warehouse other than the configured one."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from chitieu.incremental import TIMEZONE, warehouse_path
    from chitieu.periods import parse_as_of

    today = datetime.now(ZoneInfo(TIMEZONE)).date()
    configured = warehouse_path({})
    other_date = bool(args.as_of) and parse_as_of(args.as_of) != today
    other_warehouse = bool(args.warehouse) and os.path.abspath(args.warehouse) != os.path.abspath(
        configured
    )
    return other_date or other_warehouse
