"""The ``chitieu`` command: run the nightly job without the Dagster daemon, and more."""

from __future__ import annotations

import argparse
import os
import sys

import duckdb

DEMO_NOTE = (
    "SAMPLE DATA — figures are for demonstration; see docs/sample-data.md for the few public ones."
)


def _value(value):
    """A resource field's value, whether set directly or bound to an environment variable."""
    import dagster as dg

    return value.get_value() if isinstance(value, dg.EnvVar) else value


def _summary_lines(table: str) -> str:
    """Each plan's summary sentence from the terminal table."""
    return "\n".join(s for s in table.splitlines() if s.startswith("[") and " — " in s)


def _run(args: argparse.Namespace) -> int:
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
    what_if = _is_what_if(args) and not args.publish
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
                        return _report_unchanged(path, previous, args)
                    moved_from = incremental.only_the_date_moved(
                        path, night.inputs_key, night.as_of
                    )
                except duckdb.Error as exc:
                    return _warehouse_unavailable(overrides, path, exc, send_alert=not what_if)
            return _run_night(args, overrides, path, night, moved_from, what_if)
    except runner.RunInProgress as exc:
        print(f"chitieu run: {exc}", file=sys.stderr)
        return 3


def _warehouse_unavailable(overrides: dict, path: str, exc: Exception, send_alert: bool) -> int:
    """The warehouse cannot be read before the run (another process holds it, or it is not a
    DuckDB file): one ``FAILED warehouse: <cause>`` line and the run-failure alert, as for a
    failed step, and nothing runs."""
    from datetime import UTC, datetime

    from chitieu import runner
    from chitieu.alerts import run_failure_alert, send
    from pipelines.resources import build_resources

    cause = " ".join(str(exc).split())
    failure = runner.StepFailure("warehouse", f"{path}: {cause}")
    if send_alert:
        try:
            alerts = build_resources(overrides)["alerts"]
            stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
            alert = run_failure_alert(f"before-run-{stamp}", "nightly", [failure.line()], "")
            send([alert], _value(alerts.urls), None)  # the warehouse, its store, is unavailable
        except Exception as alert_exc:  # a failing channel must not hide the cause
            print(f"chitieu run: the failure alert could not be sent: {alert_exc}", file=sys.stderr)
    print(failure.line(), file=sys.stderr)
    return 1


def _report_unchanged(path: str, previous, args) -> int:
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
        print(table if args.demo or args.table else _summary_lines(table))
        if args.demo or args.table:  # the feedback paths need the resources (and Dagster)
            from chitieu.resources import InputsResource

            default = InputsResource.model_fields["outbox_dir"].default
            _print_rejected(con, os.environ.get("CHITIEU_OUTBOX_DIR") or default)
    print(f"warehouse: {path}")
    return 0


def _print_rejected(con, outbox_dir: str) -> None:
    """The rejected files with the path of their feedback file. A feedback file that went
    missing (a deleted outbox, on a night that read no new file) is written again first from the
    warehouse's records, so every path printed is a file on disk."""
    from chitieu.report_text import rejected_submissions
    from chitieu.submissions.feedback import restore_feedback

    restore_feedback(con, outbox_dir)
    print(rejected_submissions(con, outbox_dir))


def _held_files(result) -> bool:
    """True when the run left an inbox file for later (still being copied; docs/submissions.md)."""
    if "department_submissions" not in {n.name for n in result.job_def.graph.nodes}:
        return False  # a date-only night reads no inbox
    for m in result.asset_materializations_for_node("department_submissions"):
        held = m.metadata.get("held_files")
        if held is not None and getattr(held, "value", held) != "none":
            return True
    return False


def _run_night(
    args, overrides: dict, path: str, night, moved_from: str | None, what_if: bool
) -> int:
    """The nightly job; only its date-dependent assets when ``moved_from`` (the date of the last
    night, whose inputs were tonight's); a what-if run publishes and sends nothing."""
    import dagster as dg

    from chitieu import runner
    from chitieu.alerts import AlertConfigError, validate_channels
    from chitieu.incremental import remember
    from pipelines.resources import build_resources

    resources = build_resources(overrides)
    alerts = resources["alerts"]
    try:
        validate_channels(_value(alerts.urls), _value(alerts.department_mail_url))
    except AlertConfigError as exc:
        print(f"chitieu run: {exc}", file=sys.stderr)
        return 2
    result = _execute(overrides, what_if, date_only=moved_from is not None)
    if moved_from is not None:
        print(
            f"only the date moved since the night of {moved_from} (same inputs, settings and "
            "code): ran the assets that depend on it (--full runs every asset)"
        )
    log = runner.write_log(result, os.path.join(os.path.dirname(os.path.abspath(path)), "logs"))
    if not what_if:
        _alert_check_warnings(result, alerts, path)
    if not result.success:
        return _report_failure(result, alerts, log, path, send_alert=not what_if)
    if night is not None and not _held_files(result):
        # a night that held a file still being copied must run again, even if nothing changes
        remember(path, night.key, result.run_id, night.inputs_key, night.as_of)
    from chitieu.report_text import attainment_table

    with duckdb.connect(path, read_only=True) as con:
        if args.demo:
            print(DEMO_NOTE)
        table = attainment_table(con)
        # without --table: each plan's summary sentence
        print(table if args.demo or args.table else _summary_lines(table))
        inputs = resources["inputs"]
        outbox = (
            inputs.outbox_dir.get_value()
            if isinstance(inputs.outbox_dir, dg.EnvVar)
            else inputs.outbox_dir
        )
        _print_rejected(con, outbox)
        from chitieu.source_alerts import statistics_summary

        if stats := statistics_summary(con):
            print(stats)
    print(f"warehouse: {path}")
    print(f"log: {log}")
    publish = resources["publish"]
    gx_dir = resources["validation"].gx_dir
    gx_dir = gx_dir.get_value() if isinstance(gx_dir, dg.EnvVar) else gx_dir
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
        print(f"{label}: {value.get_value() if isinstance(value, dg.EnvVar) else value}")
    return 0


def _execute(overrides, what_if: bool, date_only: bool = False):
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
    sync_plan_partitions(instance, plan_ids(_value(defs.resources["inputs"].plans_dir)))
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


def _alert_check_warnings(result, alerts, path: str) -> None:
    """Checks that failed with severity WARN, alerted as check_failure_alert_sensor's run does
    (cron users have no sensors); the same finding is alerted once across nights."""
    from chitieu import runner
    from chitieu.alerts import check_warning_alert, send, warehouse_store

    found = [
        w
        for e in result.get_asset_check_evaluations()
        if (w := runner.check_warning(e, result.run_id))
    ]
    if not found or not _value(alerts.urls).strip():
        return
    url = runner.run_url(_value(alerts.ui_url), result.run_id)
    pending = [check_warning_alert(w.asset, w.check, w.rules, w.cells, url) for w in found]
    try:
        with warehouse_store(path, result.run_id) as store:
            if store is None:  # untracked, it would be sent again every night
                print(
                    "chitieu run: check warnings not alerted: the warehouse is busy",
                    file=sys.stderr,
                )
                return
            send(pending, _value(alerts.urls), store)
    except Exception as exc:  # a failing channel must not hide the run's own result
        print(f"chitieu run: check warnings could not be alerted: {exc}", file=sys.stderr)


def _report_failure(result, alerts, log, path: str, send_alert: bool = True) -> int:
    """``FAILED <asset>: <cause>`` lines last, after the log's path; the alert goes out from here
    (cron users have no run-failure sensor), except for a what-if run, which sends nothing."""
    from chitieu import runner
    from chitieu.alerts import run_failure_alert, send, warehouse_store

    failed = runner.failures(result) or [
        runner.StepFailure("nightly", "the run failed without a failed step; see the log")
    ]
    url = runner.run_url(_value(alerts.ui_url), result.run_id)
    alert = run_failure_alert(result.run_id, "nightly", [f.line() for f in failed], url)
    try:
        if send_alert:
            with warehouse_store(path, result.run_id) as store:
                send([alert], _value(alerts.urls), store)
    except Exception as exc:  # a failing channel must not hide the run's own cause
        print(f"chitieu run: the failure alert could not be sent: {exc}", file=sys.stderr)
    print(f"full log: {log}", file=sys.stderr)
    for f in failed:
        print(f.line(), file=sys.stderr)
    return 1


def _intake_limits():
    """(max file bytes, parse limits) from the same CHITIEU_* settings as the nightly run."""
    from chitieu.resources import InputsResource
    from chitieu.settings import ENV_SETTINGS, setting_value

    fields = ("max_file_mb", "parse_timeout_seconds", "parse_memory_mb")
    env = {f: ENV_SETTINGS["inputs"][f] for f in fields}
    inputs = InputsResource(
        **{
            f: setting_value(f, var, os.environ[var])
            for f, var in env.items()
            if os.environ.get(var)
        }
    )
    return inputs.max_file_mb * 1024 * 1024, inputs.parse_limits()


def _is_what_if(args: argparse.Namespace) -> bool:
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


def _plan_and_ref(plan_id: str | None, period: str | None = None, every: bool = False):
    """The plan named by ``--plan``; else the annual plan of ``period``'s year; else with
    ``every`` all loaded plans (the isolated reader picks the one a file names,
    ``chitieu.plan_choice``), or the latest annual plan."""
    from chitieu.catalogue import load_plan
    from chitieu.periods import PeriodError, parse_period
    from chitieu.plan_choice import annual_plans
    from chitieu.reference import load_reference
    from chitieu.resources import InputsResource

    inputs = InputsResource(
        plans_dir=os.environ.get("CHITIEU_PLANS_DIR") or InputsResource().plans_dir,
        reference_dir=os.environ.get("CHITIEU_REFERENCE_DIR") or InputsResource().reference_dir,
    )
    ref = load_reference(inputs.reference_dir)
    plans = [load_plan(p, ref) for p in inputs.plan_files()]
    known = ", ".join(p.plan_id for p in plans)
    if plan_id is not None:
        chosen = [p for p in plans if p.plan_id == plan_id]
        if not chosen:
            raise SystemExit(f"unknown plan {plan_id!r}; known: {known}")
        return chosen[0], ref
    annual = annual_plans(plans)
    if period is not None:
        try:
            year = parse_period(period).year
        except PeriodError as exc:
            raise SystemExit(f"chitieu: {exc}") from None
        chosen = [p for p in annual if p.year == year]
        if not chosen:
            raise SystemExit(f"no annual plan for {year}; known: {known}")
        return chosen[0], ref
    if every:
        return plans, ref
    return annual[0], ref


def _published_history():
    """Earlier figures from the published snapshot (read-only), for the history rules; None without one."""
    path = os.environ.get("CHITIEU_PUBLISHED_WAREHOUSE") or "var/published/chitieu.duckdb"
    if not os.path.exists(path):
        return None
    from assets.submissions import history

    with duckdb.connect(path, read_only=True) as con:
        return history(con)


def _template(args: argparse.Namespace) -> int:
    from chitieu.submissions.template import write_template

    plan, ref = _plan_and_ref(args.plan, period=args.period)
    try:
        path = write_template(plan, ref, args.department, args.period, args.output)
    except ValueError as exc:
        print(f"chitieu template: {exc}", file=sys.stderr)
        return 2
    print(f"{path}")
    return 0


def _check(args: argparse.Namespace) -> int:
    from pathlib import Path

    from chitieu.settings import SettingError
    from chitieu.submissions.check import UNREADABLE_RULES, check_submission
    from chitieu.submissions.report import render_report

    path = Path(args.file)
    if not path.exists() and not path.is_symlink():
        print(f"chitieu check: no such file: {path}", file=sys.stderr)
        return 2
    plan, ref = _plan_and_ref(args.plan, every=True)
    department = args.department or (
        path.parent.name if path.parent.name in ref.department_codes else None
    )
    if args.department and args.department not in ref.department_codes:
        print(f"chitieu check: unknown department {args.department!r}", file=sys.stderr)
        return 2
    try:
        limits = _intake_limits()
    except SettingError as exc:
        print(f"chitieu check: {exc}", file=sys.stderr)
        return 2
    sub = check_submission(path, plan, ref, department, _published_history(), *limits)
    print(render_report(sub))
    if any(p.rule in UNREADABLE_RULES for p in sub.errors):
        return 2
    return 0 if sub.accepted else 1


def _report(args: argparse.Namespace) -> int:
    from chitieu.reports import write_html, write_pdf, write_xlsx

    path = (
        args.warehouse
        or os.environ.get("CHITIEU_PUBLISHED_WAREHOUSE")
        or "var/published/chitieu.duckdb"
    )
    if not os.path.exists(path):
        print(
            f"chitieu report: no warehouse at {path}; run `chitieu run` first or pass --warehouse",
            file=sys.stderr,
        )
        return 2
    writer = {"html": write_html, "xlsx": write_xlsx, "pdf": write_pdf}[args.format]
    with duckdb.connect(path, read_only=True) as con:
        try:
            out = writer(con, args.output, args.plan)
        except FileNotFoundError as exc:  # pdf without LibreOffice
            print(f"chitieu report: {exc}", file=sys.stderr)
            return 2
    print(out)
    return 0


def _dictionary(args: argparse.Namespace) -> int:
    import json

    from chitieu.dictionary import bi_contract, data_dictionary

    with duckdb.connect(args.warehouse, read_only=True) as con:
        text = data_dictionary(con)
        contract = bi_contract(con)
    if args.write:
        with open("docs/data-dictionary.md", "w", encoding="utf-8") as fh:
            fh.write(text)
        with open("tests/snapshots/bi_contract.json", "w", encoding="utf-8") as fh:
            json.dump(contract, fh, indent=1, ensure_ascii=False)
            fh.write("\n")
        print("wrote docs/data-dictionary.md and tests/snapshots/bi_contract.json")
    else:
        print(text)
    return 0


def _project_on_path() -> None:
    """The code location (pipelines/, assets/, sources/) lives beside the installed chitieu package."""
    from chitieu.incremental import PROJECT_ROOT  # not chitieu.resources: no Dagster import

    if str(PROJECT_ROOT) not in sys.path:
        sys.path.insert(0, str(PROJECT_ROOT))


def _serve(args: argparse.Namespace) -> int:
    from chitieu.portal.app import serve
    from chitieu.portal.credentials import read_hashes
    from chitieu.portal.settings import PortalSettings

    settings = PortalSettings.from_env(bind=args.bind, port=args.port)
    if not read_hashes(settings.credentials_path):
        print(
            f"chitieu serve: no department can sign in: {settings.credentials_path} has no password; "
            "set one with `chitieu portal-passwd DEPARTMENT`",
            file=sys.stderr,
        )
    if settings.bind not in ("127.0.0.1", "::1", "localhost") and not settings.secure_cookies:
        print(
            "chitieu serve: listening beyond this machine without CHITIEU_PORTAL_SECURE_COOKIES=true; "
            "put it behind a TLS reverse proxy (docs/portal.md)",
            file=sys.stderr,
        )
    serve(settings)
    return 0


def _portal_passwd(args: argparse.Namespace) -> int:
    import getpass
    import secrets

    from chitieu.portal.credentials import CredentialError, set_password
    from chitieu.portal.settings import PortalSettings
    from chitieu.reference import load_reference

    settings = PortalSettings.from_env()
    if args.department not in load_reference(settings.reference_dir).department_codes:
        print(f"chitieu portal-passwd: unknown department {args.department!r}", file=sys.stderr)
        return 2
    if args.generate:
        password = secrets.token_urlsafe(15)
    elif args.stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = getpass.getpass(f"New password for {args.department}: ")
        if getpass.getpass("Again: ") != password:
            print("chitieu portal-passwd: the passwords differ", file=sys.stderr)
            return 2
    try:
        set_password(settings.credentials_path, args.department, password)
    except CredentialError as exc:
        print(f"chitieu portal-passwd: {exc}", file=sys.stderr)
        return 2
    if args.generate:
        print(password)
    print(f"password of {args.department} set in {settings.credentials_path}", file=sys.stderr)
    return 0


def main(argv: list[str] | None = None) -> int:
    _project_on_path()
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
        "--as-of",
        help="evaluation date YYYY-MM-DD: only figures received and reported by then count"
        " (default: today in Asia/Ho_Chi_Minh)",
    )
    run.add_argument(
        "--received-at",
        help="receipt time recorded for every inbox file this run sees first, YYYY-MM-DD or an"
        " ISO date-time with offset (default: now); for what-if runs on a fresh warehouse",
    )
    run.add_argument(
        "--publish",
        action="store_true",
        help="publish the snapshot, exports, reports and alerts even with --as-of or --warehouse"
        " (what-if runs do not, by default)",
    )
    run.add_argument(
        "--full",
        action="store_true",
        help="run even if nothing changed since the last successful run",
    )
    tpl = sub.add_parser(
        "template", help="write the official reporting workbook for one department and period"
    )
    tpl.add_argument("department", help="department code, e.g. snn")
    tpl.add_argument("--plan", help="plan id (default: the annual plan of the period's year)")
    tpl.add_argument("--period", required=True, help="2024-06, 2024-Q3, 2024-6M, 2024-9M or 2024")
    tpl.add_argument("-o", "--output", required=True, help="the .xlsx file to write")
    chk = sub.add_parser("check", help="dry run: parse and check one file without loading anything")
    chk.add_argument("file")
    chk.add_argument(
        "--department", help="submitting department (default: the file's folder or the template's)"
    )
    chk.add_argument(
        "--plan", help="plan id (default: the one the file's template or reporting period names)"
    )
    rep = sub.add_parser(
        "report",
        help="write the attainment report (xlsx for the council, its PDF via LibreOffice, or one HTML page)",
    )
    rep.add_argument("--format", choices=["html", "xlsx", "pdf"], required=True)
    rep.add_argument("-o", "--output", required=True)
    rep.add_argument("--plan", help="plan id (default: the first)")
    rep.add_argument("--warehouse", help="DuckDB file to read (default: the published snapshot)")
    dic = sub.add_parser(
        "dictionary", help="print (or --write) the data dictionary and BI contract from a warehouse"
    )
    dic.add_argument("--warehouse", default="var/chitieu.duckdb")
    dic.add_argument(
        "--write",
        action="store_true",
        help="rewrite docs/data-dictionary.md and tests/snapshots/bi_contract.json",
    )
    srv = sub.add_parser("serve", help="run the department portal (upload, instant check, history)")
    srv.add_argument(
        "--bind", help="address to listen on (default: $CHITIEU_PORTAL_BIND or 127.0.0.1)"
    )
    srv.add_argument("--port", type=int, help="port (default: $CHITIEU_PORTAL_PORT or 8765)")
    pwd = sub.add_parser(
        "portal-passwd",
        help="set or rotate a department's portal password (in $CHITIEU_PORTAL_CREDENTIALS)",
    )
    pwd.add_argument("department", help="department code, e.g. snn")
    how = pwd.add_mutually_exclusive_group()
    how.add_argument(
        "--generate", action="store_true", help="generate a random password and print it"
    )
    how.add_argument("--stdin", action="store_true", help="read the password from standard input")
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return 2 if exc.code else 0
    try:
        code = _COMMANDS[args.command](args)
        sys.stdout.flush()  # a pipe's buffer is written here, where a closed reader is caught
        return code
    except BrokenPipeError:
        # the reader went away (`chitieu run --table | head`): stop quietly, as Unix tools do
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1


_COMMANDS = {
    "run": _run,
    "template": _template,
    "check": _check,
    "report": _report,
    "dictionary": _dictionary,
    "serve": _serve,
    "portal-passwd": _portal_passwd,
}


if __name__ == "__main__":
    sys.exit(main())
