"""A night when only the date moved runs the date-dependent assets only, and gets what a full
night on that date gets."""

import inspect
import re

import duckdb

from chitieu.cli import main
from chitieu.warehouse import MODELS_DIR
from pipelines.definitions import build_definitions
from pipelines.metadata import date_dependent_keys

DATED_TABLES = (
    "core.expected_reports",
    "mart.target_attainment",
    "mart.attainment_summary",
    "mart.submission_status",
)


def _tables(path) -> dict[str, list]:
    with duckdb.connect(str(path), read_only=True) as con:
        return {t: con.execute(f"select * from {t} order by all").fetchall() for t in DATED_TABLES}


def _missing(path) -> int:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute(
            "select count(*) from mart.submission_status where status = 'missing'"
        ).fetchall()[0][0]


def test_every_asset_reading_the_date_or_the_clock_is_rerun_when_the_date_moves():
    defs = build_definitions()
    covered = {k.to_user_string() for k in date_dependent_keys(defs)}
    reading = set()
    for assets_def in defs.resolve_asset_graph().assets_defs:
        source = inspect.getsource(assets_def.op.compute_fn.decorated_fn)
        for key in assets_def.keys:
            sql = MODELS_DIR / key.path[0] / f"{key.path[-1]}.sql"
            text = source + (sql.read_text(encoding="utf-8") if sql.exists() else "")
            if re.search(r"as_of_date\(|current_timestamp|current_date|now\(\)", text):
                reading.add(key.to_user_string())
    assert {"core/expected_reports", "mart/target_attainment", "mart/source_loads"} <= reading
    assert reading <= covered
    # what only reads its inputs does not run again
    assert not covered & {"raw/submissions", "core/fact_observation", "core/dim_target"}
    assert {"mart/attainment_summary", "mart/submission_status", "publish/warehouse"} <= covered


def test_a_night_when_only_the_date_moved_equals_a_full_night_on_that_date(cron_env, capsys):
    warehouse = cron_env / "wh" / "chitieu.duckdb"
    assert main(["run", "--as-of", "2024-10-20"]) == 0
    october, missing_in_october = _tables(warehouse), _missing(warehouse)
    capsys.readouterr()
    assert main(["run", "--as-of", "2025-01-15"]) == 0
    out = capsys.readouterr().out
    assert "only the date moved since the night of 2024-10-20" in out
    moved = _tables(warehouse)
    # the 9-month reports fell due in between: departments without one are now missing
    assert _missing(warehouse) > missing_in_october
    assert moved != october
    assert main(["run", "--as-of", "2025-01-15"]) == 0
    assert capsys.readouterr().out.startswith("nothing changed since run ")
    assert main(["run", "--full", "--as-of", "2025-01-15"]) == 0
    full = _tables(warehouse)
    for table in DATED_TABLES:
        assert moved[table] == full[table], table
