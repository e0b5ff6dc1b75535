"""Properties every kind of target must have, checked with hypothesis."""

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chitieu.attainment import (
    Reading,
    Spec,
    attainment_pct,
    compared_value,
    evaluate,
    meets,
)
from chitieu.periods import parse_period

YEAR = parse_period("2024")
NINE = parse_period("2024-9M")
# database=None: hypothesis keeps no example store in the working tree
FAST = settings(max_examples=150, deadline=None, database=None)

# figures as the resolution and the departments write them: up to 2 decimals
values = st.decimals(-200, 20000, places=2, allow_nan=False, allow_infinity=False).map(float)
positive = st.decimals("0.01", 20000, places=2, allow_nan=False, allow_infinity=False).map(float)
tolerances = st.decimals(0, 5, places=2, allow_nan=False, allow_infinity=False).map(float)

UP_KINDS = ("at_least", "growth", "reduction", "increment")


def specs():
    """One spec of every kind, with plans that the catalogue accepts."""
    up = st.builds(
        lambda k, t, s: Spec(k, t, strict=s),
        st.sampled_from(UP_KINDS),
        positive,
        st.booleans(),
    )
    down = st.builds(lambda t, s: Spec("at_most", t, strict=s), positive, st.booleans())
    approx = st.builds(
        lambda t, tol, d: Spec("approx", t, tolerance=tol, direction=d),
        positive,
        tolerances,
        st.sampled_from(("up", "down")),
    )
    share = st.builds(lambda t, tol: Spec("share", t, tolerance=tol), positive, tolerances)
    maintain = st.just(Spec("maintain", 1.0))
    rng = st.builds(
        lambda a, b: Spec("range", target_low=min(a, b), target_high=max(a, b)),
        positive,
        positive,
    )
    return st.one_of(up, down, approx, share, maintain, rng)


def _better(spec: Spec, a: float, b: float) -> bool:
    """True when ``b`` is at least as good as ``a`` for this kind."""
    if spec.kind in UP_KINDS or spec.kind == "maintain":
        return b >= a
    if spec.kind == "at_most":
        return b <= a
    if spec.kind == "approx":
        return b >= a if spec.direction == "up" else b <= a
    if spec.kind == "share":
        return abs(b - spec.target_value) <= abs(a - spec.target_value)
    low, high = spec.target_low, spec.target_high
    return max(low - b, b - high, 0) <= max(low - a, a - high, 0)


@FAST
@given(specs(), values, values)
def test_monotone_in_the_actual(spec, a, b):
    """A better actual never turns a met target into a miss, nor lowers % of plan."""
    if not _better(spec, a, b):
        a, b = b, a
    if not _better(spec, a, b):
        return  # neither better (e.g. equally far either side of a share)
    if meets(spec, a):
        assert meets(spec, b)
    pa, pb = attainment_pct(spec, a), attainment_pct(spec, b)
    if pa is not None and pb is not None and spec.kind not in ("share", "range"):
        assert pb >= pa


@FAST
@given(specs())
def test_an_exact_hit_is_achieved_unless_strict(spec):
    t = spec.target_value if spec.kind != "range" else spec.target_low
    ev = evaluate(spec, None, Reading(t, YEAR), None)
    expected = "not_achieved" if spec.strict else "achieved"
    assert ev.status == expected
    if spec.kind == "range":
        assert evaluate(spec, None, Reading(spec.target_high, YEAR), None).status == "achieved"


@FAST
@given(specs(), values)
def test_pct_of_plan_is_never_negative(spec, v):
    pct = evaluate(spec, None, Reading(v, YEAR), None).attainment_pct
    assert pct is None or pct >= 0


@FAST
@given(specs(), values)
def test_a_miss_never_reads_as_100(spec, v):
    ev = evaluate(spec, None, Reading(v, YEAR), None)
    if ev.status == "not_achieved" and ev.attainment_pct is not None:
        assert round(ev.attainment_pct, 1) < 100


@FAST
@given(positive, tolerances, st.sampled_from(("up", "down")))
def test_approx_bounds_are_exact_at_their_edges(t, tol, direction):
    """The edge t ∓ tolerance, computed in decimal, meets; one hundredth beyond does not."""
    spec = Spec("approx", t, tolerance=tol, direction=direction)
    step = Decimal("0.01")
    if direction == "up":
        edge = Decimal(str(t)) - Decimal(str(tol))
        beyond = edge - step
    else:
        edge = Decimal(str(t)) + Decimal(str(tol))
        beyond = edge + step
    assert meets(spec, float(edge))
    assert not meets(spec, float(beyond))


@FAST
@given(positive, tolerances)
def test_share_bands_are_exact_at_both_edges(t, tol):
    spec = Spec("share", t, tolerance=tol)
    for edge in (Decimal(str(t)) - Decimal(str(tol)), Decimal(str(t)) + Decimal(str(tol))):
        assert meets(spec, float(edge))
    assert not meets(spec, float(Decimal(str(t)) + Decimal(str(tol)) + Decimal("0.01")))


@FAST
@given(
    st.sampled_from(("growth", "reduction", "increment")),
    st.booleans(),
    positive,
    positive,
    positive,
    positive,
)
def test_the_same_period_baseline_is_used_when_present(kind, flow, target, year, same, level):
    """In-year, a level target is compared with last year's same period when it is known."""
    spec = Spec(kind, target, measure="level", flow=flow)
    ev = evaluate(spec, year, Reading(level, NINE), None, same_period=same)
    assert ev.actual_value == compared_value(spec, level, same)
    assert ev.baseline_used == "same_period"
    without = evaluate(spec, year, Reading(level, NINE), None)
    base = year * 0.75 if flow else year
    assert without.actual_value == pytest.approx(compared_value(spec, level, base), abs=1e-6)
