"""The ``chitieu`` command: run the nightly job without the Dagster daemon, and more."""

from __future__ import annotations

import argparse
import os
import sys


def _project_on_path() -> None:
    """The code location (pipelines/, assets/, sources/) lives beside the installed chitieu package."""
    from chitieu.incremental import PROJECT_ROOT  # not chitieu.resources: no Dagster import

    if str(PROJECT_ROOT) not in sys.path:
        sys.path.insert(0, str(PROJECT_ROOT))


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
        code = _command(args.command)(args)
        sys.stdout.flush()  # a pipe's buffer is written here, where a closed reader is caught
        return code
    except BrokenPipeError:
        # the reader went away (`chitieu run --table | head`): stop quietly with 128 + SIGPIPE,
        # the status a shell reports for a tool its reader left, never a failed run's 1
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141


def _command(name: str):
    """The function of a subcommand, imported when it runs (the no-change night stays light)."""
    from chitieu import cli_run, cli_tools

    return {
        "run": cli_run.run,
        "template": cli_tools.template,
        "check": cli_tools.check,
        "report": cli_tools.report,
        "dictionary": cli_tools.dictionary,
        "serve": cli_tools.serve,
        "portal-passwd": cli_tools.portal_passwd,
    }[name]


if __name__ == "__main__":
    sys.exit(main())
