"""The other `chitieu` commands: template, check, report, dictionary, serve, portal-passwd."""

from __future__ import annotations

import argparse
import os
import sys

import duckdb


def _inputs(*fields: str):
    """The ``inputs`` resource with ``fields`` taken from their CHITIEU_* variables, as the
    nightly run takes them; the others keep their defaults."""
    from chitieu.resources import InputsResource
    from chitieu.settings import ENV_SETTINGS, setting_value

    env = {f: ENV_SETTINGS["inputs"][f] for f in fields}
    return InputsResource(
        **{
            f: setting_value(f, var, os.environ[var])
            for f, var in env.items()
            if os.environ.get(var)
        }
    )


def intake_limits():
    """(max file bytes, parse limits) from the same CHITIEU_* settings as the nightly run."""
    inputs = _inputs("max_file_mb", "parse_timeout_seconds", "parse_memory_mb")
    return inputs.max_file_mb * 1024 * 1024, inputs.parse_limits()


def plan_and_ref(plan_id: str | None, period: str | None = None, every: bool = False):
    """The plan named by ``--plan``; else the annual plan of ``period``'s year; else with
    ``every`` all loaded plans (the isolated reader picks the one a file names,
    ``chitieu.plan_choice``), or the latest annual plan."""
    from chitieu.catalogue import load_plan
    from chitieu.periods import PeriodError, parse_period
    from chitieu.plan_choice import annual_plans
    from chitieu.reference import load_reference

    inputs = _inputs("plans_dir", "reference_dir")
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


def published_history():
    """Earlier figures from the published snapshot (read-only), for the history rules; None without one."""
    path = os.environ.get("CHITIEU_PUBLISHED_WAREHOUSE") or "var/published/chitieu.duckdb"
    if not os.path.exists(path):
        return None
    from assets.submissions import history

    with duckdb.connect(path, read_only=True) as con:
        return history(con)


def template(args: argparse.Namespace) -> int:
    from chitieu.submissions.template import write_template

    plan, ref = plan_and_ref(args.plan, period=args.period)
    try:
        path = write_template(plan, ref, args.department, args.period, args.output)
    except ValueError as exc:
        print(f"chitieu template: {exc}", file=sys.stderr)
        return 2
    print(f"{path}")
    return 0


def check(args: argparse.Namespace) -> int:
    from pathlib import Path

    from chitieu.settings import SettingError
    from chitieu.submissions.check import UNREADABLE_RULES, check_submission
    from chitieu.submissions.report import render_report

    path = Path(args.file)
    if not path.exists() and not path.is_symlink():
        print(f"chitieu check: no such file: {path}", file=sys.stderr)
        return 2
    plan, ref = plan_and_ref(args.plan, every=True)
    department = args.department or (
        path.parent.name if path.parent.name in ref.department_codes else None
    )
    if args.department and args.department not in ref.department_codes:
        print(f"chitieu check: unknown department {args.department!r}", file=sys.stderr)
        return 2
    try:
        limits = intake_limits()
    except SettingError as exc:
        print(f"chitieu check: {exc}", file=sys.stderr)
        return 2
    sub = check_submission(path, plan, ref, department, published_history(), *limits)
    print(render_report(sub))
    if any(p.rule in UNREADABLE_RULES for p in sub.errors):
        return 2
    return 0 if sub.accepted else 1


def report(args: argparse.Namespace) -> int:
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


def dictionary(args: argparse.Namespace) -> int:
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


def serve(args: argparse.Namespace) -> int:
    from chitieu.portal.app import serve as serve_portal
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
    serve_portal(settings)
    return 0


def portal_passwd(args: argparse.Namespace) -> int:
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
