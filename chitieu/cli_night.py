"""`chitieu run`'s night through Dagster: the job in process, its log, its failure lines and alerts."""

from __future__ import annotations

import os
import sys

import duckdb

from chitieu.cli_output import (
    DEMO_NOTE,
    print_rejected,
    send_failure_alert,
    setting,
    summary_lines,
)


def held_files(result) -> str | None:
    """The inbox files the run left for later (still being copied; docs/submissions.md), each
    with its reason; None when it left none."""
    if "department_submissions" not in {n.name for n in result.job_def.graph.nodes}:
        return None  # a date-only night reads no inbox
    for m in result.asset_materializations_for_node("department_submissions"):
        held = m.metadata.get("held_files")
        text = str(getattr(held, "value", held)) if held is not None else "none"
        if text != "none":
            return text
    return None


def run_night(
    args, overrides: dict, path: str, night, moved_from: str | None, what_if: bool
) -> int:
    """The nightly job; only its date-dependent assets when ``moved_from`` (the date of the last
    night, whose inputs were tonight's); a what-if run publishes and sends nothing."""
    from chitieu import runner
    from chitieu.alert_channels import AlertConfigError, validate_channels
    from chitieu.incremental import remember
    from pipelines.resources import build_resources

    resources = build_resources(overrides)
    alerts = resources["alerts"]
    try:
        validate_channels(setting(alerts.urls), setting(alerts.department_mail_url))
    except AlertConfigError as exc:
        print(f"chitieu run: {exc}", file=sys.stderr)
        return 2
    result = execute(overrides, what_if, date_only=moved_from is not None)
    if moved_from is not None:
        print(
            f"only the date moved since the night of {moved_from} (same inputs, settings and "
            "code): ran the assets that depend on it (--full runs every asset)"
        )
    log = runner.write_log(result, os.path.join(os.path.dirname(os.path.abspath(path)), "logs"))
    if not what_if:
        alert_check_warnings(result, alerts, path)
    if not result.success:
        return report_failure(result, alerts, log, path, send_alert=not what_if)
    held = held_files(result)
    if night is not None and not held:
        # a night that held a file still being copied must run again, even if nothing changes
        remember(path, night.key, result.run_id, night.inputs_key, night.as_of)
    from chitieu.report_text import attainment_table

    with duckdb.connect(path, read_only=True) as con:
        if args.demo:
            print(DEMO_NOTE)
        table = attainment_table(con)
        # without --table: each plan's summary sentence
        print(table if args.demo or args.table else summary_lines(table))
        print_rejected(con, setting(resources["inputs"].outbox_dir))
        if held:
            print(
                f"Tệp đang được chép, để lần chạy sau / Held for a later run (still being "
                f"copied): {held}"
            )
        from chitieu.source_alerts import statistics_summary

        if stats := statistics_summary(con):
            print(stats)
    print(f"warehouse: {path}")
    print(f"log: {log}")
    publish = resources["publish"]
    gx_dir = setting(resources["validation"].gx_dir)
    if gx_dir:
        from chitieu.validation.bridge import data_docs_index

        print(f"data docs: {data_docs_index(gx_dir)}")
    if what_if:
        print(
            "what-if run (--as-of/--warehouse): nothing published, no report or alert written;"
            " add --publish to publish"
        )
        return 0
    for label, value in (
        ("published (BI)", publish.published_path),
        ("exports", publish.exports_dir),
        ("reports", publish.reports_dir),
    ):
        print(f"{label}: {setting(value)}")
    return 0


def execute(overrides, what_if: bool, date_only: bool = False):
    """The nightly job over every plan of the plans folder (registered as plan partitions first);
    a what-if run leaves out the assets that publish or send; a date-only night runs only the
    assets that depend on the date."""
    import dagster as dg

    from pipelines.definitions import build_definitions
    from pipelines.jobs import what_if_selection
    from pipelines.partitions import all_plans_tags, plan_ids, sync_plan_partitions

    defs = build_definitions(overrides)
    selection = None
    if date_only:
        from pipelines.metadata import date_dependent_keys

        selection = date_dependent_keys(defs)
    instance = (
        dg.DagsterInstance.get()
        if os.environ.get("DAGSTER_HOME")
        else dg.DagsterInstance.ephemeral()
    )
    sync_plan_partitions(instance, plan_ids(setting(defs.resources["inputs"].plans_dir)))
    job = defs.resolve_job_def("nightly")
    # the console stays quiet: the cause goes on one line, the traces to the log file
    quiet = {"loggers": {"console": {"config": {"log_level": "CRITICAL"}}}}
    if what_if:
        allowed = set(what_if_selection(job))
        selection = sorted(k for k in (selection or allowed) if k in allowed)
    return job.execute_in_process(
        run_config=quiet,
        instance=instance,
        raise_on_error=False,
        tags=all_plans_tags(instance) or {},
        asset_selection=selection,
    )


def alert_check_warnings(result, alerts, path: str) -> None:
    """Checks that failed with severity WARN, alerted as check_failure_alert_sensor's run does
    (cron users have no sensors); the same finding is alerted once across nights."""
    from chitieu import runner
    from chitieu.alert_channels import send, warehouse_store
    from chitieu.alerts import check_warning_alert

    found = [
        w
        for e in result.get_asset_check_evaluations()
        if (w := runner.check_warning(e, result.run_id))
    ]
    if not found or not setting(alerts.urls).strip():
        return
    url = runner.run_url(setting(alerts.ui_url), result.run_id)
    pending = [check_warning_alert(w.asset, w.check, w.rules, w.cells, url) for w in found]
    try:
        with warehouse_store(path, result.run_id) as store:
            if store is None:  # untracked, it would be sent again every night
                print(
                    "chitieu run: check warnings not alerted: the warehouse is busy",
                    file=sys.stderr,
                )
                return
            send(pending, setting(alerts.urls), store)
    except Exception as exc:  # a failing channel must not hide the run's own result
        print(f"chitieu run: check warnings could not be alerted: {exc}", file=sys.stderr)


def report_failure(result, alerts, log, path: str, send_alert: bool = True) -> int:
    """``FAILED <asset>: <cause>`` lines last, after the log's path; the alert goes out from here
    (cron users have no run-failure sensor), except for a what-if run, which sends nothing."""
    from chitieu import runner
    from chitieu.alerts import run_failure_alert

    failed = runner.failures(result) or [
        runner.StepFailure("nightly", "the run failed without a failed step; see the log")
    ]
    url = runner.run_url(setting(alerts.ui_url), result.run_id)
    alert = run_failure_alert(result.run_id, "nightly", [f.line() for f in failed], url)
    if send_alert:
        send_failure_alert(alert, setting(alerts.urls), path, result.run_id)
    print(f"full log: {log}", file=sys.stderr)
    for f in failed:
        print(f.line(), file=sys.stderr)
    return 1
