from datetime import date

import pytest

from chitieu.periods import PeriodError, parse_period, periods_for_year


@pytest.mark.parametrize(
    ("code", "ptype", "end", "fraction"),
    [
        ("2024-06", "month", date(2024, 6, 30), 0.5),
        ("2024-02", "month", date(2024, 2, 29), 2 / 12),
        ("2024-Q3", "quarter", date(2024, 9, 30), 0.75),
        ("2024-6M", "cumulative_6m", date(2024, 6, 30), 0.5),
        ("2024-9M", "cumulative_9m", date(2024, 9, 30), 0.75),
        ("2024", "year", date(2024, 12, 31), 1.0),
        ("2024-EST", "year_estimate", date(2024, 12, 31), 1.0),
    ],
)
def test_parse_period(code, ptype, end, fraction):
    p = parse_period(code)
    assert (p.period_type, p.end_date, p.elapsed_fraction) == (ptype, end, fraction)


def test_labels_are_bilingual():
    p = parse_period("2024-9M")
    assert p.label_vi == "9 tháng năm 2024"
    assert p.label_en == "First 9 months of 2024"
    assert parse_period("2024-EST").label_vi == "Ước thực hiện cả năm 2024"


@pytest.mark.parametrize("code", ["2024-13", "24", "2024-Q5", "2024-H1", ""])
def test_bad_period_names_the_code(code):
    with pytest.raises(PeriodError, match="expected"):
        parse_period(code)


def test_year_has_all_periods():
    codes = [p.code for p in periods_for_year(2024)]
    assert len(codes) == 20
    assert {"2024-01", "2024-Q4", "2024-6M", "2024-9M", "2024", "2024-EST"} <= set(codes)
