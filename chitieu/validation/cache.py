"""Incremental nights: a suite is not run again on data it has already validated.

The fingerprint is the suite's JSON and the exact frame the check would validate; when both match
the last validation of that suite in this warehouse, its outcome is reused. Great Expectations is
then never imported and the Data Docs are not rebuilt (together about 60 % of a no-change night).
The cache lives in the warehouse (``ops.validation_cache``), so a fresh warehouse validates afresh.
"""

from __future__ import annotations

import hashlib
import json

import pandas as pd

from chitieu.validation.bridge import Failure, Outcome
from chitieu.validation.suites import SUITES_DIR

DDL = (
    "create schema if not exists ops",
    "create table if not exists ops.validation_cache (suite varchar primary key, "
    "fingerprint varchar, outcome json, validated_at timestamptz default current_timestamp)",
)


def fingerprint(
    name: str, frame: pd.DataFrame, docs_root: str | None, keep: tuple[str, ...] = ()
) -> str:
    """Hash of the suite file, where Data Docs go, and the frame's values (index included) in the
    columns the suite reads and the ``keep`` columns failures are reported with; bookkeeping
    columns such as run ids and load times do not count."""
    from chitieu.validation.suites import suite_columns

    wanted = [*suite_columns(name), *keep]
    frame = frame[[c for c in dict.fromkeys(wanted) if c in frame.columns]]
    digest = hashlib.sha256((SUITES_DIR / f"{name}.json").read_bytes())
    digest.update(str(docs_root or "").encode())
    digest.update(repr(list(zip(frame.columns, map(str, frame.dtypes), strict=True))).encode())
    digest.update(frame.to_csv(index=True).encode())
    return digest.hexdigest()


def _plain(value):
    return value.item() if hasattr(value, "item") and not isinstance(value, str) else value


def _dump(outcome: Outcome) -> str:
    return json.dumps(
        {
            "suite": outcome.suite,
            "rows": outcome.rows,
            "results": outcome.results,
            "failures": [
                [f.suite, f.rule, f.severity, f.row_id, _plain(f.found)] for f in outcome.failures
            ],
        },
        default=str,
        ensure_ascii=False,
    )


def _load(text: str) -> Outcome:
    data = json.loads(text)
    return Outcome(
        data["suite"], data["rows"], data["results"], [Failure(*f) for f in data["failures"]]
    )


def validate_once(
    con, name: str, frame: pd.DataFrame, docs_root: str | None, keep: tuple[str, ...] = ()
) -> tuple[Outcome, bool]:
    """The outcome of suite ``name`` on ``frame``, and whether it came from the cache."""
    for sql in DDL:
        con.execute(sql)
    key = fingerprint(name, frame, docs_root, keep)
    row = con.execute(
        "select outcome from ops.validation_cache where suite = ? and fingerprint = ?", [name, key]
    ).fetchone()
    if row is not None:
        return _load(row[0]), True
    from chitieu.validation.bridge import validate

    outcome = validate(name, frame, docs_root)
    con.execute(
        "insert or replace into ops.validation_cache (suite, fingerprint, outcome) values (?, ?, ?)",
        [name, key, _dump(outcome)],
    )
    return outcome, False
