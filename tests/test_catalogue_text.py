"""Every target of Điều 1 khoản 2 is in the catalogue with the exact value the resolution gives."""

import re
from pathlib import Path

import pytest

from chitieu.catalogue import load_plan
from chitieu.numbers import parse_vi_number
from chitieu.reference import load_reference
from chitieu.resources import DEFAULT_PLANS_DIR, DEFAULT_REFERENCE_DIR

PLANS = Path(DEFAULT_PLANS_DIR)
PLAN = load_plan(PLANS / "lai-chau-2024.yaml", load_reference(DEFAULT_REFERENCE_DIR))


def _groups() -> dict[int, str]:
    text = (PLANS / "lai-chau-2024-resolution.vi.txt").read_text(encoding="utf-8")
    section = text.split("2. Các chỉ tiêu chủ yếu", 1)[1].split(
        "3. Nhiệm vụ, giải pháp trọng tâm", 1
    )[0]
    return {
        int(m[1]): " ".join(m[2].split())
        for m in re.finditer(r"\((\d+)\)\s*(.*?)(?=\n\(\d+\)|\Z)", section, re.S)
    }


GROUPS = _groups()


def test_resolution_has_ten_groups():
    assert sorted(GROUPS) == list(range(1, 11))


@pytest.mark.parametrize("target", PLAN.targets, ids=lambda t: t.code)
def test_clause_is_verbatim_in_its_group(target):
    assert target.text_vi in GROUPS[target.group_no]


@pytest.mark.parametrize("target", [t for t in PLAN.targets if t.value_vi], ids=lambda t: t.code)
def test_value_is_written_in_the_clause_and_parses_to_the_target(target):
    assert re.search(rf"(?<![\d,.]){re.escape(target.value_vi)}(?![\d,])", target.text_vi)
    assert parse_vi_number(target.value_vi).as_float() == target.target_value


def test_every_number_of_each_group_is_a_target():
    numbers_in_text = {g: set(re.findall(r"\d+(?:[.,]\d+)*", GROUPS[g])) for g in GROUPS}
    # numbers that are not target values: "5 tuổi", "mức độ 2 / 1", "1 vạn dân", "dưới 5 tuổi"
    not_targets = {"5", "2", "1"}
    for g, numbers in numbers_in_text.items():
        values = {t.value_vi for t in PLAN.targets if t.group_no == g and t.value_vi}
        assert numbers - not_targets == values, f"group ({g})"


def test_group_sizes():
    sizes = {g: sum(t.group_no == g for t in PLAN.targets) for g in range(1, 11)}
    assert sizes == {1: 6, 2: 8, 3: 1, 4: 3, 5: 6, 6: 8, 7: 6, 8: 5, 9: 5, 10: 2}


@pytest.mark.parametrize(
    ("code", "kind", "value", "unit", "extra"),
    [
        ("grdp_growth", "approx", 9.0, "%", {"tolerance": 0.1}),
        ("budget_revenue", "at_least", 2236.0, "tỷ đồng", {"flow": True}),
        (
            "poverty_rate_reduction",
            "reduction",
            3.8,
            "điểm %",
            {"measure": "level", "area_code": "12"},
        ),
        (
            "poverty_rate_reduction_poor_districts",
            "reduction",
            5.4,
            "điểm %",
            {"area_code": "POOR"},
        ),
        ("doctors_per_10k", "at_least", 13.1, "bác sĩ/1 vạn dân", {}),
        ("underweight_under5", "at_most", 15.9, "%", {"strict": True}),
        ("stunting_under5", "at_most", 21.52, "%", {"strict": False}),
        ("new_rural_communes_added", "increment", 5.0, "xã", {"measure": "level"}),
        ("birth_rate_reduction", "reduction", 0.45, "‰", {}),
        ("preschool_universalization", "maintain", 1.0, "có/không", {}),
        ("econ_share_services", "share", 38.64, "%", {"tolerance": 1.0}),
        ("tourist_arrivals_growth", "growth", 7.9, "%", {"measure_unit": "nghìn lượt"}),
    ],
)
def test_selected_targets(code, kind, value, unit, extra):
    t = next(t for t in PLAN.targets if t.code == code)
    assert (t.kind, t.target_value, t.unit) == (kind, value, unit)
    for key, expected in extra.items():
        assert getattr(t, key) == expected
