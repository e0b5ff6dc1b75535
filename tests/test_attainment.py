"""Each kind's formula, with values computed by hand in the comments."""

import pytest

from chitieu.attainment import (
    Reading,
    Spec,
    compared_value,
    evaluate,
    meets,
)
from chitieu.attainment_text import comparison_vi, required_vi
from chitieu.periods import parse_period

YEAR = parse_period("2024")
NINE = parse_period("2024-9M")
SIX = parse_period("2024-6M")
EST = parse_period("2024-EST")


def final(v):
    return Reading(v, YEAR)


def test_at_least_final_achieved_and_missed():
    spec = Spec("at_least", 225.5)
    ev = evaluate(spec, 222.4, final(228.1), None)
    # 228,1 / 225,5 = 1,011529... -> 101,15 %
    assert (ev.status, ev.attainment_pct, ev.projection_basis) == ("achieved", 101.15, "final")
    ev = evaluate(spec, 222.4, final(225.4), None)
    assert ev.status == "not_achieved"


def test_at_most_strict_versus_non_strict():
    # "xuống dưới 15,9%": 15,9 exactly is NOT below 15,9
    strict = Spec("at_most", 15.9, strict=True)
    assert evaluate(strict, 16.4, final(15.9), None).status == "not_achieved"
    assert evaluate(strict, 16.4, final(15.89), None).status == "achieved"
    # "xuống 21,52%": 21,52 exactly is enough
    loose = Spec("at_most", 21.52)
    ev = evaluate(loose, 22.1, final(21.52), None)
    assert ev.status == "achieved"
    # lower is better: 21,52 / 20 = 107,6 %
    assert evaluate(loose, 22.1, final(20.0), None).attainment_pct == 107.6


def test_at_least_strict_bound():
    spec = Spec("at_least", 50, strict=True)
    assert meets(spec, 50) is False
    assert meets(spec, 50.01) is True
    assert meets(Spec("at_least", 50), 50) is True


def test_approx_within_tolerance():
    # "khoảng 9,0%" with tolerance 0,1 point: 8,9 counts, 8,8 does not, 9,6 exceeds
    spec = Spec("approx", 9.0, tolerance=0.1)
    assert evaluate(spec, -2.77, final(8.9), None).status == "achieved"
    assert evaluate(spec, -2.77, final(8.8), None).status == "not_achieved"
    assert evaluate(spec, -2.77, final(9.6), None).status == "achieved"


def test_reported_growth_with_negative_baseline_uses_the_rate_itself():
    # GRDP grew -2,77 % in 2023; 2024's reported rate 9,0 is compared directly with 9,0
    spec = Spec("approx", 9.0, tolerance=0.1)
    ev = evaluate(spec, -2.77, None, Reading(9.0, EST))
    assert (ev.status, ev.projected_value, ev.attainment_pct, ev.projection_basis) == (
        "on_track",
        9.0,
        100.0,
        "estimate",
    )


def test_level_growth_with_negative_baseline_divides_by_its_magnitude():
    # (1,0 - (-2,0)) / |-2,0| * 100 = 150 %
    spec = Spec("growth", 10.0, measure="level")
    assert compared_value(spec, 1.0, -2.0) == 150.0
    assert evaluate(spec, -2.0, final(1.0), None).status == "achieved"


def test_level_growth_zero_and_missing_baseline_are_no_data_with_reason():
    spec = Spec("growth", 5.1, measure="level")
    zero = evaluate(spec, 0.0, final(100.0), None)
    assert (zero.status, zero.no_data_reason) == (
        "no_data",
        "baseline is zero: growth is undefined",
    )
    missing = evaluate(spec, None, final(100.0), None)
    assert (missing.status, missing.no_data_reason) == (
        "no_data",
        "missing baseline: the previous year's value is needed",
    )


def test_level_growth_exact_hit_is_not_lost_to_floating_point():
    # 198.000 -> 208.098 head is exactly +5,1 %
    spec = Spec("growth", 5.1, measure="level")
    assert compared_value(spec, 208098, 198000) == 5.1
    assert evaluate(spec, 198000, final(208098), None).status == "achieved"


def test_reduction_from_levels():
    # poverty 26,42 % -> 22,45 %: reduction 3,97 points >= 3,8;
    # index ratio (100 + 3,97) / (100 + 3,8) = 1,001637... -> 100,16 %
    spec = Spec("reduction", 3.8, measure="level")
    ev = evaluate(spec, 26.42, None, Reading(22.45, EST))
    assert (ev.projected_value, ev.attainment_pct, ev.status) == (3.97, 100.16, "on_track")
    # birth rate 20,15 ‰ -> 19,72 ‰: 0,43 < 0,45
    birth = evaluate(Spec("reduction", 0.45, measure="level"), 20.15, None, Reading(19.72, EST))
    assert (birth.projected_value, birth.status) == (0.43, "at_risk")


def test_reduction_missing_baseline():
    ev = evaluate(Spec("reduction", 5.4, measure="level"), None, None, Reading(31.2, EST))
    assert ev.status == "no_data"
    assert "missing baseline" in ev.no_data_reason


def test_increment_from_counts():
    # 39 communes in 2023, 44 estimated for 2024: +5 = "thêm 05 xã"
    spec = Spec("increment", 5, measure="level")
    ev = evaluate(spec, 39, Reading(41, NINE), Reading(44, EST))
    assert (ev.actual_value, ev.projected_value, ev.status) == (2, 5, "on_track")
    assert evaluate(spec, 39, None, Reading(43, EST)).status == "at_risk"


def test_share_tolerance_and_rounding():
    spec = Spec("share", 15.31, tolerance=1.0)
    # |14,31 - 15,31| = 1,00 exactly: within tolerance despite binary rounding
    assert meets(spec, 14.31) is True
    assert meets(spec, 16.32) is False
    # no better direction: above the share counts like below
    assert evaluate(spec, 15.9, final(16.0), None).status == "achieved"


def test_maintain():
    spec = Spec("maintain", 1.0)
    assert evaluate(spec, 1, final(1), None).attainment_pct == 100.0
    assert evaluate(spec, 1, final(0), None).status == "not_achieved"


def test_range_inside_and_outside():
    # "6,5-7%": 6,8 inside; 6,0 below -> 6,0/6,5 = 92,307... rounded down (a miss) to 92,30 %;
    # 7,5 above -> 7/7,5 = 93,33 %
    spec = Spec("range", target_low=6.5, target_high=7.0)
    assert evaluate(spec, None, final(6.8), None).status == "achieved"
    assert evaluate(spec, None, final(6.0), None).attainment_pct == 92.30
    assert evaluate(spec, None, final(7.5), None).attainment_pct == 93.33
    assert evaluate(spec, None, final(7.0), None).status == "achieved"


def test_in_year_projection_prefers_the_year_end_estimate():
    # revenue 1.720 after 9 months, estimate 2.365 >= 2.236: 2.365/2.236 = 105,77 %
    spec = Spec("at_least", 2236, flow=True)
    ev = evaluate(spec, 2180, Reading(1720, NINE), Reading(2365, EST))
    assert (
        ev.actual_value,
        ev.projected_value,
        ev.projection_basis,
        ev.attainment_pct,
        ev.status,
    ) == (1720, 2365, "estimate", 105.77, "on_track")


def test_flow_without_estimate_is_pro_rata():
    # jobs: 6.100 after 9 months -> 6.100 / 0,75 = 8.133,33 < 8.920; 8.133,33/8.920 = 91,18 %
    spec = Spec("at_least", 8920, flow=True)
    ev = evaluate(spec, 8870, Reading(6100, NINE), None)
    assert ev.projection_basis == "pro_rata"
    assert ev.projected_value == pytest.approx(8133.333333, abs=1e-6)
    assert (ev.attainment_pct, ev.status) == (91.18, "at_risk")
    # 4.500 after 6 months -> 9.000 >= 8.920
    assert evaluate(spec, 8870, Reading(4500, SIX), None).status == "on_track"


def test_flow_growth_compares_with_the_same_share_of_last_year():
    # tourists: 1.190 after 9 months vs 1.520 * 0,75 = 1.140 -> +4,385965 %;
    # estimate 1.610 vs 1.520 -> +5,921053 % < 7,9
    spec = Spec("growth", 7.9, measure="level", flow=True)
    ev = evaluate(spec, 1520, Reading(1190, NINE), Reading(1610, EST))
    assert ev.actual_value == pytest.approx(4.385965, abs=1e-6)
    assert ev.projected_value == pytest.approx(5.921053, abs=1e-6)
    assert ev.status == "at_risk"


def test_stock_without_estimate_keeps_latest_value():
    spec = Spec("at_least", 74.5)
    ev = evaluate(spec, 70.2, Reading(72.0, NINE), None)
    assert (ev.projection_basis, ev.projected_value, ev.status) == ("latest", 72.0, "at_risk")


def test_no_observation_at_all():
    ev = evaluate(Spec("at_least", 95.3), 94.0, None, None)
    assert (ev.status, ev.status_vi, ev.no_data_reason) == (
        "no_data",
        "Chưa có số liệu",
        "no observation for the plan year",
    )


# --- rules a planning officer applies (issue 13) ---------------------------------------------


def test_pct_of_plan_for_a_fall_in_trade_is_the_index_ratio_not_negative():
    # trade -4,56 % against +6 %: (100 - 4,56) / (100 + 6) = 0,900377... -> 90,03 % (was -76 %)
    ev = evaluate(Spec("growth", 6.0), None, final(-4.56), None)
    assert (ev.status, ev.attainment_pct, ev.gap_to_plan) == ("not_achieved", 90.03, -10.56)


def test_pct_of_plan_when_poverty_rises_is_not_negative():
    # poverty 26,42 % -> 26,92 %: reduction -0,5 points; (100 - 0,5) / (100 + 3,8) = 95,86... -> 95,85 rounded down
    ev = evaluate(Spec("reduction", 3.8, measure="level"), 26.42, final(26.92), None)
    assert (ev.actual_value, ev.attainment_pct, ev.status) == (-0.5, 95.85, "not_achieved")


def test_negative_plan_has_no_ratio():
    # "more is better" reads backwards for a plan of -2: no %, the gap says it
    ev = evaluate(Spec("at_least", -2.0), None, final(-1.0), None)
    assert (ev.status, ev.attainment_pct, ev.gap_to_plan) == ("achieved", None, 1.0)


def test_a_near_miss_never_shows_100():
    # 2.235,9 on 2.236: 99,9955 % would print "100,0" beside "Không đạt"; capped at 99,9
    spec = Spec("at_least", 2236)
    ev = evaluate(spec, None, final(2235.9), None)
    assert (ev.status, ev.attainment_pct) == ("not_achieved", 99.9)
    assert comparison_vi(spec, 2235.9) == "2.235,9 < 2.236; cần ≥ 2.236"


def test_strict_bound_shows_the_comparison_not_a_percentage():
    spec = Spec("at_most", 15.9, strict=True)
    ev = evaluate(spec, 16.4, final(15.9), None)
    assert (ev.status, ev.attainment_pct) == ("not_achieved", None)
    assert comparison_vi(spec, 15.9) == "15,9 = 15,9; cần < 15,9"
    assert required_vi(spec) == "< 15,9"


def test_share_shows_the_distance_in_points():
    # 14,5 against 15,31 ± 1: 0,81 points below, within tolerance
    ev = evaluate(Spec("share", 15.31, tolerance=1.0), None, final(14.5), None)
    assert (ev.status, ev.attainment_pct, ev.gap_to_plan) == ("achieved", None, -0.81)


def test_in_year_growth_is_judged_against_the_same_period_last_year():
    # tourists: 1.190 after 9 months 2024 against 1.050 after 9 months 2023 (not 0,75 x 1.520 = 1.140):
    # (1.190 - 1.050) / 1.050 = +13,333333 %
    spec = Spec("growth", 7.9, measure="level", flow=True)
    ev = evaluate(spec, 1520, Reading(1190, NINE), None, same_period=1050)
    assert ev.actual_value == pytest.approx(13.333333, abs=1e-6)
    assert ev.baseline_used == "same_period"
    # without the same period, the share of last year's total is the fallback
    assert evaluate(spec, 1520, Reading(1190, NINE), None).baseline_used == "year_share"
    # full year against full year: the same-period figure plays no part
    full = evaluate(spec, 1520, final(1610), None, same_period=1050)
    assert (full.actual_value, full.baseline_used) == (pytest.approx(5.921053, abs=1e-6), "year")


def test_in_year_stock_growth_uses_the_same_period():
    # herd 205.500 at 9M 2024 vs 200.000 at 9M 2023: +2,75 % (vs 198.000 for the year: +3,79 %)
    spec = Spec("growth", 5.1, measure="level")
    ev = evaluate(spec, 198000, Reading(205500, NINE), None, same_period=200000)
    assert ev.actual_value == 2.75
    # the projection (latest level) is still compared with last year's full-year level
    assert ev.projected_value == pytest.approx(3.787879, abs=1e-6)


def test_cumulative_flow_already_over_plan_is_achieved_whatever_the_estimate():
    # revenue 2.300 after 9 months >= 2.236 planned; estimate 2.200 would have said at risk
    spec = Spec("at_least", 2236, flow=True)
    ev = evaluate(spec, 2180, Reading(2300, NINE), Reading(2200, EST))
    assert (ev.status, ev.projection_basis, ev.projected_value) == (
        "achieved",
        "year_to_date",
        2300,
    )
    # 2.300 / 2.236 = 1,028622 -> 102,86 %
    assert ev.attainment_pct == 102.86


def test_seasonal_projection_uses_last_years_share_for_the_same_period():
    # cereal: 2023-6M 95,0 of 222,4 for the year (42,7 %); 2024-6M 98,2 -> 98,2 x 222,4 / 95,0 = 21.839,68 / 95 = 229,891368
    spec = Spec("at_least", 225.5, flow=True)
    ev = evaluate(spec, 222.4, Reading(98.2, SIX), None, same_period=95.0)
    assert ev.projection_method == "seasonal"
    assert ev.projected_value == pytest.approx(229.891368, abs=1e-6)
    assert ev.status == "on_track"
    # straight-line would have said 196,4: at risk
    line = evaluate(spec, 222.4, Reading(98.2, SIX), None)
    assert (line.projection_method, line.projected_value, line.status) == (
        "straight_line",
        196.4,
        "at_risk",
    )


def test_counts_of_people_are_projected_in_whole_units():
    # jobs: 6.100 / 0,75 = 8.133,33 -> 8.133 workers
    spec = Spec("at_least", 8920, flow=True, whole_units=True)
    ev = evaluate(spec, 8870, Reading(6100, NINE), None)
    assert ev.projected_value == 8133
    # 8.133 / 8.920 = 91,177... -> 91,17 (a miss is rounded down)
    assert ev.attainment_pct == 91.17


def test_a_preliminary_final_year_figure_gives_a_provisional_verdict():
    spec = Spec("approx", 51.5, tolerance=0.5)
    ev = evaluate(spec, 47.6, Reading(54.7, YEAR, final=False), None)
    assert (ev.status, ev.provisional, ev.verdict_vi) == (
        "achieved",
        True,
        "Đạt và vượt (số liệu sơ bộ)",
    )
    assert evaluate(spec, 47.6, final(54.7), None).verdict_vi == "Đạt và vượt"
