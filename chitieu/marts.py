"""Assemble mart.target_attainment from the catalogue, the attainment inputs and the formulas."""

from __future__ import annotations

from datetime import date

import pandas as pd

from chitieu.attainment import Reading, Spec, evaluate
from chitieu.attainment_text import comparison_vi, required_vi
from chitieu.periods import parse_period


def number(v) -> float | None:
    """A cell as a float; None for a missing value (None, NaN, NA)."""
    return None if v is None or pd.isna(v) else float(v)


def _flags(*values) -> str | None:
    flags = sorted({f for v in values if isinstance(v, str) for f in v.split(";") if f})
    return ";".join(flags) or None


def target_spec(t) -> Spec:
    """The attainment rule's inputs from one core.dim_target row (annual or multi-year)."""
    return Spec(
        kind=t.kind,
        target_value=number(t.target_value),
        target_low=number(t.target_low),
        target_high=number(t.target_high),
        strict=bool(t.strict),
        tolerance=float(t.tolerance or 0),
        direction=t.direction,
        measure=t.measure,
        flow=bool(t.flow),
        whole_units=bool(getattr(t, "whole_units", False)),
    )


def descriptive_columns(t) -> dict:
    """The catalogue's descriptive columns of one target (``plan_id`` … ``measure_unit``), the
    first columns of every mart.target_attainment row, annual or multi-year."""
    return {
        "plan_id": t.plan_id,
        "target_code": t.target_code,
        "group_no": t.group_no,
        "item_no": t.item_no,
        "source_ref": t.source_ref,
        "name_vi": t.name_vi,
        "name_en": t.name_en,
        "unit": t.unit,
        "kind": t.kind,
        "target_value": number(t.target_value),
        "target_low": number(t.target_low),
        "target_high": number(t.target_high),
        "tolerance": number(t.tolerance),
        "measure_unit": t.measure_unit,
    }


def _is_final(v) -> bool:
    return True if v is None or pd.isna(v) else bool(v)


def compute_attainment(targets: pd.DataFrame, inputs: pd.DataFrame, as_of: date) -> pd.DataFrame:
    """One row per target: the evaluation of its inputs, with the catalogue's descriptive columns."""
    merged = targets.merge(
        inputs, on=["plan_id", "target_code", "area_code"], how="left", validate="one_to_one"
    )
    rows = []
    for t in merged.itertuples(index=False):
        latest = (
            Reading(
                float(t.latest_value), parse_period(t.latest_period), _is_final(t.latest_is_final)
            )
            if number(t.latest_value) is not None
            else None
        )
        estimate = (
            Reading(float(t.estimate_value), parse_period(t.estimate_period))
            if number(t.estimate_value) is not None
            else None
        )
        spec = target_spec(t)
        ev = evaluate(spec, number(t.baseline_value), latest, estimate, number(t.same_period_value))
        from_estimate = latest is None and estimate is not None
        by_estimate = from_estimate or ev.projection_basis == "estimate"
        deciding = ev.projected_value if ev.projection_basis else ev.actual_value
        rows.append(
            {
                **descriptive_columns(t),
                "baseline_value": number(t.baseline_value),
                "baseline_period": t.baseline_period,
                "same_period_value": number(t.same_period_value),
                "same_period_period": t.same_period_period
                if number(t.same_period_value) is not None
                else None,
                "baseline_used": ev.baseline_used,
                "actual_level": number(t.latest_value),
                "actual_value": ev.actual_value,
                "actual_period": t.latest_period if latest else None,
                "actual_source": t.estimate_source_kind if from_estimate else t.latest_source_kind,
                "actual_source_ref": t.estimate_source_ref
                if from_estimate
                else t.latest_source_ref,
                "estimate_level": number(t.estimate_value),
                "estimate_source": t.estimate_source_kind,
                "estimate_source_ref": t.estimate_source_ref,
                "projected_value": ev.projected_value,
                "projection_basis": ev.projection_basis,
                "projection_method": ev.projection_method,
                "attainment_pct": ev.attainment_pct,
                "gap_to_plan": ev.gap_to_plan,
                "requirement_vi": required_vi(spec),
                "comparison_vi": comparison_vi(spec, deciding) if ev.status != "no_data" else None,
                "status": ev.status,
                "status_vi": ev.status_vi,
                "data_status": t.estimate_data_status if by_estimate else t.latest_data_status,
                "provisional": ev.provisional,
                "verdict_vi": ev.verdict_vi,
                "counted_as": getattr(t, "counted_as", None),
                "no_data_reason": ev.no_data_reason,
                "quality_flags": _flags(t.latest_quality_flags, t.estimate_quality_flags),
                "department_code": t.department_code,
                "area_code": t.area_code,
                "national_indicator": t.national_indicator,
                "national_year": number(t.national_year),
                "national_value": number(t.national_value),
                "as_of": as_of,
            }
        )
    out = pd.DataFrame(rows)
    for col in ("same_period_value", "gap_to_plan"):
        out[col] = out[col].astype("float64")  # numeric even when no row has one
    # bounds are null for all but range targets; typed here so they never reach DuckDB as text
    for col in ("target_low", "target_high"):
        out[col] = out[col].astype("Float64")
    # all-null text columns would otherwise reach DuckDB untyped
    for col in out.columns:
        if out[col].dtype == object and col != "as_of":
            out[col] = out[col].astype("string")
    out["national_year"] = out["national_year"].astype("Int64")
    return out.sort_values(["plan_id", "group_no", "item_no"]).reset_index(drop=True)
