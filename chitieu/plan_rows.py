"""Rows of several plans in one mart: annual and multi-year plans together, one plan at a time."""

from __future__ import annotations

from datetime import date

import duckdb
import pandas as pd

from chitieu import warehouse as wh
from chitieu.marts import compute_attainment
from chitieu.marts_period import compute_period_attainment


def annual_targets(targets: pd.DataFrame) -> pd.DataFrame:
    """The targets of annual plans (the others are judged over their term)."""
    return targets[targets["plan_kind"] == "annual"].reset_index(drop=True)


def plan_attainment(
    con: duckdb.DuckDBPyConnection, targets: pd.DataFrame, inputs: pd.DataFrame, as_of: date
) -> pd.DataFrame:
    """mart.target_attainment rows for ``targets`` (core.dim_target rows of some plans): annual
    plans through ``chitieu.marts``, multi-year plans through ``chitieu.marts_period``."""
    annual = annual_targets(targets)
    rows = compute_attainment(annual, inputs, as_of) if len(annual) else None
    if len(annual) == len(targets):
        return rows
    observations = con.execute(
        "select o.* from core.fact_observation as o join (select distinct plan_id from core.dim_target"
        " where plan_kind <> 'annual') using (plan_id)"
    ).df()
    period = compute_period_attainment(targets, observations, as_of)
    if rows is None:  # only multi-year plans: their rows, typed like compute_attainment's
        rows = period.iloc[0:0].astype({"group_no": "int64", "item_no": "int64"})
    rows = rows.copy()
    for col in rows.columns:
        values = period[col].dropna()
        # a number column the annual rows left all empty (typed as text) gets the period numbers' type
        if len(values) and rows[col].isna().all() and pd.api.types.is_number(values.iloc[0]):
            rows[col] = rows[col].astype("float64")
            period[col] = period[col].astype("float64")
        elif pd.api.types.is_numeric_dtype(rows[col]):
            period[col] = pd.to_numeric(period[col].astype(object)).astype(rows[col].dtype)
    frame = pd.concat([rows, period], ignore_index=True)[rows.columns]
    for col in frame.columns:
        if frame[col].dtype == object and col != "as_of":
            frame[col] = frame[col].astype("string")
    return frame.sort_values(["plan_id", "group_no", "item_no"]).reset_index(drop=True)


def replace_plans(
    con: duckdb.DuckDBPyConnection, name: str, frame: pd.DataFrame, plans: list[str]
) -> int:
    """Replace the rows of ``plans`` in table ``name`` with ``frame``; the rows of other plans
    still in core.dim_target stay (a plan dropped from the catalogue goes). Row count after."""
    exists = wh.scalar(
        con,
        "select count(*) from information_schema.tables"
        " where table_schema || '.' || table_name = ?",
        [name],
    )
    if not exists:
        return wh.write_table(con, name, frame)
    con.execute(
        f"create or replace temp table _other_plans as select * from {name}"
        " where not list_contains(?, plan_id) and plan_id in (select plan_id from core.dim_target)",
        [plans],
    )
    kept = wh.scalar(con, "select count(*) from _other_plans")
    if not kept:
        wh.write_table(con, name, frame)
    else:
        # a column empty on one side takes the other side's type (pandas types empty columns loosely)
        columns = wh.model(name).columns
        con.register("_plan_rows", frame[columns])
        try:
            old = dict(
                con.execute(
                    "select column_name, column_type from (describe _other_plans)"
                ).fetchall()
            )
            new = dict(
                con.execute("select column_name, column_type from (describe _plan_rows)").fetchall()
            )
            types = {c: old[c] if frame[c].isna().all() and c in old else new[c] for c in columns}
            select = ", ".join(f'cast("{c}" as {types[c]}) as "{c}"' for c in columns)
            con.execute(
                f"create or replace table {name} as select {select} from _plan_rows"
                f" union all select {select} from _other_plans"
            )
        finally:
            con.unregister("_plan_rows")
        wh.apply_comments(con, wh.model(name))
    con.execute("drop table _other_plans")
    return len(frame) + kept
