"""Administrative units over time: districts end on 30 June 2025 and the province reports for them."""

from datetime import date

from chitieu.areas import area_problem, area_spans, successor_on
from chitieu.manual import read_manual_observations
from chitieu.periods import parse_period
from chitieu.reference import load_reference
from chitieu.resources import DEFAULT_REFERENCE_DIR

REF = load_reference(DEFAULT_REFERENCE_DIR)
SPANS = area_spans(REF.areas)


def test_districts_end_on_30_june_2025_and_the_province_stands_for_them():
    tam_duong = SPANS["106"]
    assert (tam_duong.valid_to, tam_duong.successor) == (date(2025, 6, 30), "12")
    assert SPANS["12"].valid_to is None
    assert successor_on(SPANS, "106", date(2025, 6, 30)) == "106"
    assert successor_on(SPANS, "106", date(2025, 7, 1)) == "12"
    assert successor_on(SPANS, "12", date(2030, 1, 1)) == "12"


def test_a_figure_after_the_end_date_names_the_new_unit():
    assert area_problem(SPANS, "106", parse_period("2025-6M")) is None
    assert area_problem(SPANS, "106", parse_period("2024")) is None
    assert area_problem(SPANS, "106", parse_period("2025-9M")) == (
        "Huyện Tam Đường (106) không còn từ 01/07/2025, kỳ 2025-9M kết thúc sau ngày đó;"
        " báo cáo cho Tỉnh Lai Châu (12) / Tam Duong district (106) ceased on 2025-06-30,"
        " before the end of 2025-9M; report it for Lai Chau province (12)"
    )
    assert area_problem(SPANS, "12", parse_period("2025-9M")) is None


def test_manual_file_with_an_old_unit_after_its_end_is_rejected_whole(tmp_path):
    path = tmp_path / "letter.csv"
    path.write_text(
        "plan_id,target_code,area_code,period_code,value,data_status,note\n"
        "lai-chau-2025,forest_cover,12,2025-9M,53.8,reported,\n"
        "lai-chau-2025,forest_cover,110,2025-9M,61.2,reported,\n",
        encoding="utf-8",
    )
    known = {("lai-chau-2025", "forest_cover")}
    result = read_manual_observations(
        path, known, REF.area_codes, lambda a, p: area_problem(SPANS, a, p)
    )
    assert not result.accepted and result.rows.empty
    assert result.problems == [
        "letter.csv: line 3, column area_code: Huyện Than Uyên (110) không còn từ 01/07/2025,"
        " kỳ 2025-9M kết thúc sau ngày đó; báo cáo cho Tỉnh Lai Châu (12) / Than Uyen district"
        " (110) ceased on 2025-06-30, before the end of 2025-9M; report it for Lai Chau province (12)"
    ]
    # the same district for the first half of 2025 is fine
    path.write_text(
        "plan_id,target_code,area_code,period_code,value,data_status,note\n"
        "lai-chau-2025,forest_cover,110,2025-6M,61.0,reported,\n",
        encoding="utf-8",
    )
    ok = read_manual_observations(
        path, known, REF.area_codes, lambda a, p: area_problem(SPANS, a, p)
    )
    assert ok.accepted and ok.rows["area_code"].tolist() == ["110"]
