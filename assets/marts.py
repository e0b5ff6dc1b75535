"""Attainment marts for BI tools and the council report."""

import dagster as dg

from assets.plans import PLAN_BACKFILL, PLAN_PARTITIONS
from chitieu import warehouse as wh
from chitieu.bi_columns import add_bi_columns
from chitieu.labels import add_label_columns, load_labels
from chitieu.plan_rows import plan_attainment, replace_plans
from chitieu.resources import WAREHOUSE_POOL, InputsResource, WarehouseResource


def bi_names(con) -> tuple:
    """Departments, areas, units and group headings, as :func:`add_bi_columns` takes them."""
    return tuple(
        con.execute(f"select * from core.{t}").df()
        for t in ("dim_department", "dim_area", "dim_unit", "dim_plan_group")
    )


@dg.asset(
    key=["mart", "target_attainment"],
    group_name="mart",
    deps=[
        ["core", "fact_observation"],
        ["core", "dim_target"],
        ["core", "fact_national_indicator"],
        ["core", "dim_figure_precedence"],
        ["core", "dim_unit"],
        ["core", "dim_plan_group"],
        ["core", "dim_label"],
    ],
    partitions_def=PLAN_PARTITIONS,
    backfill_policy=PLAN_BACKFILL,
    pool=WAREHOUSE_POOL,
)
def target_attainment(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource, inputs: InputsResource
) -> dg.MaterializeResult:
    """One row per plan target at its area: the latest figure, its source, the year-end projection,
    attainment % and status (achieved, on_track, at_risk, not_achieved, no_data, with Vietnamese labels).
    Partitioned by plan: a run rebuilds the rows of its plans and keeps the other plans' rows.
    One transaction, so a failure leaves yesterday's table in place."""
    as_of = inputs.as_of_date()
    plans = list(context.partition_keys)
    with warehouse.get_connection() as con, wh.transaction(con):
        wh.build(con, "core.attainment_inputs")
        targets = con.execute(
            """select t.*, coalesce(u.whole_units, false) as whole_units
               from core.dim_target as t left join core.dim_unit as u on u.unit_code = t.measure_unit
               where list_contains(?, t.plan_id)""",
            [plans],
        ).df()
        inputs_df = con.execute("select * from core.attainment_inputs").df()
        frame = plan_attainment(con, targets, inputs_df, as_of)
        frame = add_bi_columns(frame, *bi_names(con))
        frame = add_label_columns(
            frame,
            con.execute("select * from core.dim_label").df(),
            load_labels(inputs.reference_dir)[1],
            "mart.target_attainment",
        )
        n = replace_plans(con, "mart.target_attainment", frame, plans)
        preview = wh.preview_markdown(
            con,
            "select plan_id, target_code, actual_value, projected_value, status"
            " from mart.target_attainment",
            60,
        )
    counts = frame["status"].value_counts().to_dict()
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": n,
            "plans": plans,
            "as_of": str(as_of),
            **{f"status/{k}": int(v) for k, v in counts.items()},
            "preview": dg.MetadataValue.md(preview),
        }
    )


@dg.asset(
    key=["mart", "attainment_summary"],
    group_name="mart",
    deps=[["mart", "target_attainment"]],
    pool=WAREHOUSE_POOL,
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
    key=["mart", "attainment_history"],
    group_name="mart",
    deps=[["mart", "target_attainment"]],
    partitions_def=PLAN_PARTITIONS,
    backfill_policy=PLAN_BACKFILL,
    pool=WAREHOUSE_POOL,
)
def attainment_history(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    """Keeps each run's statuses: one set of rows per plan × target × as-of date, appended
    (a rerun for the same date replaces that date's rows of its plans in one transaction), so BI
    and the HTML report can show how each target's status moved over the year."""
    plans = list(context.partition_keys)
    with warehouse.get_connection() as con, wh.transaction(con):
        as_of = wh.scalar(
            con,
            "select max(as_of) from mart.target_attainment where list_contains(?, plan_id)",
            [plans],
        )
        n = wh.append_model(
            con,
            "mart.attainment_history",
            "as_of = ? and list_contains(?, plan_id)",
            [as_of, plans],
            where="list_contains(?, plan_id)",
            where_params=[plans],
        )
        dates = wh.scalar(con, "select count(distinct as_of) from mart.attainment_history")
        total = wh.scalar(con, "select count(*) from mart.attainment_history")
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": total,
            "plans": plans,
            "as_of": str(as_of),
            "new_rows": n,
            "dates": dates,
        }
    )
