"""Attainment marts for BI tools and the council report."""

import dagster as dg

from chitieu import warehouse as wh
from chitieu.bi_columns import add_bi_columns
from chitieu.labels import add_label_columns, load_labels
from chitieu.marts import compute_attainment
from chitieu.resources import InputsResource, WarehouseResource


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
)
def target_attainment(warehouse: WarehouseResource, inputs: InputsResource) -> dg.MaterializeResult:
    """One row per plan target at its area: the latest figure, its source, the year-end projection,
    attainment % and status (achieved, on_track, at_risk, not_achieved, no_data, with Vietnamese labels).
    Rebuilt in one transaction, so a failure leaves yesterday's table in place."""
    as_of = inputs.as_of_date()
    with warehouse.get_connection() as con, wh.transaction(con):
        wh.build(con, "core.attainment_inputs")
        targets = con.execute(
            """select t.*, coalesce(u.whole_units, false) as whole_units
               from core.dim_target as t left join core.dim_unit as u on u.unit_code = t.measure_unit"""
        ).df()
        inputs_df = con.execute("select * from core.attainment_inputs").df()
        frame = compute_attainment(targets, inputs_df, as_of)
        frame = add_bi_columns(frame, *bi_names(con))
        frame = add_label_columns(
            frame,
            con.execute("select * from core.dim_label").df(),
            load_labels(inputs.reference_dir)[1],
            "mart.target_attainment",
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
