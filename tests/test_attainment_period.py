"""Multi-year targets: average annual growth (CAGR from the base year) and end-of-period levels."""

import pytest

from chitieu.attainment import MissingBaseline, Reading, Spec
from chitieu.attainment_period import (
    cagr_from_levels,
    cagr_from_rates,
    evaluate_avg_growth,
    evaluate_end_level,
)
from chitieu.periods import parse_period

AVG_9 = Spec(kind="avg_growth", target_value=9.0)


@pytest.mark.parametrize(
    ("rates", "expected"),
    [
        # 1,5 × 0,8 = 1,2; √1,2 = 1,095445 → 9,5445 %/year, although one year fell by 20 %
        ([50, -20], 9.5445),
        # 1,25 × 0,8 × 1,25 = 1,25; ∛1,25 = 1,077217 → 7,7217 %/year
        ([25, -20, 25], 7.7217),
        # two years of −10 %: 0,9 × 0,9 = 0,81; √0,81 = 0,9 → −10 %/year
        ([-10, -10], -10.0),
        ([8.0], 8.0),
    ],
)
def test_cagr_from_yearly_rates(rates, expected):
    assert round(cagr_from_rates(rates), 4) == expected


def test_cagr_from_levels():
    # 100 → 161,051 in five years is 1,1^5: 10 %/year; 100 → 81 in two years: −10 %/year
    assert round(cagr_from_levels(100, 161.051, 5), 6) == 10.0
    assert round(cagr_from_levels(100, 81, 2), 6) == -10.0
    with pytest.raises(MissingBaseline):
        cagr_from_levels(0, 81, 2)


def test_a_year_falling_by_100_percent_leaves_the_average_undefined():
    with pytest.raises(MissingBaseline):
        cagr_from_rates([10, -100])


def test_five_final_years_decide_achieved_or_not():
    # 1,1 × 0,9 × 1,21 × 1,1 × 1,1 = 1,449459; 1,449459^(1/5) = 1,077063 → 7,7063 % < 9 %
    finals = {2021: 10, 2022: -10, 2023: 21, 2024: 10, 2025: 10}
    ev = evaluate_avg_growth(AVG_9, 2021, 2025, finals, {})
    assert (round(ev.actual_value, 4), ev.projection_basis, ev.status) == (
        7.7063,
        "final",
        "not_achieved",
    )
    # a growth rate is compared as an index (docs/attainment.md): 107,7063 / 109 = 98,81 %
    assert ev.attainment_pct == round((100 + ev.actual_value) / (100 + 9) * 100, 2) == 98.81
    ten = evaluate_avg_growth(AVG_9, 2021, 2025, dict.fromkeys(finals, 10.0), {})
    assert (round(ten.actual_value, 6), ten.status) == (10.0, "achieved")


def test_in_term_the_average_so_far_and_the_current_estimate_project():
    # 2021–2023 final: 1,5 × 0,8 × 1,25 = 1,5 → ∛1,5 = 1,144714: 14,4714 %/year so far
    finals = {2021: 50, 2022: -20, 2023: 25}
    so_far = evaluate_avg_growth(AVG_9, 2021, 2025, finals, {})
    assert (round(so_far.actual_value, 4), so_far.projection_basis, so_far.status) == (
        14.4714,
        "average_so_far",
        "on_track",
    )
    # with a 2024 estimate of −40 %: 1,5 × 0,6 = 0,9 over four years → 0,9^(1/4) = 0,974004: −2,5996 %
    est = evaluate_avg_growth(AVG_9, 2021, 2025, finals, {2024: -40})
    assert round(est.actual_value, 4) == 14.4714
    assert (round(est.projected_value, 4), est.projection_basis, est.status) == (
        -2.5996,
        "estimate",
        "at_risk",
    )


def test_a_missing_year_is_no_data_naming_it():
    ev = evaluate_avg_growth(AVG_9, 2021, 2025, {2021: 10, 2023: 5}, {})
    assert ev.status == "no_data"
    assert ev.no_data_reason == "no final figure for 2022: the average growth needs every year"
    none = evaluate_avg_growth(AVG_9, 2021, 2025, {}, {})
    assert (none.status, none.no_data_reason) == ("no_data", "no yearly figure since 2021")


def test_average_growth_from_levels_uses_the_base_year():
    spec = Spec(kind="avg_growth", target_value=20.0, measure="level")
    # tourists (thousand visits): 500 in 2020, 864 in 2023 → (864/500)^(1/3) = 1,2 → 20 %/year
    ev = evaluate_avg_growth(spec, 2021, 2025, {2021: 600, 2022: 720, 2023: 864}, {}, baseline=500)
    assert (round(ev.actual_value, 6), ev.status) == (20.0, "on_track")
    missing = evaluate_avg_growth(spec, 2021, 2025, {2021: 600}, {}, baseline=None)
    assert missing.status == "no_data"


def _r(value, period):
    return Reading(value, parse_period(period))


def test_end_level_is_decided_by_the_last_year_final():
    forest = Spec(kind="end_level", target_value=54.0)
    assert evaluate_end_level(forest, 2025, _r(54.1, "2025"), None).status == "achieved"
    assert evaluate_end_level(forest, 2025, _r(53.9, "2025"), None).status == "not_achieved"
    # a 2024 final is not the end: it projects, and the 2025 estimate projects before it
    early = evaluate_end_level(forest, 2025, _r(54.2, "2024"), None)
    assert (early.projection_basis, early.status) == ("latest", "on_track")
    est = evaluate_end_level(forest, 2025, _r(54.2, "2024"), 53.5)
    assert (est.actual_value, est.projected_value, est.projection_basis, est.status) == (
        54.2,
        53.5,
        "estimate",
        "at_risk",
    )


def test_end_level_down_and_flow_pro_rata():
    # "no commune under 15 criteria": at most 0
    under15 = Spec(kind="end_level", target_value=0.0, direction="down")
    assert evaluate_end_level(under15, 2025, _r(0, "2025"), None).status == "achieved"
    assert evaluate_end_level(under15, 2025, _r(2, "2025"), None).status == "not_achieved"
    # budget revenue 3.000 tỷ đồng in 2025: 1.380 after six months → 2.760 pro rata: at risk
    budget = Spec(kind="end_level", target_value=3000.0, flow=True)
    ev = evaluate_end_level(budget, 2025, _r(1380, "2025-6M"), None)
    assert (ev.projected_value, ev.projection_basis, ev.attainment_pct, ev.status) == (
        2760.0,
        "pro_rata",
        92.0,
        "at_risk",
    )
    assert evaluate_end_level(budget, 2025, None, None).status == "no_data"


def test_strict_end_level():
    cereal = Spec(kind="end_level", target_value=226000.0, strict=True)
    assert evaluate_end_level(cereal, 2025, _r(226000, "2025"), None).status == "not_achieved"
    assert evaluate_end_level(cereal, 2025, _r(226001, "2025"), None).status == "achieved"


def test_gap_and_comparison_in_points_of_average_growth_and_in_level_units():
    from chitieu.attainment_period import comparator
    from chitieu.attainment_text import comparison_vi, required_vi

    # 1,1 × 0,9 × 1,21 × 1,1 × 1,1 → 7,7063 %/year against 9: 1,2937 points short
    finals = {2021: 10, 2022: -10, 2023: 21, 2024: 10, 2025: 10}
    ev = evaluate_avg_growth(AVG_9, 2021, 2025, finals, {})
    assert round(ev.gap_to_plan, 4) == round(ev.actual_value - 9, 4) == -1.2937
    assert required_vi(comparator(AVG_9)) == "≥ 9"
    assert comparison_vi(comparator(AVG_9), 7.7063) == "7,7063 < 9; cần ≥ 9"
    # two years of −10 %: −10 %/year, 19 points below 9 %/year
    down = evaluate_avg_growth(AVG_9, 2021, 2025, {2021: -10, 2022: -10}, {})
    assert (round(down.gap_to_plan, 6), down.status) == (-19.0, "at_risk")
    # an end-of-period level: forest cover 53,5 % estimated for 2025 against 54 %: −0,5
    forest = Spec(kind="end_level", target_value=54.0)
    est = evaluate_end_level(forest, 2025, _r(54.2, "2024"), 53.5)
    assert est.gap_to_plan == -0.5
    assert comparison_vi(comparator(forest), est.projected_value) == "53,5 < 54; cần ≥ 54"
    # "no commune under 15 criteria" (at most 0) with 2 left in 2025: 2 over
    at_most = Spec(kind="end_level", target_value=0.0, direction="down")
    assert evaluate_end_level(at_most, 2025, _r(2, "2025"), None).gap_to_plan == 2.0
