"""Target attainment: the formula for each kind of target, as pure functions.

``evaluate`` turns a target, its baseline and its latest readings into a status.
docs/attainment.md explains each formula with worked examples.
"""

from __future__ import annotations

from dataclasses import dataclass

from chitieu.periods import Period

STATUSES = ("achieved", "on_track", "at_risk", "not_achieved", "no_data")
STATUS_VI = {
    "achieved": "Đạt và vượt",
    "on_track": "Ước đạt",
    "at_risk": "Có nguy cơ không đạt",
    "not_achieved": "Không đạt",
    "no_data": "Chưa có số liệu",
}
# Derived values (growth rates computed from levels) are rounded before comparison so that
# binary floating point never turns an exact hit such as 5,1% into a miss.
_DECIMALS = 6


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


@dataclass(frozen=True)
class Reading:
    """An observed number for one period, in the target's measure unit."""

    value: float
    period: Period


@dataclass(frozen=True)
class Evaluation:
    """The outcome for one target: compared values, attainment and status."""

    actual_value: float | None
    projected_value: float | None
    projection_basis: str | None
    attainment_pct: float | None
    status: str
    no_data_reason: str | None = None

    @property
    def status_vi(self) -> str:
        return STATUS_VI[self.status]


class MissingBaseline(ValueError):
    """A level-based target cannot be computed without a usable baseline."""


def compared_value(spec: Spec, level: float, baseline: float | None, elapsed: float = 1.0) -> float:
    """The quantity compared with the target, in the target's unit.

    For ``measure: level`` growth, reduction and increment targets this is computed
    from the observed level and the previous year's level; otherwise it is the level.
    A flow observed part-way through the year (``elapsed`` < 1) is compared with the
    same share of the previous year's total.
    """
    if spec.measure != "level":
        return level
    if baseline is None:
        raise MissingBaseline("missing baseline: the previous year's value is needed")
    if spec.flow:
        baseline = baseline * elapsed
    if spec.kind == "growth":
        if baseline == 0:
            raise MissingBaseline("baseline is zero: growth is undefined")
        return round((level - baseline) / abs(baseline) * 100, _DECIMALS)
    if spec.kind == "reduction":
        return round(baseline - level, _DECIMALS)
    return round(level - baseline, _DECIMALS)


def meets(spec: Spec, value: float) -> bool:
    """True when ``value`` satisfies the target."""
    t = spec.target_value
    match spec.kind:
        case "at_least" | "growth" | "reduction" | "increment":
            return value > t if spec.strict else value >= t
        case "at_most":
            return value < t if spec.strict else value <= t
        case "approx":
            return (
                value >= t - spec.tolerance
                if spec.direction == "up"
                else value <= t + spec.tolerance
            )
        case "share":
            return abs(value - t) <= spec.tolerance + 1e-9
        case "maintain":
            return value >= 1
        case "range":
            return spec.target_low <= value <= spec.target_high
    raise ValueError(f"unknown kind {spec.kind!r}")


def attainment_pct(spec: Spec, value: float) -> float | None:
    """Attainment as a percentage where 100 means exactly on target and more is better.

    Higher-is-better kinds use value / target; lower-is-better kinds use target / value;
    shares use value / target (no direction); a range scores 100 inside it.
    """
    t = spec.target_value
    if spec.kind == "maintain":
        return 100.0 if value >= 1 else 0.0
    if spec.kind == "range":
        if spec.target_low <= value <= spec.target_high:
            return 100.0
        if value < spec.target_low:
            return round(value / spec.target_low * 100, 2) if spec.target_low else None
        return round(spec.target_high / value * 100, 2) if value else None
    lower_better = spec.kind == "at_most" or (spec.kind == "approx" and spec.direction == "down")
    if lower_better:
        return round(t / value * 100, 2) if value > 0 else None
    return round(value / t * 100, 2) if t else None


def _no_data(reason: str, actual: float | None = None) -> Evaluation:
    return Evaluation(actual, None, None, None, "no_data", reason)


def evaluate(
    spec: Spec, baseline: float | None, latest: Reading | None, estimate: Reading | None
) -> Evaluation:
    """Status of one target from its baseline, latest reading and year-end estimate.

    - A final full-year reading decides ``achieved`` or ``not_achieved``.
    - In-year, the projection is the year-end estimate if there is one; otherwise a flow
      target is extrapolated pro rata (value / elapsed share of the year) and any other
      target keeps its latest value. The projection decides ``on_track`` or ``at_risk``.
    - Without a reading, or without a baseline a formula needs, the status is ``no_data``
      with the reason.
    """
    if latest is None and estimate is None:
        return _no_data("no observation for the plan year")
    try:
        actual = (
            compared_value(spec, latest.value, baseline, latest.period.elapsed_fraction)
            if latest is not None
            else None
        )
        if latest is not None and latest.period.is_final:
            return Evaluation(
                actual,
                actual,
                "final",
                attainment_pct(spec, actual),
                "achieved" if meets(spec, actual) else "not_achieved",
            )
        if estimate is not None:
            basis, level = "estimate", estimate.value
        elif spec.flow:
            basis, level = "pro_rata", latest.value / latest.period.elapsed_fraction
        else:
            basis, level = "latest", latest.value
        projected = compared_value(spec, level, baseline)
    except MissingBaseline as exc:
        return _no_data(str(exc))
    status = "on_track" if meets(spec, projected) else "at_risk"
    return Evaluation(
        actual, round(projected, _DECIMALS), basis, attainment_pct(spec, projected), status
    )
