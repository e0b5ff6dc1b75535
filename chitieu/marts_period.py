"""mart.target_attainment rows for multi-year plans (average growth and end-of-period levels)."""

from __future__ import annotations

from datetime import date

import pandas as pd

from chitieu.attainment import Reading
from chitieu.attainment_period import comparator, evaluate_avg_growth, evaluate_end_level
from chitieu.attainment_text import comparison_vi, required_vi
from chitieu.marts import descriptive_columns, number, target_spec
from chitieu.periods import parse_period

# among readings of one period, the source with the lowest priority number wins, then the latest load
_ORDER = ["source_priority", "loaded_at"]


def _best(obs: pd.DataFrame) -> pd.DataFrame:
    """One reading per period: statistics before department before manual, then the latest."""
    if obs.empty:
        return obs
    ranked = obs.sort_values(_ORDER, ascending=[True, False])
    return ranked.drop_duplicates("period_code")


def _ref(row) -> str | None:
    return f"{row.source_file} ({row.source_locator})" if row is not None else None


def period_target_row(t, obs: pd.DataFrame, as_of: date) -> dict:
    """The evaluation of one multi-year target from its observations (fact_observation rows)."""
    obs = _best(obs[obs["period_year"].between(t.baseline_year, t.plan_year)])
    in_plan = obs[obs["period_year"] >= t.start_year]
    finals = in_plan[in_plan["period_type"] == "year"]
    estimates = in_plan[in_plan["period_type"] == "year_estimate"]
    base = obs[(obs["period_year"] == t.baseline_year) & (obs["period_type"] == "year")]
    baseline = number(base["value"].iloc[0]) if len(base) else None
    readings = in_plan[in_plan["period_type"] != "year_estimate"].sort_values(
        ["period_end", "period_type"], ascending=[False, False]
    )
    latest_row = next(readings.itertuples(index=False), None)
    spec = target_spec(t)
    end_estimate = estimates[estimates["period_year"] == t.plan_year]
    est_row = next(end_estimate.itertuples(index=False), None)
    if t.kind == "avg_growth":
        ev = evaluate_avg_growth(
            spec,
            int(t.start_year),
            int(t.plan_year),
            dict(zip(finals["period_year"], finals["value"], strict=True)),
            dict(zip(estimates["period_year"], estimates["value"], strict=True)),
            baseline,
        )
        if est_row is None and len(estimates):
            est_row = next(estimates.sort_values("period_year").itertuples(index=False))
    else:
        latest = (
            Reading(float(latest_row.value), parse_period(latest_row.period_code))
            if latest_row is not None
            else None
        )
        ev = evaluate_end_level(
            spec, int(t.plan_year), latest, number(est_row.value) if est_row is not None else None
        )
    from_estimate = latest_row is None and est_row is not None
    shown = est_row if from_estimate else latest_row
    return {
        **descriptive_columns(t),
        "baseline_value": baseline,
        "baseline_period": str(t.baseline_year) if baseline is not None else None,
        # the annual rules' same-period comparison and year-share projection do not apply to a term
        "same_period_value": None,
        "same_period_period": None,
        "baseline_used": "year" if t.kind == "avg_growth" and baseline is not None else None,
        "actual_level": number(latest_row.value) if latest_row is not None else None,
        "actual_value": ev.actual_value,
        "actual_period": latest_row.period_code if latest_row is not None else None,
        "actual_source": shown.source_kind if shown is not None else None,
        "actual_source_ref": _ref(shown),
        "estimate_level": number(est_row.value) if est_row is not None else None,
        "estimate_source": est_row.source_kind if est_row is not None else None,
        "estimate_source_ref": _ref(est_row),
        "projected_value": ev.projected_value,
        "projection_basis": ev.projection_basis,
        "projection_method": None,
        "attainment_pct": ev.attainment_pct,
        "gap_to_plan": ev.gap_to_plan,
        "requirement_vi": required_vi(comparator(spec)),
        "comparison_vi": comparison_vi(comparator(spec), ev.projected_value)
        if ev.status != "no_data"
        else None,
        "status": ev.status,
        "status_vi": ev.status_vi,
        "data_status": getattr(shown, "data_status", None) if shown is not None else None,
        # a term is judged on the figures as they stand; the annual plans carry the provisional flag
        "provisional": False,
        "verdict_vi": ev.status_vi,
        "counted_as": getattr(t, "counted_as", None),
        "no_data_reason": ev.no_data_reason,
        "quality_flags": None,
        "department_code": t.department_code,
        "area_code": t.area_code,
        "national_indicator": None,
        "national_year": None,
        "national_value": None,
        "as_of": as_of,
    }


def compute_period_attainment(
    targets: pd.DataFrame, observations: pd.DataFrame, as_of: date
) -> pd.DataFrame:
    """One row per target of a multi-year plan (``plan_kind`` other than annual), in the columns
    of ``chitieu.marts.compute_attainment``; ``observations`` are core.fact_observation rows."""
    targets = targets[targets["plan_kind"] != "annual"]
    by_target = {k: g for k, g in observations.groupby(["plan_id", "target_code", "area_code"])}
    empty = observations.iloc[0:0]
    rows = [
        period_target_row(t, by_target.get((t.plan_id, t.target_code, t.area_code), empty), as_of)
        for t in targets.itertuples(index=False)
    ]
    return pd.DataFrame(rows)
