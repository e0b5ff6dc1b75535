from decimal import Decimal

import pytest

from chitieu.numbers import NumberParseError, is_ditto, parse_vi_number


@pytest.mark.parametrize(
    ("text", "value", "suffix"),
    [
        ("1.234,5", Decimal("1234.5"), None),
        ("2.236", Decimal("2236"), None),
        ("9,0%", Decimal("9.0"), "%"),
        ("0,45‰", Decimal("0.45"), "‰"),
        ("-2,77%", Decimal("-2.77"), "%"),
        ("−2,77", Decimal("-2.77"), None),
        ("1.234.567,89", Decimal("1234567.89"), None),
        ("1 234,5", Decimal("1234.5"), None),
        (" 05 ", Decimal("5"), None),
        ("109,35", Decimal("109.35"), None),
        (13.1, Decimal("13.1"), None),
        (8920, Decimal("8920"), None),
    ],
)
def test_parses_vietnamese_numbers(text, value, suffix):
    parsed = parse_vi_number(text)
    assert parsed.value == value
    assert parsed.suffix == suffix


@pytest.mark.parametrize("text", ["", "-", "x", "X", "...", "..", None, float("nan")])
def test_no_value_marks_are_none_never_zero(text):
    assert parse_vi_number(text).value is None


@pytest.mark.parametrize("text", ["12.34", "1.5", "1,234.5"])
def test_ambiguous_grouping_is_refused(text):
    with pytest.raises(NumberParseError) as err:
        parse_vi_number(text)
    assert "ambiguous" in str(err.value)
    assert err.value.text == text


@pytest.mark.parametrize("text", ["abc", "9,0 tỷ", "1-2", "%"])
def test_non_numbers_are_refused(text):
    with pytest.raises(NumberParseError) as err:
        parse_vi_number(text)
    assert str(err.value).startswith(f"found {text!r}: not a number")


@pytest.mark.parametrize(
    ("text", "expected"),
    [('"', True), ("〃", True), ("nt", True), ("Như trên", True), ("1", False)],
)
def test_ditto_marks(text, expected):
    assert is_ditto(text) is expected
