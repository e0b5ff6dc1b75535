"""Attainment of a multi-year plan's targets, as pure functions.

Two kinds only multi-year plans have:

- ``avg_growth`` ("tăng bình quân X%/năm"): the compound average annual growth (CAGR) from the
  base year. From yearly growth rates r₁…rₙ (%), CAGR = ((1+r₁/100)·…·(1+rₙ/100))^(1/n) − 1;
  from levels, CAGR = (Lₜ / L₀)^(1/(t − base year)) − 1. A year of decline simply enters the
  product (1 − 2,77 % is a factor 0,9723).
- ``end_level`` ("đến năm 2025"): the level reached in the plan's last year; ``direction`` up means
  at least, down means at most. Other kinds (share, maintain...) in such a plan are also judged
  on the level reached in the last year.

The status follows the annual rules: only the last year's final figure decides ``achieved`` or
``not_achieved``; before that the projection (the average so far, an estimate for the current
year, or the latest level) decides ``on_track`` or ``at_risk``.
"""

from __future__ import annotations

import math
from dataclasses import replace

from chitieu.attainment import (
    Evaluation,
    MissingBaseline,
    Reading,
    Spec,
    attainment_pct,
    gap_to_plan,
    meets,
)

_DECIMALS = 6
_BASIS = {"final": "average_so_far", "estimate": "estimate"}


def cagr_from_rates(rates: list[float]) -> float:
    """Compound average annual growth (%) of yearly growth rates given in %."""
    if not rates:
        raise ValueError("no yearly growth rate")
    factor = math.prod(1 + r / 100 for r in rates)
    if factor <= 0:
        raise MissingBaseline("a year fell by 100 % or more: average growth is undefined")
    return round((factor ** (1 / len(rates)) - 1) * 100, _DECIMALS)


def cagr_from_levels(base: float, level: float, years: int) -> float:
    """Compound average annual growth (%) from ``base`` to ``level`` over ``years`` years."""
    if base is None or base <= 0 or level < 0 or years <= 0:
        raise MissingBaseline(f"average growth needs a positive base-year level, not {base!r}")
    return round(((level / base) ** (1 / years) - 1) * 100, _DECIMALS)


def comparator(spec: Spec) -> Spec:
    """The annual kind whose test, gap and wording a period kind uses: average growth is compared
    like a growth rate (gap in percentage points of average annual growth), an end-of-period
    level like a level target."""
    if spec.kind == "avg_growth":
        return replace(spec, kind="growth", measure="reported")
    if spec.kind == "end_level":
        return replace(spec, kind="at_most" if spec.direction == "down" else "at_least")
    return spec


def _judge(spec: Spec, actual, projected, basis: str, final: bool) -> Evaluation:
    test = comparator(spec)
    value = actual if final else projected
    if final:
        status = "achieved" if meets(test, value) else "not_achieved"
    else:
        status = "on_track" if meets(test, value) else "at_risk"
    return Evaluation(
        actual,
        value,
        basis,
        attainment_pct(test, value),
        status,
        gap_to_plan=gap_to_plan(test, value),
    )


def _no_data(reason: str) -> Evaluation:
    return Evaluation(None, None, None, None, "no_data", reason)


def evaluate_avg_growth(
    spec: Spec,
    start_year: int,
    end_year: int,
    finals: dict[int, float],
    estimates: dict[int, float],
    baseline: float | None = None,
) -> Evaluation:
    """Average annual growth over ``start_year``..``end_year``.

    ``finals`` and ``estimates`` map a year to its final figure and its year-end estimate: growth
    rates in % (``measure: reported``) or levels (``measure: level``, with the base year's level as
    ``baseline``). Years are taken in order from ``start_year``; the first year without a final
    figure may use its estimate and ends the series. A later year's figure after a missing year
    leaves the average undefined (``no_data`` naming the year)."""
    years, series, basis = list(range(start_year, end_year + 1)), [], "final"
    for y in years:
        if y in finals:
            series.append(finals[y])
        elif y in estimates:
            series.append(estimates[y])
            basis = "estimate"
            break
        else:
            break
    n_final = len(series) - (basis == "estimate")
    covered = start_year + len(series)
    if any(covered <= y <= end_year for y in (*finals, *estimates)):
        missing = start_year + n_final
        return _no_data(f"no final figure for {missing}: the average growth needs every year")
    if not series:
        return _no_data(f"no yearly figure since {start_year}")
    try:
        if spec.measure == "level":
            actual = cagr_from_levels(baseline, series[n_final - 1], n_final) if n_final else None
            projected = cagr_from_levels(baseline, series[-1], len(series))
        else:
            actual = cagr_from_rates(series[:n_final]) if n_final else None
            projected = cagr_from_rates(series)
    except MissingBaseline as exc:
        return _no_data(str(exc))
    final = basis == "final" and len(series) == len(years)
    return _judge(spec, actual, projected, "final" if final else _BASIS[basis], final)


def evaluate_end_level(
    spec: Spec, end_year: int, latest: Reading | None, end_estimate: float | None
) -> Evaluation:
    """The level reached by ``end_year``: the last year's final figure decides; before it the
    last year's estimate, else the latest figure (a flow part-way through the last year is
    extrapolated pro rata), is the projection."""
    if latest is None and end_estimate is None:
        return _no_data(f"no figure for the plan years up to {end_year}")
    actual = latest.value if latest is not None else None
    if latest is not None and latest.period.is_final and latest.period.year == end_year:
        return _judge(spec, actual, actual, "final", True)
    if end_estimate is not None:
        return _judge(spec, actual, end_estimate, "estimate", False)
    if spec.flow and latest.period.year == end_year and not latest.period.is_final:
        projected = round(latest.value / latest.period.elapsed_fraction, _DECIMALS)
        return _judge(spec, actual, projected, "pro_rata", False)
    return _judge(spec, actual, latest.value, "latest", False)
