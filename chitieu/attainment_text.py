"""The plan's requirement and the exact comparison behind a verdict, in Vietnamese notation.

Shown where a percentage would mislead (strict bounds such as "dưới 15,9%", shares).
"""

from __future__ import annotations

from decimal import Decimal

from babel.numbers import format_decimal

from chitieu.attainment import Spec


def _d(x: float) -> Decimal:
    return Decimal(repr(float(x)))


def _vi(x: float) -> str:
    return format_decimal(_d(x), format="#,##0.######", locale="vi")


def required_vi(spec: Spec) -> str:
    """What the plan requires, as a relation: '< 15,9', '≥ 2.236', '15,31 ± 1'."""
    t = spec.target_value
    match spec.kind:
        case "at_least" | "growth" | "reduction" | "increment":
            return f"{'>' if spec.strict else '≥'} {_vi(t)}"
        case "at_most":
            return f"{'<' if spec.strict else '≤'} {_vi(t)}"
        case "approx":
            bound = (
                _d(t) - _d(spec.tolerance) if spec.direction == "up" else _d(t) + _d(spec.tolerance)
            )
            return f"{'≥' if spec.direction == 'up' else '≤'} {_vi(float(bound))}"
        case "share":
            return f"{_vi(t)} ± {_vi(spec.tolerance)}"
        case "maintain":
            return "= 1 (có)"
        case "range":
            return f"{_vi(spec.target_low)}–{_vi(spec.target_high)}"
    raise ValueError(f"unknown kind {spec.kind!r}")


def comparison_vi(spec: Spec, value: float | None) -> str | None:
    """The exact comparison behind a verdict: '15,9 = 15,9; cần < 15,9'."""
    if value is None:
        return None
    ref = spec.target_value if spec.kind != "range" else None
    if ref is None:
        return f"{_vi(value)}; cần {required_vi(spec)}"
    rel = "<" if _d(value) < _d(ref) else ("=" if _d(value) == _d(ref) else ">")
    return f"{_vi(value)} {rel} {_vi(ref)}; cần {required_vi(spec)}"
