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
    # fact_observation is point in time (figures received by the date), so it reruns; the
    # inputs are not read or validated again
    assert not covered & {"raw/submissions", "core/dim_target"}
    assert "core/fact_observation" in covered
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


def test_exports_rewrite_only_the_tables_whose_content_changed(tmp_path):
    from chitieu.publish import export_changed_tables

    out = tmp_path / "exports"
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        con.execute("create schema mart")
        con.execute("create table mart.a as select 1 as x, 'Lai Châu' as name")
        con.execute("create table mart.b as select 2.5 as y")
        written, unchanged = export_changed_tables(con, ["mart.a", "mart.b"], out)
        assert len(written) == 6 and unchanged == []
        stamps = {p.name: p.stat().st_mtime_ns for p in out.iterdir()}
        con.execute("update mart.b set y = 3.5")
        written, unchanged = export_changed_tables(con, ["mart.a", "mart.b"], out)
        assert sorted(p.name for p in written) == [
            "mart__b.csv",
            "mart__b.parquet",
            "mart__b.spreadsheet.csv",
        ]
        assert unchanged == ["mart.a"]
        assert (out / "mart__a.csv").stat().st_mtime_ns == stamps["mart__a.csv"]
        assert (out / "mart__b.csv").read_text(encoding="utf-8").splitlines() == ["y", "3.5"]
        (out / "mart__a.spreadsheet.csv").unlink()  # a missing file is written again
        written, unchanged = export_changed_tables(con, ["mart.a", "mart.b"], out)
        assert unchanged == ["mart.b"] and len(written) == 3
        assert (out / "mart__a.spreadsheet.csv").exists()
