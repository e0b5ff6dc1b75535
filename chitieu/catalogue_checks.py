"""The checks of one plan catalogue entry: required keys, known kinds, codes and units, numbers."""

from __future__ import annotations

import math

from chitieu.numbers import NumberParseError, parse_vi_number
from chitieu.reference import Reference
from chitieu.yaml_loader import at_line

KINDS = (
    "at_least",
    "at_most",
    "approx",
    "share",
    "growth",
    "reduction",
    "increment",
    "maintain",
    "range",
    "avg_growth",
    "end_level",
)
# kinds of a multi-year plan: average annual growth over the term (CAGR), level reached by its end
PERIOD_KINDS = ("avg_growth", "end_level")
MEASURES = ("reported", "level")
LEVEL_KINDS = ("growth", "reduction", "increment", "avg_growth")


def entry_problems(e: dict, where: str, ref: Reference) -> list[str]:
    """What is wrong with one target entry of a plan file, each problem prefixed with ``where``."""
    problems = []
    for key in (
        "code",
        "group",
        "item",
        "name_vi",
        "name_en",
        "text_vi",
        "unit",
        "kind",
        "department",
        "area",
    ):
        if e.get(key) in (None, ""):
            problems.append(f"{where}: missing '{key}'")
    kind = e.get("kind")
    if kind is not None and kind not in KINDS:
        problems.append(f"{where}: unknown kind {kind!r}; expected one of {', '.join(KINDS)}")
    for key, known in (("unit", ref.unit_codes), ("measure_unit", ref.unit_codes)):
        if e.get(key) is not None and e[key] not in known:
            problems.append(f"{where}: unknown {key} {e[key]!r}; expected one of {sorted(known)}")
    if e.get("department") is not None and e["department"] not in ref.department_codes:
        problems.append(f"{where}: unknown department {e['department']!r}")
    also = e.get("also_reported_by", [])
    if not isinstance(also, list) or any(d not in ref.department_codes for d in also):
        problems.append(
            f"{where}: also_reported_by must be a list of known department codes, not {also!r}"
        )
    elif e.get("department") in also:
        problems.append(f"{where}: the owner {e['department']!r} is also in also_reported_by")
    if e.get("area") is not None and str(e["area"]) not in ref.area_codes:
        problems.append(f"{where}: unknown area {e['area']!r}")
    if e.get("measure", "reported") not in MEASURES:
        problems.append(f"{where}: unknown measure {e['measure']!r}; expected reported or level")
    if e.get("measure") == "level" and kind not in LEVEL_KINDS:
        problems.append(f"{where}: measure 'level' only applies to {', '.join(LEVEL_KINDS)}")
    if kind == "range":
        low, high = e.get("target_low"), e.get("target_high")
        if not isinstance(low, int | float) or not isinstance(high, int | float) or low > high:
            problems.append(f"{where}: kind 'range' needs numeric target_low <= target_high")
    elif kind is not None:
        value = e.get("target_value")
        if not isinstance(value, int | float) or isinstance(value, bool) or math.isnan(value):
            problems.append(f"{where}: target_value {value!r} is not a number")
        elif e.get("value_vi") is not None:
            try:
                parsed = parse_vi_number(e["value_vi"]).as_float()
            except NumberParseError as exc:
                problems.append(f"{where}: value_vi does not parse: {exc}")
            else:
                if parsed is None or abs(parsed - value) > 1e-9:
                    problems.append(
                        f"{where}: value_vi {e['value_vi']!r} reads as {parsed}, but target_value is {value}"
                    )
    if kind in ("approx", "share") and not isinstance(e.get("tolerance"), int | float):
        problems.append(f"{where}: kind {kind!r} needs a numeric tolerance")
    if kind in PERIOD_KINDS and e.get("direction", "up") not in ("up", "down"):
        problems.append(f"{where}: direction must be up or down")
    if e.get("counted_as") is not None and not isinstance(e["counted_as"], str):
        problems.append(f"{where}: counted_as must be a component key (text)")
    if kind == "maintain" and e.get("target_value") not in (1, 1.0):
        problems.append(f"{where}: kind 'maintain' must have target_value 1 (yes)")
    return problems


def whole_number_problems(d: dict, keys: tuple[str, ...], where: str, line) -> list[str]:
    """``line 57: entry 3 (x): item: found '5 {oops', expected a whole number`` for each of
    ``keys`` present in ``d`` that int() cannot read as a whole number (an int or digits);
    ``line(key)`` gives the key's line in the file."""
    problems = []
    for key in keys:
        value = d.get(key)
        if value is None or (isinstance(value, int) and not isinstance(value, bool)):
            continue
        if not (isinstance(value, str) and value.strip().isdigit()):
            at = at_line(line(key))
            problems.append(f"{at}{where}: {key}: found {value!r}, expected a whole number")
    return problems
