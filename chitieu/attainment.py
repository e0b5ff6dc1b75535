"""Target attainment: the formula for each kind of target, as pure functions.

``evaluate`` turns a target, its baselines and its latest readings into a status.
docs/attainment.md explains each formula with worked examples.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal

from chitieu.periods import Period

STATUSES = ("achieved", "on_track", "at_risk", "not_achieved", "no_data")
STATUS_VI = {
    "achieved": "Đạt và vượt",
    "on_track": "Ước đạt",
    "at_risk": "Có nguy cơ không đạt",
    "not_achieved": "Không đạt",
    "no_data": "Chưa có số liệu",
}
PROVISIONAL_VI = "số liệu sơ bộ"
# Derived values (growth rates computed from levels) are rounded before comparison so that
# binary floating point never turns an exact hit such as 5,1% into a miss.
_DECIMALS = 6
# A missed target's % of plan is capped here, so no display rounding ever reads "100,0".
MISS_CAP_PCT = 99.9
INDEX_KINDS = ("growth", "reduction")


@dataclass(frozen=True)
class Spec:
    """What the evaluator needs to know about a target."""

    kind: str
    target_value: float | None = None
    target_low: float | None = None
    target_high: float | None = None
    strict: bool = False
    tolerance: float = 0.0
    direction: str = "up"
    measure: str = "reported"
    flow: bool = False
    whole_units: bool = False


@dataclass(frozen=True)
class Reading:
    """An observed number for one period, in the target's measure unit.

    ``final`` is False for a figure whose data status the precedence table does not
    count as final (a preliminary "Sơ bộ" figure, an estimate)."""

    value: float
    period: Period
    final: bool = True


@dataclass(frozen=True)
class Evaluation:
    """The outcome for one target: compared values, attainment and status."""

    actual_value: float | None
    projected_value: float | None
    projection_basis: str | None
    attainment_pct: float | None
    status: str
    no_data_reason: str | None = None
    projection_method: str | None = None
    gap_to_plan: float | None = None
    provisional: bool = False
    baseline_used: str | None = None

    @property
    def status_vi(self) -> str:
        return STATUS_VI[self.status]

    @property
    def verdict_vi(self) -> str:
        """The status in Vietnamese, marked when it rests on preliminary figures."""
        return f"{self.status_vi} ({PROVISIONAL_VI})" if self.provisional else self.status_vi


class MissingBaseline(ValueError):
    """A level-based target cannot be computed without a usable baseline."""


def _d(x: float) -> Decimal:
    """The decimal a float was written as (0.1 -> Decimal('0.1'), not its binary expansion)."""
    return Decimal(repr(float(x)))


def compared_value(
    spec: Spec,
    level: float,
    baseline: float | None,
    elapsed: float = 1.0,
    same_period: float | None = None,
) -> float:
    """The quantity compared with the target, in the target's unit.

    For ``measure: level`` growth, reduction and increment targets this is computed
    from the observed level and a previous-year level; otherwise it is the level.
    In-year the previous year's same period (``same_period``, given only for in-year
    readings) is the base when known; without it a flow is compared with the elapsed share
    (``elapsed``) of the previous year's total and a stock with the previous year's level.
    """
    if spec.measure != "level":
        return level
    if same_period is not None:
        baseline = same_period
    elif baseline is None:
        raise MissingBaseline("missing baseline: the previous year's value is needed")
    elif spec.flow:
        baseline = baseline * elapsed
    if spec.kind == "growth":
        if baseline == 0:
            raise MissingBaseline("baseline is zero: growth is undefined")
        return round((level - baseline) / abs(baseline) * 100, _DECIMALS)
    if spec.kind == "reduction":
        return round(baseline - level, _DECIMALS)
    return round(level - baseline, _DECIMALS)


def meets(spec: Spec, value: float) -> bool:
    """True when ``value`` satisfies the target. Tolerance edges are computed in decimal,
    so 15,31 − 1,0 = 14,31 is inside the band exactly."""
    t = spec.target_value
    match spec.kind:
        case "at_least" | "growth" | "reduction" | "increment":
            return value > t if spec.strict else value >= t
        case "at_most":
            return value < t if spec.strict else value <= t
        case "approx":
            if spec.direction == "up":
                return _d(value) >= _d(t) - _d(spec.tolerance)
            return _d(value) <= _d(t) + _d(spec.tolerance)
        case "share":
            return abs(_d(value) - _d(t)) <= _d(spec.tolerance)
        case "maintain":
            return value >= 1
        case "range":
            return spec.target_low <= value <= spec.target_high
    raise ValueError(f"unknown kind {spec.kind!r}")


def _raw_pct(spec: Spec, value: float) -> float | None:
    t = spec.target_value
    match spec.kind:
        case "maintain":
            return 100.0 if value >= 1 else 0.0
        case "share":
            return None  # a share has no better side: gap_to_plan gives the distance in points
        case "range":
            low, high = spec.target_low, spec.target_high
            if low <= value <= high:
                return 100.0
            if value < low:
                return max(value, 0) / low * 100 if low > 0 else None
            return high / value * 100 if value > 0 else None
        case "growth" | "reduction":
            # index ratio: (100 + actual) / (100 + target); a fall of more than 100 % is 0
            return max(100 + value, 0) / (100 + t) * 100 if t > -100 else None
    lower_better = spec.kind == "at_most" or (spec.kind == "approx" and spec.direction == "down")
    if t is None or t <= 0:
        return None  # a ratio to a zero or negative plan would read the wrong way round
    if lower_better:
        return t / value * 100 if value > 0 else None
    return max(value, 0) / t * 100


def attainment_pct(spec: Spec, value: float) -> float | None:
    """% of plan where 100 means exactly on target and more is better; never negative.

    Higher-is-better kinds use value / target, lower-is-better kinds target / value,
    growth and reduction the index ratio (100 + value) / (100 + target). Shares and
    strict bounds have none (see ``gap_to_plan``). A miss is rounded down and capped
    at 99,9 so it never displays as 100.
    """
    if spec.kind == "share" or (spec.strict and spec.kind in ("at_least", "at_most")):
        return None
    pct = _raw_pct(spec, value)
    if pct is None or not math.isfinite(pct):
        return None
    if meets(spec, value):
        return float(Decimal(repr(pct)).quantize(Decimal("0.01"), ROUND_HALF_UP))
    return min(float(Decimal(repr(pct)).quantize(Decimal("0.01"), ROUND_FLOOR)), MISS_CAP_PCT)


def gap_to_plan(spec: Spec, value: float) -> float | None:
    """Compared value minus plan, in the target's unit (points for shares and rates);
    for a range, the distance outside it (0 inside)."""
    if spec.kind == "range":
        if value < spec.target_low:
            return float(_d(value) - _d(spec.target_low))
        if value > spec.target_high:
            return float(_d(value) - _d(spec.target_high))
        return 0.0
    if spec.target_value is None:
        return None
    return float(_d(value) - _d(spec.target_value))


def _whole(spec: Spec, level: float) -> float:
    """Counts of people, communes, schools are whole units (half up)."""
    if not spec.whole_units:
        return level
    return float(_d(level).quantize(Decimal(1), ROUND_HALF_UP))


def _no_data(reason: str, actual: float | None = None) -> Evaluation:
    return Evaluation(actual, None, None, None, "no_data", reason)


def _baseline_used(spec: Spec, in_year: bool, same_period: float | None) -> str | None:
    """What the actual figure of a level-based target was compared with."""
    if spec.measure != "level":
        return None
    if not in_year:
        return "year"
    if same_period is not None:
        return "same_period"
    return "year_share" if spec.flow else "year"


def _project_flow(
    spec: Spec, latest: Reading, baseline: float | None, same_period: float | None
) -> tuple[float, str]:
    """A year-to-date flow scaled to the year: by last year's share for the same period
    (seasonal) when both of last year's figures are known and positive, else straight-line."""
    if same_period is not None and baseline is not None and same_period > 0 and baseline > 0:
        return latest.value * baseline / same_period, "seasonal"
    return latest.value / latest.period.elapsed_fraction, "straight_line"


def evaluate(
    spec: Spec,
    baseline: float | None,
    latest: Reading | None,
    estimate: Reading | None,
    same_period: float | None = None,
) -> Evaluation:
    """Status of one target from its baselines, latest reading and year-end estimate.

    ``baseline`` is the previous full year; ``same_period`` the previous year's figure for
    the latest reading's period (e.g. 2023-9M beside a 2024-9M reading), when known.

    - A full-year reading decides ``achieved`` or ``not_achieved`` (provisional when the
      reading is not final, e.g. a preliminary statistic).
    - A cumulative flow whose year-to-date figure already meets an at-least plan is
      ``achieved``, whatever the estimate.
    - Otherwise the projection is the year-end estimate if there is one; else a flow is
      scaled up (seasonal share or straight-line, see ``projection_method``) and anything
      else keeps its latest value. The projection decides ``on_track`` or ``at_risk``.
    - Without a reading, or without a baseline a formula needs, the status is ``no_data``.
    """
    if latest is None and estimate is None:
        return _no_data("no observation for the plan year")
    in_year = latest is not None and not latest.period.is_final
    used = _baseline_used(spec, in_year, same_period)
    try:
        actual = (
            compared_value(
                spec,
                latest.value,
                baseline,
                latest.period.elapsed_fraction,
                same_period if in_year else None,
            )
            if latest is not None
            else None
        )
        if latest is not None and latest.period.is_final:
            status = "achieved" if meets(spec, actual) else "not_achieved"
            return Evaluation(
                actual,
                actual,
                "final",
                attainment_pct(spec, actual),
                status,
                gap_to_plan=gap_to_plan(spec, actual),
                provisional=not latest.final,
                baseline_used=used,
            )
        if (
            latest is not None
            and spec.flow
            and spec.kind == "at_least"
            and spec.measure != "level"
            and meets(spec, actual)
        ):
            projected = max(actual, estimate.value) if estimate is not None else actual
            return Evaluation(
                actual,
                projected,
                "year_to_date",
                attainment_pct(spec, projected),
                "achieved",
                gap_to_plan=gap_to_plan(spec, projected),
                provisional=not latest.final,
                baseline_used=used,
            )
        method = None
        if estimate is not None:
            basis, level = "estimate", estimate.value
        elif spec.flow:
            level, method = _project_flow(spec, latest, baseline, same_period)
            basis, level = "pro_rata", _whole(spec, level)
        else:
            basis, level = "latest", latest.value
        projected = compared_value(spec, level, baseline)
    except MissingBaseline as exc:
        return _no_data(str(exc))
    status = "on_track" if meets(spec, projected) else "at_risk"
    return Evaluation(
        actual,
        round(projected, _DECIMALS),
        basis,
        attainment_pct(spec, projected),
        status,
        projection_method=method,
        gap_to_plan=gap_to_plan(spec, projected),
        baseline_used=used,
    )
