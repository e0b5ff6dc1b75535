"""A night with nothing new is not run again.

The night's inputs are fingerprinted: the evaluation date, every setting, and the size and
modification time of every file the run reads (plan catalogues, reference data, manual
observations, the inbox, recorded statistics, suites, warehouse models and the code itself).
After a successful run the fingerprint is kept in the warehouse (``ops.night_inputs``); when the
next ``chitieu run`` finds the same fingerprint it reports the current results and stops. When
only the date moved (the inputs' fingerprint, without the date, is last night's), only the assets
that depend on the date run (``pipelines/metadata.py``: DATE_DEPENDENT and what is downstream of
them). Live statistics are outside chitieu's control, so a night in live mode always runs whole.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb

from chitieu.settings import ENV_SETTINGS

# Dagster is not imported here: deciding that nothing changed must stay cheap.
PROJECT_ROOT = Path(__file__).resolve().parents[1]
TIMEZONE = "Asia/Ho_Chi_Minh"
INPUT_DIRS = (
    "CHITIEU_PLANS_DIR",
    "CHITIEU_REFERENCE_DIR",
    "CHITIEU_MANUAL_DIR",
    "CHITIEU_INBOX_DIR",
)

INPUTS = ENV_SETTINGS["inputs"]
# Left out of the inputs' fingerprint: the date (compared on its own) and the settle wait (a
# night is remembered only when it held no file back, so the wait decides nothing then).
NOT_INPUTS = ("as_of", "settle_seconds")
CODE_DIRS = ("chitieu", "assets", "pipelines", "sources", "warehouse", "expectations")
DDL = (
    "create schema if not exists ops",
    "create table if not exists ops.night_inputs (fingerprint varchar, run_id varchar, "
    "finished_at timestamptz)",
    # the same inputs on another date: only the date-dependent assets run
    "alter table ops.night_inputs add column if not exists inputs_fingerprint varchar",
    "alter table ops.night_inputs add column if not exists as_of varchar",
)


def _files(folder: str | Path) -> list[tuple[str, int, int]]:
    root = Path(folder)
    if not root.exists():
        return []
    paths = [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file())
    out = []
    for p in paths:
        if "__pycache__" in p.parts or "outbox" in p.relative_to(root).parts[1:2]:
            continue  # feedback files the run writes may sit in the inbox (CHITIEU_OUTBOX_DIR)
        st = p.stat()
        out.append((str(p), st.st_size, st.st_mtime_ns))
    return out


def fingerprint(settings: dict, as_of: str, folders: list[str]) -> str:
    """Hash of the settings, the evaluation date and every input and code file's size and time."""
    digest = hashlib.sha256(json.dumps([settings, as_of], sort_keys=True, default=str).encode())
    for folder in [*folders, *(str(PROJECT_ROOT / d) for d in CODE_DIRS)]:
        digest.update(repr(_files(folder)).encode())
    return digest.hexdigest()


def _latest(warehouse: str) -> tuple | None:
    """(fingerprint, run id, finished at, inputs fingerprint, as_of) of the latest good night."""
    if not Path(warehouse).exists():
        return None
    with duckdb.connect(warehouse, read_only=True) as con:
        columns = {
            r[0]
            for r in con.execute(
                "select column_name from information_schema.columns "
                "where table_schema = 'ops' and table_name = 'night_inputs'"
            ).fetchall()
        }
        if not columns:
            return None
        extra = "inputs_fingerprint, as_of" if "as_of" in columns else "null, null"
        return con.execute(
            f"select fingerprint, run_id, finished_at, {extra} from ops.night_inputs "
            "order by finished_at desc limit 1"
        ).fetchone()


def last_run(warehouse: str, key: str) -> tuple[str, datetime] | None:
    """The run id and end of the last successful night with this fingerprint, if it is the latest."""
    row = _latest(warehouse)
    return (row[1], row[2]) if row and row[0] == key else None


def only_the_date_moved(warehouse: str, inputs_key: str, as_of: str) -> str | None:
    """The date of the latest successful night when it had the same inputs, settings and code
    (``inputs_key``) on another date; None otherwise."""
    row = _latest(warehouse)
    if row and row[3] == inputs_key and row[4] and row[4] != as_of:
        return row[4]
    return None


def remember(
    warehouse: str, key: str, run_id: str, inputs_key: str | None = None, as_of: str | None = None
) -> None:
    """Keep the fingerprints of a successful night."""
    with duckdb.connect(warehouse) as con:
        for sql in DDL:
            con.execute(sql)
        con.execute(
            "insert into ops.night_inputs by name select ? as fingerprint, ? as run_id, "
            "? as finished_at, ? as inputs_fingerprint, ? as as_of",
            [key, run_id, datetime.now(UTC), inputs_key, as_of],
        )


def plan_ids(plans_dir: str | Path) -> list[str]:
    """The ``plan.id`` line of every catalogue in ``plans_dir`` (read as text: no YAML parse, no
    Dagster), so a night covering other plans is never taken for an unchanged one."""
    ids = []
    for path in sorted(Path(plans_dir).glob("*.yaml")):
        in_plan = False
        for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
            if line.startswith("plan:"):
                in_plan = True
            elif in_plan and line.strip().startswith("id:"):
                ids.append(line.split(":", 1)[1].strip().strip("'\""))
                break
            elif line and not line[0].isspace() and not line.startswith("#"):
                in_plan = False
    return ids


def warehouse_path(overrides: dict) -> str:
    """The warehouse ``chitieu run`` writes: --warehouse, else CHITIEU_WAREHOUSE, else the default
    (the same order as pipelines/resources.py)."""
    return (
        overrides.get("warehouse", {}).get("path")
        or os.environ.get("CHITIEU_WAREHOUSE")
        or "var/chitieu.duckdb"
    )


@dataclass(frozen=True)
class Night:
    """Tonight's fingerprints: ``key`` of everything, ``inputs_key`` of everything but the date."""

    key: str
    inputs_key: str
    as_of: str


def tonight(overrides: dict, publish: bool = True) -> Night | None:
    """Tonight's fingerprints; None in live mode (statistics outside chitieu's control).

    Settings are the CHITIEU_* variables and the command-line overrides; defaults are code, and
    the code is fingerprinted. Input folders are the configured ones (the bundled defaults are
    under sources/, part of the code) and the default inbox var/inbox. The evaluation date
    (--as-of or CHITIEU_AS_OF, else today) and the plans (every catalogue file in the plans
    folder, and the ids they declare) are part of it, and so is ``publish``: a what-if run that
    published nothing does not stand in for a night that publishes."""
    if (os.environ.get("CHITIEU_STATS_MODE") or "offline") == "live":
        return None
    settings = {k: v for k, v in os.environ.items() if k.startswith("CHITIEU_")}
    as_of = overrides.get("inputs", {}).get("as_of") or settings.get(INPUTS["as_of"])
    as_of = as_of or str(datetime.now(ZoneInfo(TIMEZONE)).date())
    folders = [settings[v] for v in INPUT_DIRS if settings.get(v)]
    if not settings.get("CHITIEU_INBOX_DIR"):
        folders.append("var/inbox")
    plans_dir = settings.get("CHITIEU_PLANS_DIR") or str(PROJECT_ROOT / "sources" / "plans")
    # NOT_INPUTS are left out, so `--demo` (which waits 0 s) and a plain run answer for each other
    dateless = {
        "plans": plan_ids(plans_dir),
        "publish": publish,
        "env": {k: v for k, v in settings.items() if k not in {INPUTS[f] for f in NOT_INPUTS}},
        "overrides": {
            **overrides,
            "inputs": {k: v for k, v in overrides.get("inputs", {}).items() if k not in NOT_INPUTS},
        },
    }
    inputs_key = fingerprint(dateless, "", folders)
    key = hashlib.sha256(f"{inputs_key}:{as_of}".encode()).hexdigest()
    return Night(key, inputs_key, as_of)


def unchanged_since(
    overrides: dict, full: bool = False, publish: bool = True
) -> tuple[str | None, tuple | None]:
    """(fingerprint of tonight's inputs or None in live mode, the earlier run with the same one)."""
    night = tonight(overrides, publish)
    if night is None:
        return None, None
    return night.key, (None if full else last_run(warehouse_path(overrides), night.key))
