"""Columns BI tools and readers need beside the attainment figures: names for codes, Vietnamese
labels for English ones, and values rounded to their unit's precision (the raw ones are kept)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import pandas as pd

# Evaluation reasons are written in English by chitieu.attainment; every one needs a translation
# (tests/test_bi_columns.py reads them from that module's source).
NO_DATA_REASONS_VI = {
    "no observation for the plan year": "Chưa có số liệu của năm kế hoạch",
    "missing baseline: the previous year's value is needed": "Thiếu số liệu năm trước để tính",
    "baseline is zero: growth is undefined": "Số năm trước bằng 0, không tính được tốc độ tăng",
}
NO_DATA_REASON_FALLBACK_VI = "Chưa đánh giá được"
ATTAINMENT_DECIMALS = 1
# display column ← (raw column, the column naming its unit)
DISPLAY_COLUMNS = {
    "baseline_value_display": ("baseline_value", "measure_unit"),
    "actual_value_display": ("actual_value", "unit"),
    "projected_value_display": ("projected_value", "unit"),
}


def no_data_reason_vi(reason: str | None) -> str | None:
    """The Vietnamese wording of an evaluation's no-data reason."""
    if reason is None or pd.isna(reason):
        return None
    return NO_DATA_REASONS_VI.get(reason, NO_DATA_REASON_FALLBACK_VI)


def round_half_up(value: float | None, places: int) -> float | None:
    """``value`` rounded half away from zero as it is written (2.675 → 2.68, not 2.67)."""
    if value is None or pd.isna(value):
        return None
    exact = Decimal(repr(float(value))).quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP)
    return float(exact)


def round_to_unit(values: pd.Series, units: pd.Series, decimals: dict[str, int]) -> pd.Series:
    """Each value rounded to its unit's decimals (2 for an unknown unit)."""
    rounded = [round_half_up(v, decimals.get(u, 2)) for v, u in zip(values, units, strict=True)]
    return pd.Series(rounded, index=values.index, dtype="Float64")


def add_bi_columns(
    frame: pd.DataFrame,
    departments: pd.DataFrame,
    areas: pd.DataFrame,
    units: pd.DataFrame,
    groups: pd.DataFrame,
) -> pd.DataFrame:
    """``frame`` (mart.target_attainment's rows) with group, department and area names,
    the Vietnamese no-data reason and rounded display columns (code labels: chitieu.labels)."""
    out = frame.copy()
    decimals = dict(zip(units["unit_code"], units["decimals"].astype(int), strict=True))
    for column, (raw, unit_column) in DISPLAY_COLUMNS.items():
        out[column] = round_to_unit(out[raw], out[unit_column], decimals)
    out["attainment_pct_display"] = round_to_unit(
        out["attainment_pct"], pd.Series("", index=out.index), {"": ATTAINMENT_DECIMALS}
    )
    out["no_data_reason_vi"] = out["no_data_reason"].map(no_data_reason_vi).astype("string")
    names = {
        "group": groups[["plan_id", "group_no", "name_vi", "name_en"]],
        "department": departments[["department_code", "name_vi", "name_en"]],
        "area": areas[["area_code", "name_vi", "name_en"]],
    }
    keys = {
        "group": ["plan_id", "group_no"],
        "department": ["department_code"],
        "area": ["area_code"],
    }
    for prefix, table in names.items():
        renamed = table.rename(
            columns={"name_vi": f"{prefix}_name_vi", "name_en": f"{prefix}_name_en"}
        )
        out = out.merge(renamed, on=keys[prefix], how="left", validate="many_to_one")
    for column in [c for c in out.columns if c.endswith(("_name_vi", "_name_en"))]:
        out[column] = out[column].astype("string")
    return out
