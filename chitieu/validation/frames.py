"""Validation frames: one row per figure with the derived columns the suites' rules need."""

from __future__ import annotations

import numpy as np
import pandas as pd

from chitieu.catalogue import Plan
from chitieu.periods import parse_period
from chitieu.reference import Reference

RATE_KINDS = ("growth", "reduction", "increment", "avg_growth")
POINT_DIMENSIONS = ("percent", "points", "permille")
JUMP_POINTS = 20.0
JUMP_RATIO = (0.4, 2.5)
HISTORY_COLUMNS = [
    "target_code",
    "area_code",
    "period_code",
    "value_kind",
    "value",
    "submission_id",
]


def scoped_values(frame: pd.DataFrame) -> pd.DataFrame:
    """Value columns that are null where a rule does not apply (GX ignores nulls), so the suites
    need no ``row_condition``: GX evaluates each one with ``DataFrame.query``, which measured
    about 14 ms per expectation on the sample batch, more than all other rules together."""
    value = frame["value"].astype("Float64")
    frame["percent_value"] = value.where((frame["unit_expected"] == "%") & ~frame["is_rate"])
    frame["non_negative_value"] = value.where(frame["non_negative"].astype(bool))
    return frame


def _targets(plans: list[Plan], ref: Reference) -> pd.DataFrame:
    frame = pd.concat([p.targets_frame() for p in plans], ignore_index=True)
    dims = dict(zip(ref.units["unit_code"], ref.units["dimension"], strict=True))
    frame["unit_dimension"] = frame["measure_unit"].map(dims)
    frame["is_rate"] = frame["kind"].isin(RATE_KINDS) | (
        (frame["kind"] == "approx") & (frame["unit"] == "%")
    )
    return frame


def _modified_z(value: float, history: np.ndarray) -> float | None:
    if len(history) < 4:
        return None
    median = float(np.median(history))
    mad = float(np.median(np.abs(history - median)))
    if mad == 0:
        return None
    return round(0.6745 * (value - median) / mad, 4)


def values_frame(subs: list) -> pd.DataFrame:
    """The figures of parsed submissions, with the submission columns the rules need."""
    parts = []
    for sub in subs:
        if not sub.value_count:
            continue
        part = pd.DataFrame(sub.value_columns)
        part["submission_id"] = sub.sha256
        part["plan_id"] = sub.plan_id
        part["file_name"] = sub.path.rsplit("/", 1)[-1]
        part["department_code"] = sub.department_code
        part["submission_period"] = sub.period_code
        part["metadata_period"] = sub.title_period if sub.template_version else None
        parts.append(part)
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()


def submission_frame(
    subs, plans: list[Plan], ref: Reference, history: pd.DataFrame | None = None
) -> pd.DataFrame:
    """All figures (parsed submissions, or a ``values_frame``-shaped DataFrame) in one batch, with rule columns.

    ``history`` holds earlier figures (target_code, area_code, period_code, value_kind, value,
    submission_id) for the cumulative and outlier rules; the batch itself is added to it.
    """
    frame = subs if isinstance(subs, pd.DataFrame) else values_frame(subs)
    if frame.empty:
        return pd.DataFrame()
    frame = frame.reset_index(drop=True)
    targets = _targets(plans, ref).rename(
        columns={"department_code": "target_department", "measure_unit": "unit_expected"}
    )
    keep = [
        "target_code",
        "target_department",
        "unit_expected",
        "unit_dimension",
        "is_rate",
        "kind",
        "flow",
        "share_group",
        "plan_year",
    ]
    # keyed by plan: the same target code may be in several plans (2024, 2025...)
    on = ["plan_id", "target_code"] if "plan_id" in frame else ["target_code"]
    if on == ["target_code"] and len(plans) > 1:
        raise ValueError("figures of several plans need a plan_id column")
    frame = frame.merge(
        targets[["plan_id", *keep]] if len(on) == 2 else targets[keep], on=on, how="left"
    )
    frame["known_target"] = frame["target_department"].notna()
    # a listed co-reporter may report the target (its own figure; the owner's wins in staging)
    co = dict(zip(targets["target_code"], targets["also_reported_by"].str.split(","), strict=True))
    may = [
        d in co.get(t, ())
        for t, d in zip(frame["target_code"], frame["department_code"], strict=True)
    ]
    frame.loc[may, "target_department"] = frame.loc[may, "department_code"]
    frame["unit_code"] = frame["unit_expected"]
    frame["is_rate"] = frame["is_rate"].fillna(False).astype(bool)
    frame["non_negative"] = ~frame["is_rate"] & frame["unit_dimension"].isin(
        ["permille", "count", "area", "mass", "currency", "ratio"]
    )
    periods = {
        c: parse_period(c)
        for c in set(frame["period_code"]) | set(frame["submission_period"].dropna())
    }
    frame["period_year"] = frame["period_code"].map(lambda c: periods[c].year)
    frame["period_in_plan"] = frame["period_year"].between(
        frame["plan_year"] - 1, frame["plan_year"]
    )
    frame["end_month"] = frame["submission_period"].map(
        lambda c: periods[c].end_month if c in periods else 12
    )
    # from the third quarter on, an in-year report owes a year-end estimate (a whole-year report does not)
    frame["needs_estimate"] = frame["submission_period"].map(
        lambda c: c in periods and periods[c].end_month >= 9 and not periods[c].is_final
    )
    # a year-end estimate present for each target of the file
    estimates = set(
        zip(
            frame.loc[frame["value_kind"] == "estimate", "submission_id"],
            frame.loc[frame["value_kind"] == "estimate", "target_code"],
            strict=True,
        )
    )
    frame["has_estimate"] = [
        (s, t) in estimates
        for s, t in zip(frame["submission_id"], frame["target_code"], strict=True)
    ]
    # economic-structure shares of the same file and period, when the whole group is there
    frame["share_sum"] = np.nan
    shares = frame[frame["share_group"].notna()]
    if not shares.empty:
        sizes = targets[targets["share_group"].notna()].groupby(["plan_year", "share_group"]).size()
        for (_sub, _period, group, year), g in shares.groupby(
            ["submission_id", "period_code", "share_group", "plan_year"]
        ):
            if len(g) == sizes.get((year, group), -1):
                frame.loc[g.index, "share_sum"] = round(g["value"].sum(), 6)
    hist = pd.concat(
        [
            history if history is not None else pd.DataFrame(columns=HISTORY_COLUMNS),
            frame[HISTORY_COLUMNS],
        ],
        ignore_index=True,
    )
    hist = hist[hist["value"].notna()]
    hist_period = hist["period_code"].map(lambda c: periods.setdefault(c, parse_period(c)))
    hist = hist.assign(
        year=hist_period.map(lambda p: p.year),
        end=hist_period.map(lambda p: p.end_month),
        final=hist_period.map(lambda p: p.is_final),
    )
    prev_cum, z_scores, jump_ok = [], [], []
    for row in frame.itertuples():
        same = hist[
            (hist["target_code"] == row.target_code)
            & (hist["area_code"] == row.area_code)
            & (hist["submission_id"] != row.submission_id)
        ]
        p = periods[row.period_code]
        previous = None
        if row.flow and row.value_kind == "actual" and not p.is_estimate:
            earlier = same[
                (same["year"] == p.year)
                & (same["end"] < p.end_month)
                & (same["value_kind"].isin(["actual", None]) | same["value_kind"].isna())
            ]
            if not earlier.empty:
                previous = float(earlier.sort_values("end")["value"].iloc[-1])
        prev_cum.append(previous)
        kind_hist = same[same["value_kind"] == row.value_kind]["value"].to_numpy(dtype=float)
        z_scores.append(_modified_z(row.value, kind_hist) if row.value is not None else None)
        base = same[(same["year"] == p.year - 1) & same["final"]]["value"]
        ok = True
        if not base.empty and row.value is not None and not row.is_rate:
            b = float(base.iloc[-1])
            if row.unit_dimension in POINT_DIMENSIONS:
                ok = abs(row.value - b) <= JUMP_POINTS
            elif b > 0:
                scale = p.elapsed_fraction if row.flow and not p.is_estimate else 1.0
                ok = JUMP_RATIO[0] <= row.value / (b * scale) <= JUMP_RATIO[1]
        jump_ok.append(ok)
    # the estimate rule applies to in-year reports from Q3 on, and to their actual figures
    frame["estimate_due"] = (
        frame["has_estimate"]
        .astype("boolean")
        .where(frame["needs_estimate"].astype(bool) & (frame["value_kind"] == "actual"))
    )
    scoped_values(frame)
    frame["previous_cumulative"] = pd.array(prev_cum, dtype="Float64")
    frame["outlier_z"] = pd.array(z_scores, dtype="Float64")
    frame["jump_ok"] = jump_ok
    frame.insert(0, "row_id", np.arange(len(frame)))
    return frame


def catalogue_frame(targets: pd.DataFrame) -> pd.DataFrame:
    """core.dim_target with a plan-unique key and each share group's planned sum."""
    frame = targets.reset_index(drop=True).copy()
    frame["plan_target"] = frame["plan_id"] + "|" + frame["target_code"]
    sums = (
        frame[frame["share_group"].notna()]
        .groupby(["plan_id", "share_group"])["target_value"]
        .sum()
        .round(6)
    )
    frame["share_sum"] = [
        sums.get((p, g)) if isinstance(g, str) else None
        for p, g in zip(frame["plan_id"], frame["share_group"], strict=True)
    ]
    frame["share_sum"] = frame["share_sum"].astype("Float64")
    frame.insert(0, "row_id", np.arange(len(frame)))
    return frame


def _rule_columns(frame: pd.DataFrame, targets: pd.DataFrame, ref: Reference) -> pd.DataFrame:
    t = _targets_from_dim(targets, ref)
    frame = frame.merge(t, on=["plan_id", "target_code"], how="left")
    frame["known_target"] = frame["unit_expected"].notna()
    frame["is_rate"] = frame["is_rate"].fillna(False).astype(bool)
    frame["non_negative"] = ~frame["is_rate"] & frame["unit_dimension"].isin(
        ["permille", "count", "area", "mass", "currency", "ratio"]
    )
    years = frame["period_code"].map(lambda c: parse_period(c).year)
    # every year of a multi-year plan, from its base year
    frame["period_in_plan"] = years.between(frame["baseline_year"], frame["plan_year"])
    return scoped_values(frame)


def _targets_from_dim(targets: pd.DataFrame, ref: Reference) -> pd.DataFrame:
    dims = dict(zip(ref.units["unit_code"], ref.units["dimension"], strict=True))
    t = targets[
        [
            "plan_id",
            "target_code",
            "kind",
            "unit",
            "measure_unit",
            "plan_year",
            "baseline_year",
            "share_group",
        ]
    ].rename(columns={"measure_unit": "unit_expected"})
    t = t.assign(
        unit_dimension=t["unit_expected"].map(dims),
        is_rate=t["kind"].isin(RATE_KINDS) | ((t["kind"] == "approx") & (t["unit"] == "%")),
    )
    return t.drop(columns=["unit"])


def manual_frame(
    rows: pd.DataFrame, targets: pd.DataFrame, areas: pd.DataFrame, ref: Reference
) -> pd.DataFrame:
    """raw.manual_observations with rule columns; district_ratio compares districts with the province total."""
    frame = _rule_columns(rows.reset_index(drop=True), targets, ref)
    parents = dict(zip(areas["area_code"], areas["parent_code"], strict=True))
    levels = dict(zip(areas["area_code"], areas["area_level"], strict=True))
    frame["district_ratio"] = pd.array([None] * len(frame), dtype="Float64")
    districts = frame[frame["area_code"].map(levels) == "district"]
    for (plan, target, period), g in districts.groupby(["plan_id", "target_code", "period_code"]):
        parent = parents.get(g["area_code"].iloc[0])
        total = frame[
            (frame["plan_id"] == plan)
            & (frame["target_code"] == target)
            & (frame["period_code"] == period)
            & (frame["area_code"] == parent)
        ]
        if (
            len(total) == 1
            and total["value"].iloc[0]
            and not total["is_rate"].iloc[0]
            and total["unit_dimension"].iloc[0] not in POINT_DIMENSIONS
        ):
            frame.loc[total.index, "district_ratio"] = round(
                g["value"].sum() / total["value"].iloc[0], 6
            )
    frame["line"] = "line " + frame["source_row"].astype(str)
    frame.insert(0, "row_id", np.arange(len(frame)))
    return frame


def statistics_frame(rows: pd.DataFrame, targets: pd.DataFrame, ref: Reference) -> pd.DataFrame:
    """raw.pxweb_observations with rule columns; share_sum per area and period when all shares are there."""
    frame = rows.reset_index(drop=True).copy()
    t = _targets_from_dim(targets, ref).drop_duplicates("target_code")
    frame = frame.merge(t[["target_code", "is_rate", "share_group"]], on="target_code", how="left")
    frame["is_rate"] = frame["is_rate"].fillna(False).astype(bool)
    sizes = t[t["share_group"].notna()].groupby("share_group").size()
    frame["share_sum"] = pd.array([None] * len(frame), dtype="Float64")
    shares = frame[frame["share_group"].notna() & frame["value"].notna()]
    for (_area, _period, group), g in shares.groupby(["area_code", "period_code", "share_group"]):
        if len(g) == sizes.get(group, -1):
            frame.loc[g.index, "share_sum"] = round(g["value"].sum(), 6)
    frame["where"] = frame["table_id"] + ": " + frame["area_label"] + " × " + frame["period_label"]
    frame.insert(0, "row_id", np.arange(len(frame)))
    return frame
