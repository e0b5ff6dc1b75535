"""Expectation suites stored as JSON data in ``expectations/`` (reviewed like code)."""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path

SUITES_DIR = Path(__file__).resolve().parents[2] / "expectations"
SUITE_NAMES = ("department_submission", "manual_observations", "national_statistics", "catalogue")


@cache
def load_suite_spec(name: str) -> dict:
    """The suite as stored: {"name", "meta", "expectations": [{"type", "kwargs", "meta"}]}."""
    with open(SUITES_DIR / f"{name}.json", encoding="utf-8") as fh:
        return json.load(fh)


def rule_meta(name: str) -> dict[str, dict]:
    """rule id -> its meta (severity, messages, fix, expected)."""
    return {e["meta"]["rule"]: e["meta"] for e in load_suite_spec(name)["expectations"]}


@cache
def suite_columns(name: str) -> tuple[str, ...]:
    """The frame columns the suite's expectations read, plus ``row_id`` (failures map back by it)."""
    cols = {"row_id"}
    for e in load_suite_spec(name)["expectations"]:
        kwargs = e["kwargs"]
        cols.update(kwargs[k] for k in ("column", "column_A", "column_B") if k in kwargs)
        cols.update(kwargs.get("column_list", ()))
        if kwargs.get("row_condition"):
            cols.update(re.findall(r"[A-Za-z_]\w*", kwargs["row_condition"]))
    return tuple(sorted(cols))
