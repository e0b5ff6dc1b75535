"""Attainment marts for BI tools and the council report."""

import dagster as dg
import pandas as pd

from chitieu import warehouse as wh
from chitieu.marts import compute_attainment
from chitieu.marts_period import compute_period_attainment
from chitieu.resources import InputsResource, WarehouseResource


def annual_targets(targets):
    """The targets of annual plans (the others are judged over their term)."""
    return targets[targets["plan_kind"] == "annual"].reset_index(drop=True)


def with_period_plans(con, targets, annual, as_of):
    """``annual`` plus the rows of multi-year plans, in the same columns and order."""
    if (targets["plan_kind"] == "annual").all():
        return annual
    observations = con.execute(
        "select o.* from core.fact_observation as o join (select distinct plan_id from core.dim_target"
        " where plan_kind <> 'annual') using (plan_id)"
    ).df()
    period = compute_period_attainment(targets, observations, as_of)
    annual = annual.copy()
    for col in annual.columns:
        values = period[col].dropna()
        # a number column the annual rows left all empty (typed as text) gets the period numbers' type
        if len(values) and annual[col].isna().all() and pd.api.types.is_number(values.iloc[0]):
            annual[col] = annual[col].astype("float64")
            period[col] = period[col].astype("float64")
        elif pd.api.types.is_numeric_dtype(annual[col]):
            period[col] = pd.to_numeric(period[col].astype(object)).astype(annual[col].dtype)
    frame = pd.concat([annual, period], ignore_index=True)[annual.columns]
    for col in frame.columns:
        if frame[col].dtype == object and col != "as_of":
            frame[col] = frame[col].astype("string")
    return frame.sort_values(["plan_id", "group_no", "item_no"]).reset_index(drop=True)


@dg.asset(
    key=["mart", "target_attainment"],
    group_name="mart",
    deps=[
        ["core", "fact_observation"],
        ["core", "dim_target"],
        ["core", "fact_national_indicator"],
    ],
)
def target_attainment(warehouse: WarehouseResource, inputs: InputsResource) -> dg.MaterializeResult:
    """One row per plan target at its area: the latest figure, its source, the year-end projection,
    attainment % and status (achieved, on_track, at_risk, not_achieved, no_data, with Vietnamese labels).
    Rebuilt in one transaction, so a failure leaves yesterday's table in place."""
    as_of = inputs.as_of_date()
    with warehouse.get_connection() as con, wh.transaction(con):
        wh.build(con, "core.attainment_inputs")
        targets = con.execute("select * from core.dim_target").df()
        inputs_df = con.execute("select * from core.attainment_inputs").df()
        frame = with_period_plans(
            con, targets, compute_attainment(annual_targets(targets), inputs_df, as_of), as_of
        )
        n = wh.write_table(con, "mart.target_attainment", frame)
        preview = wh.preview_markdown(
            con,
            "select target_code, actual_value, projected_value, status from mart.target_attainment",
            60,
        )
    counts = frame["status"].value_counts().to_dict()
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": n,
            "as_of": str(as_of),
            **{f"status/{k}": int(v) for k, v in counts.items()},
            "preview": dg.MetadataValue.md(preview),
        }
    )


@dg.asset(
    key=["mart", "attainment_summary"], group_name="mart", deps=[["mart", "target_attainment"]]
)
def attainment_summary(warehouse: WarehouseResource) -> dg.MaterializeResult:
    """Counts by status per plan and per group, with the sentence for the council:
    "Ước đạt và vượt X/N chỉ tiêu"."""
    with warehouse.get_connection() as con, wh.transaction(con):
        n = wh.build(con, "mart.attainment_summary")
        sentences = [
            r[0]
            for r in con.execute(
                "select summary_vi from mart.attainment_summary where group_no is null"
            ).fetchall()
        ]
    return dg.MaterializeResult(metadata={"dagster/row_count": n, "summary": "; ".join(sentences)})


@dg.asset(
    key=["mart", "attainment_history"], group_name="mart", deps=[["mart", "target_attainment"]]
)
def attainment_history(warehouse: WarehouseResource) -> dg.MaterializeResult:
    """Keeps each run's statuses: one set of rows per plan × target × as-of date, appended
    (a rerun for the same date replaces that date's rows in one transaction), so BI and the
    HTML report can show how each target's status moved over the year."""
    with warehouse.get_connection() as con, wh.transaction(con):
        as_of = wh.scalar(con, "select max(as_of) from mart.target_attainment")
        n = wh.append_model(
            con,
            "mart.attainment_history",
            "as_of = ? and plan_id in (select distinct plan_id from mart.target_attainment)",
            [as_of],
        )
        dates = wh.scalar(con, "select count(distinct as_of) from mart.attainment_history")
        total = wh.scalar(con, "select count(*) from mart.attainment_history")
    return dg.MaterializeResult(
        metadata={"dagster/row_count": total, "as_of": str(as_of), "new_rows": n, "dates": dates}
    )
