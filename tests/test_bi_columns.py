"""Pure functions behind the BI columns, the plan header and the CSV flavours."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from chitieu import attainment
from chitieu.bi_columns import (
    NO_DATA_REASON_FALLBACK_VI,
    NO_DATA_REASONS_VI,
    add_bi_columns,
    no_data_reason_vi,
    round_half_up,
)
from chitieu.catalogue import CatalogueError
from chitieu.council_xlsx import _lines, number_format, vi_fixed
from chitieu.labels import add_label_columns, load_labels
from chitieu.plan_header import header_frames, load_plan_header
from chitieu.publish import write_csv
from chitieu.resources import DEFAULT_REFERENCE_DIR

ROOT = Path(__file__).resolve().parents[1]
PLAN = ROOT / "sources" / "plans" / "lai-chau-2024.yaml"


@pytest.mark.parametrize(
    ("value", "places", "expected"),
    [
        (2.675, 2, 2.68),  # binary 2.67499… still rounds as written
        (-2.675, 2, -2.68),
        (8133.333333, 0, 8133.0),
        (5.151515, 2, 5.15),
        (-4.561404, 2, -4.56),
        (0.05, 1, 0.1),
        (105.77, 1, 105.8),
        (None, 1, None),
        (float("nan"), 1, None),
    ],
)
def test_round_half_up(value, places, expected):
    assert round_half_up(value, places) == expected


def test_every_no_data_reason_of_the_rules_has_a_vietnamese_wording():
    source = Path(attainment.__file__).read_text(encoding="utf-8")
    reasons = re.findall(r'(?:_no_data|MissingBaseline)\(\s*"([^"]+)"', source)
    assert reasons, "no reasons found: the pattern no longer matches chitieu/attainment.py"
    assert {r: no_data_reason_vi(r) for r in reasons} == {r: NO_DATA_REASONS_VI[r] for r in reasons}
    assert no_data_reason_vi("a reason added later") == NO_DATA_REASON_FALLBACK_VI
    assert no_data_reason_vi(None) is None


def _frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "plan_id": ["p", "p", "p"],
            "group_no": [1, 2, 2],
            "department_code": ["stc", "sldtbxh", "stc"],
            "area_code": ["12", "12", "POOR"],
            "unit": ["tỷ đồng", "lao động", "điểm %"],
            "measure_unit": ["tỷ đồng", "lao động", "%"],
            "baseline_value": [2180.04, 8870.0, 31.456],
            "actual_value": [1720.05, 6100.0, None],
            "projected_value": [2365.0, 8133.333333, None],
            "attainment_pct": [105.7692, 91.1809, None],
            "no_data_reason": [None, None, "missing baseline: the previous year's value is needed"],
            "actual_source": ["department", "department", None],
            "estimate_source": ["department", None, None],
        }
    )


def test_add_bi_columns_names_labels_and_display_values():
    departments = pd.DataFrame(
        {
            "department_code": ["stc", "sldtbxh"],
            "name_vi": ["Sở Tài chính", "Sở Lao động"],
            "name_en": ["Finance", "Labour"],
        }
    )
    areas = pd.DataFrame(
        {
            "area_code": ["12", "POOR"],
            "name_vi": ["Tỉnh Lai Châu", "Các huyện nghèo"],
            "name_en": ["Lai Chau", "Poor districts"],
        }
    )
    units = pd.DataFrame(
        {"unit_code": ["tỷ đồng", "lao động", "điểm %", "%"], "decimals": [1, 0, 2, 2]}
    )
    groups = pd.DataFrame(
        {
            "plan_id": ["p", "p"],
            "group_no": [1, 2],
            "name_vi": ["Một", "Hai"],
            "name_en": ["One", "Two"],
        }
    )
    out = add_label_columns(
        add_bi_columns(_frame(), departments, areas, units, groups),
        *load_labels(DEFAULT_REFERENCE_DIR),
        "mart.target_attainment",
    )
    assert out["actual_value_display"].tolist()[:2] == [1720.1, 6100.0]
    assert out["projected_value_display"].tolist()[:2] == [2365.0, 8133.0]
    # the baseline is in the measure unit (%), not the target's (điểm %)
    assert out["baseline_value_display"].tolist() == [2180.0, 8870.0, 31.46]
    assert out["attainment_pct_display"].tolist()[:2] == [105.8, 91.2]
    assert out["attainment_pct_display"].isna().tolist() == [False, False, True]
    assert out["group_name_vi"].tolist() == ["Một", "Hai", "Hai"]
    assert out["department_name_en"].tolist() == ["Finance", "Labour", "Finance"]
    assert out["area_name_vi"].tolist() == ["Tỉnh Lai Châu", "Tỉnh Lai Châu", "Các huyện nghèo"]
    assert out["no_data_reason_vi"].tolist()[2] == "Thiếu số liệu năm trước để tính"
    assert out["actual_source_vi"].tolist()[:2] == ["Báo cáo của sở, ngành"] * 2
    assert out["estimate_source_vi"].isna().tolist() == [False, True, True]
    # the raw values are kept
    assert out["projected_value"].tolist()[1] == 8133.333333


def test_plan_header_citation_with_and_without_a_number(tmp_path):
    header = load_plan_header(PLAN, {"lai-chau-2024": set(range(1, 11))})
    assert header.adopted_on == date(2023, 12, 7) and header.number is None
    assert header.citation_vi() == (
        "Nghị quyết ngày 07/12/2023 của Hội đồng nhân dân tỉnh Lai Châu khoá XV"
    )
    assert header.groups[3] == ("Thu ngân sách", "Budget revenue")
    numbered = tmp_path / "p.yaml"
    numbered.write_text(
        PLAN.read_text(encoding="utf-8").replace("  number:\n", "  number: 61/NQ-HĐND\n", 1),
        encoding="utf-8",
    )
    h = load_plan_header(numbered)
    assert h.citation_vi() == (
        "Nghị quyết số 61/NQ-HĐND ngày 07/12/2023 của Hội đồng nhân dân tỉnh Lai Châu khoá XV"
    )
    assert h.citation_en() == (
        "Resolution No. 61/NQ-HĐND of the People's Council of Lai Chau province, 15th term "
        "adopted on 07/12/2023"
    )
    plans, groups = header_frames([h])
    assert plans.loc[0, "number"] == "61/NQ-HĐND" and len(groups) == 10


def test_plan_header_needs_a_heading_for_every_group_used(tmp_path):
    path = tmp_path / "p.yaml"
    path.write_text(
        PLAN.read_text(encoding="utf-8").replace("    10: {vi: Môi trường, en: Environment}\n", ""),
        encoding="utf-8",
    )
    with pytest.raises(CatalogueError, match=r"no heading under 'groups' for group\(s\) \[10\]"):
        load_plan_header(path, {"lai-chau-2024": set(range(1, 11))})
    path.write_text(
        PLAN.read_text(encoding="utf-8").replace("adopted_on: '2023-12-07'", "adopted_on: 7/12"),
        encoding="utf-8",
    )
    with pytest.raises(CatalogueError, match="adopted_on '7/12' is not a date"):
        load_plan_header(path)


def test_csv_flavours(tmp_path):
    frame = pd.DataFrame(
        {
            "name": ["Thu ngân sách", "=cmd"],
            "n": pd.array([2023, None], dtype="Int64"),
            "x": [2236.5, -4.56],
        }
    )
    write_csv(frame, tmp_path / "m.csv", "machine")
    write_csv(frame, tmp_path / "s.csv", "spreadsheet")
    assert (tmp_path / "m.csv").read_bytes().decode("utf-8") == (
        "name,n,x\nThu ngân sách,2023,2236.5\n'=cmd,,-4.56\n"
    )
    assert (tmp_path / "s.csv").read_bytes().decode("utf-8") == (
        "\ufeffname;n;x\nThu ngân sách;2023;2236,5\n'=cmd;;-4,56\n"
    )


def test_xlsx_number_formats_and_row_lines():
    assert number_format(0) == "#,##0"
    assert number_format(2) == "#,##0.00"
    assert vi_fixed(2236, 1) == "2.236,0"
    assert vi_fixed(-2.77, 2) == "-2,77"
    assert vi_fixed(1234567.5, 0) == "1.234.568"
    assert vi_fixed(0.45, 2) == "0,45"
    assert vi_fixed(None, 1) == vi_fixed(float("nan"), 1) == ""
    assert _lines("Thu ngân sách", 22) == 1
    assert _lines("Có nguy cơ không đạt (TH 9 tháng)", 22) == 2


def test_pdf_without_libreoffice_is_a_clear_error(tmp_path, monkeypatch):
    from chitieu.council_xlsx import xlsx_to_pdf

    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(FileNotFoundError, match="LibreOffice"):
        xlsx_to_pdf(tmp_path / "r.xlsx", tmp_path)
