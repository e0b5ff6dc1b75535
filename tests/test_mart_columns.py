"""The catalogue's descriptive columns, built once for the annual and the multi-year marts."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

import pandas as pd

from chitieu.catalogue import load_plan
from chitieu.marts import descriptive_columns
from chitieu.marts_period import compute_period_attainment
from chitieu.reference import load_reference
from chitieu.resources import DEFAULT_PLANS_DIR, DEFAULT_REFERENCE_DIR
from tests.test_attainment_inputs import PUBLIC_2024, _attainment

KEYS = [
    "plan_id",
    "target_code",
    "group_no",
    "item_no",
    "source_ref",
    "name_vi",
    "name_en",
    "unit",
    "kind",
    "target_value",
    "target_low",
    "target_high",
    "tolerance",
    "measure_unit",
]


def _targets(plan: str) -> pd.DataFrame:
    ref = load_reference(DEFAULT_REFERENCE_DIR)
    return load_plan(Path(DEFAULT_PLANS_DIR) / f"{plan}.yaml", ref).targets_frame()


def test_descriptive_columns_in_order_with_numbers_as_floats_and_gaps_as_none():
    target = SimpleNamespace(
        plan_id="p",
        target_code="forest_cover",
        group_no=2,
        item_no=3,
        source_ref="Điều 1.2 (7)",
        name_vi="Tỷ lệ che phủ rừng",
        name_en="Forest cover",
        unit="%",
        kind="range",
        target_value=float("nan"),
        target_low=8,
        target_high=Decimal("9.5"),
        tolerance=None,
        measure_unit="%",
        strict=True,  # not a descriptive column
    )
    columns = descriptive_columns(target)
    assert list(columns) == KEYS
    assert columns["target_value"] is None and columns["tolerance"] is None
    assert (columns["target_low"], columns["target_high"]) == (8.0, 9.5)
    assert isinstance(columns["target_low"], float)


def test_the_multi_year_mart_starts_with_the_descriptive_columns():
    targets = _targets("lai-chau-2021-2025")
    empty = pd.DataFrame(PUBLIC_2024).iloc[0:0]  # fact_observation's columns, no rows
    mart = compute_period_attainment(targets, empty, date(2024, 12, 15))
    assert list(mart.columns[: len(KEYS)]) == KEYS
    row = mart[mart["target_code"] == "grdp_growth_avg"].iloc[0]
    assert row[KEYS].to_dict() == {
        "plan_id": "lai-chau-2021-2025",
        "target_code": "grdp_growth_avg",
        "group_no": 1,
        "item_no": 1,
        "source_ref": "Mục I",
        "name_vi": "Tốc độ tăng trưởng GRDP bình quân/năm",
        "name_en": "Average annual GRDP growth",
        "unit": "%",
        "kind": "avg_growth",
        "target_value": 9.0,
        "target_low": None,
        "target_high": None,
        "tolerance": 0.0,
        "measure_unit": "%",
    }


def test_the_annual_mart_carries_the_same_descriptive_columns(tmp_path):
    mart, _ = _attainment(tmp_path, PUBLIC_2024)
    catalogue = _targets("lai-chau-2024").set_index("target_code")
    target = SimpleNamespace(target_code="grdp_growth", **catalogue.loc["grdp_growth"])
    expected = descriptive_columns(target)
    assert expected["tolerance"] == 0.1 and expected["source_ref"] == "Điều 1.2 (1)"
    shown = mart.loc["grdp_growth"]
    for key, value in expected.items():
        if key == "target_code":
            continue  # the mart is indexed by it
        assert (pd.isna(shown[key]) and value is None) or shown[key] == value, key
