"""Warehouse helpers: build the SQL models in ``warehouse/`` and document them with COMMENT ON.

A model is ``warehouse/<schema>/<table>.sql`` (a SELECT whose first line states its grain)
and/or ``warehouse/<schema>/<table>.yaml`` (materialization, grain, descriptions and one
entry per column). Tables written from Python have only the YAML, which is their contract.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import duckdb
import pandas as pd

from chitieu.yaml_loader import load_yaml

MODELS_DIR = Path(__file__).resolve().parents[1] / "warehouse"
SCHEMAS = ("raw", "staging", "core", "mart", "ops")


@dataclass(frozen=True)
class Model:
    """One warehouse relation: where it lives, how it is built and what it means."""

    schema: str
    table: str
    spec: dict
    sql: str | None

    @property
    def name(self) -> str:
        return f"{self.schema}.{self.table}"

    @property
    def materialized(self) -> str:
        return self.spec.get("materialized", "table")

    @property
    def columns(self) -> list[str]:
        return list(self.spec.get("columns", {}))


@cache
def model(name: str) -> Model:
    """Load the model ``schema.table`` from ``warehouse/``."""
    schema, table = name.split(".")
    base = MODELS_DIR / schema / table
    with open(base.with_suffix(".yaml"), encoding="utf-8") as fh:
        spec = load_yaml(fh)
    sql_path = base.with_suffix(".sql")
    sql = sql_path.read_text(encoding="utf-8") if sql_path.exists() else None
    return Model(schema, table, spec, sql)


def all_models() -> list[Model]:
    """Every model defined in ``warehouse/``, ordered by layer then name."""
    names = [
        f"{p.parent.name}.{p.stem}"
        for schema in SCHEMAS
        for p in sorted((MODELS_DIR / schema).glob("*.yaml"))
    ]
    return [model(n) for n in names]


def personal_columns() -> dict[str, list[str]]:
    """``schema.table`` -> its columns marked ``personal: true`` in ``warehouse/`` (a person's
    name, an IP address): kept in the working warehouse, never published to BI."""
    out = {}
    for m in all_models():
        cols = [c for c, doc in m.spec.get("columns", {}).items() if (doc or {}).get("personal")]
        if cols:
            out[m.name] = cols
    return out


def scalar(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None):
    """The single value of a query. Consumes the whole result: DuckDB 2.0 refuses
    ``register`` on a connection whose last result was read with ``fetchone``."""
    return con.execute(sql, params or []).fetchall()[0][0]


def ensure_schemas(con: duckdb.DuckDBPyConnection) -> None:
    for schema in SCHEMAS:
        con.execute(f"create schema if not exists {schema}")


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """All-or-nothing: commit on success, roll back on any exception."""
    con.execute("begin transaction")
    try:
        yield con
    except BaseException:
        con.execute("rollback")
        raise
    con.execute("commit")


def _quote(text: str) -> str:
    return "'" + str(text).replace("'", "''") + "'"


def apply_comments(con: duckdb.DuckDBPyConnection, m: Model) -> None:
    """COMMENT ON the relation and each column, in English and Vietnamese."""
    spec = m.spec
    kind = "view" if m.materialized == "view" else "table"
    desc = spec.get("description", {})
    con.execute(
        f"comment on {kind} {m.name} is "
        + _quote(f"{desc.get('en', '')} | {desc.get('vi', '')} | Grain: {spec.get('grain', '')}")
    )
    for col, doc in spec.get("columns", {}).items():
        text = f"{doc.get('en', '')} | {doc.get('vi', '')}"
        if doc.get("unit"):
            text += f" [unit: {doc['unit']}]"
        if doc.get("personal"):
            text += " [personal: not published to BI]"
        con.execute(f'comment on column {m.name}."{col}" is {_quote(text)}')


def _check_columns(m: Model, actual: list[str]) -> None:
    if m.columns and actual != m.columns:
        missing = [c for c in m.columns if c not in actual]
        extra = [c for c in actual if c not in m.columns]
        raise ValueError(
            f"{m.name}: columns differ from warehouse/{m.schema}/{m.table}.yaml; missing {missing}, extra {extra}"
        )


def build(con: duckdb.DuckDBPyConnection, name: str) -> int | None:
    """(Re)create a SQL model as a view or table and comment it; returns the table's row count."""
    m = model(name)
    kind = "view" if m.materialized == "view" else "table"
    con.execute(f"create or replace {kind} {m.name} as\n{m.sql}")
    _check_columns(m, [r[0] for r in con.execute(f"describe {m.name}").fetchall()])
    apply_comments(con, m)
    if kind == "table":
        return scalar(con, f"select count(*) from {m.name}")
    return None


def write_table(con: duckdb.DuckDBPyConnection, name: str, df: pd.DataFrame) -> int:
    """Replace a Python-written table with ``df`` in one CREATE TABLE AS (never row by row)."""
    m = model(name)
    frame = df[m.columns] if m.columns else df
    con.register("_chitieu_frame", frame)
    try:
        con.execute(f"create or replace table {m.name} as select * from _chitieu_frame")
    finally:
        con.unregister("_chitieu_frame")
    apply_comments(con, m)
    return len(frame)


def append_rows(
    con: duckdb.DuckDBPyConnection, name: str, df: pd.DataFrame, *, delete_where: str | None = None
) -> int:
    """Append ``df`` to a log table, creating it on first use; optionally delete a slice first."""
    m = model(name)
    frame = df[m.columns]
    con.register("_chitieu_frame", frame)
    try:
        con.execute(f"create table if not exists {m.name} as select * from _chitieu_frame limit 0")
        if delete_where:
            con.execute(f"delete from {m.name} where {delete_where}")
        con.execute(f"insert into {m.name} by name select * from _chitieu_frame")
    finally:
        con.unregister("_chitieu_frame")
    apply_comments(con, m)
    return len(frame)


def ensure_table(con: duckdb.DuckDBPyConnection, name: str) -> None:
    """Create an empty Python-written table if it does not exist yet, typed from its YAML
    (``type`` per column, VARCHAR by default), so SQL models reading it still build."""
    m = model(name)
    if scalar(
        con,
        "select count(*) from information_schema.tables where table_schema = ? and table_name = ?",
        [m.schema, m.table],
    ):
        return
    cols = ", ".join(f'"{c}" {doc.get("type", "varchar")}' for c, doc in m.spec["columns"].items())
    if m.spec.get("primary_key"):
        cols += ", primary key (" + ", ".join(f'"{c}"' for c in m.spec["primary_key"]) + ")"
    con.execute(f"create table {m.name} ({cols})")
    apply_comments(con, m)


def preview_markdown(con: duckdb.DuckDBPyConnection, sql: str, limit: int = 10) -> str:
    """A small markdown table for Dagster metadata."""
    df = con.execute(f"select * from ({sql}) limit {limit}").df()
    if df.empty:
        return "_(no rows)_"
    header = "| " + " | ".join(df.columns) + " |\n|" + "---|" * len(df.columns) + "\n"
    return header + "\n".join(
        "| " + " | ".join("" if pd.isna(v) else str(v) for v in row) + " |"
        for row in df.itertuples(index=False)
    )


def build_model(warehouse, name: str, ensure: tuple[str, ...] = ()) -> int | None:
    """Build one SQL model in its own transaction (creating empty ``ensure`` inputs first); row count."""
    with warehouse.get_connection() as con, transaction(con):
        for table in ensure:
            ensure_table(con, table)
        return build(con, name)


def append_model(
    con: duckdb.DuckDBPyConnection,
    name: str,
    delete_where: str,
    params: list,
    *,
    where: str = "true",
    where_params: list | None = None,
) -> int:
    """An ``incremental`` SQL model: create it from its YAML on first use, delete the slice
    ``delete_where`` (with ``params``), then insert the model's rows matching ``where``. Run it
    inside a transaction so a rerun for the same slice replaces it rather than adding to it."""
    m = model(name)
    ensure_table(con, name)
    con.execute(f"delete from {m.name} where {delete_where}", params)
    before = scalar(con, f"select count(*) from {m.name}")
    con.execute(
        f"insert into {m.name} by name\nselect * from (\n{m.sql}\n) where {where}",
        where_params or [],
    )
    _check_columns(m, [r[0] for r in con.execute(f"describe {m.name}").fetchall()])
    apply_comments(con, m)
    return scalar(con, f"select count(*) from {m.name}") - before
