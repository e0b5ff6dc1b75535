"""The BI-facing schema as data: the contract snapshot and docs/data-dictionary.md, from the warehouse's comments."""

from __future__ import annotations

import duckdb

BI_SCHEMAS = ("mart",)


def bi_contract(con: duckdb.DuckDBPyConnection) -> dict[str, list[str]]:
    """{'mart.table': ['column TYPE', ...]} for every BI-facing relation."""
    rows = con.execute(
        "select schema_name || '.' || table_name, column_name, data_type from duckdb_columns() "
        "where schema_name in (select unnest(?)) order by 1, column_index",
        [list(BI_SCHEMAS)],
    ).fetchall()
    out: dict[str, list[str]] = {}
    for table, column, dtype in rows:
        out.setdefault(table, []).append(f"{column} {dtype}")
    return out


def data_dictionary(con: duckdb.DuckDBPyConnection) -> str:
    """Markdown generated from COMMENT ON of every table, view and column, layer by layer."""
    relations = con.execute(
        """select schema_name, table_name, 'table' as kind, comment from duckdb_tables()
           union all select schema_name, view_name, 'view', comment from duckdb_views() where not internal
           order by case schema_name when 'mart' then 1 when 'core' then 2 when 'staging' then 3 else 4 end, 2"""
    ).fetchall()
    lines = [
        "# Data dictionary",
        "",
        "Generated from the warehouse's `COMMENT ON` text by `chitieu dictionary`; do not edit by hand.",
        "Each description reads: English | Vietnamese | grain (tables) or [unit] (columns).",
        "BI tools should use the `mart` schema; its column names are a contract (tests/snapshots/bi_contract.json).",
    ]
    for schema, name, kind, comment in relations:
        if schema not in ("raw", "staging", "core", "mart"):
            continue
        lines += [
            "",
            f"## {schema}.{name} ({kind})",
            "",
            (comment or "").replace("|", "—"),
            "",
            "| column | type | description |",
            "| --- | --- | --- |",
        ]
        for column, dtype, ccomment in con.execute(
            "select column_name, data_type, comment from duckdb_columns() where schema_name = ? and table_name = ? order by column_index",
            [schema, name],
        ).fetchall():
            lines.append(f"| `{column}` | {dtype} | {(ccomment or '').replace('|', '/')} |")
    return "\n".join(lines) + "\n"
