"""The nightly assets materialized against a DuckDB file in tmp_path."""

from pathlib import Path

import duckdb
import pytest

from tests.conftest import AS_OF, run_nightly


def _query(resources, sql):
    with duckdb.connect(resources["warehouse"].path, read_only=True) as con:
        return con.execute(sql).fetchall()


def _row(resources, code):
    with duckdb.connect(resources["warehouse"].path, read_only=True) as con:
        df = con.execute("select * from mart.target_attainment where target_code = ?", [code]).df()
    assert len(df) == 1
    return df.iloc[0]


@pytest.fixture
def loaded(nightly):
    """After one successful nightly run (a fresh copy of the worker's first, tests/conftest.py)."""
    return nightly


def test_one_row_per_target_with_all_statuses(loaded):
    assert _query(
        loaded, "select count(*), count(distinct target_code) from mart.target_attainment"
    ) == [(50, 50)]
    counts = dict(_query(loaded, "select status, count(*) from mart.target_attainment group by 1"))
    assert counts == {"achieved": 15, "on_track": 21, "at_risk": 7, "not_achieved": 5, "no_data": 2}


def test_summary_sentence(loaded):
    rows = _query(
        loaded,
        "select targets, achieved, on_track, meeting, summary_vi, summary_en from mart.attainment_summary where group_no is null",
    )
    assert rows == [
        (
            50,
            15,
            21,
            36,
            "Ước đạt và vượt 36/48 chỉ tiêu có số liệu (kế hoạch 50 chỉ tiêu);"
            " theo chỉ tiêu thành phần của tỉnh: 30/42",
            "Estimated to meet or exceed 36 of the 48 targets with data (50 in the plan);"
            " as the province counts component targets: 30 of 42",
        )
    ]
    group8 = _query(
        loaded,
        "select targets, achieved, on_track, at_risk, no_data from mart.attainment_summary where group_no = 8",
    )
    assert group8 == [(5, 1, 2, 1, 1)]


def test_mart_numbers_match_hand_computation(loaded):
    jobs = _row(loaded, "jobs_created")
    # 6.100 after 9 months, no estimate and no 2023-9M figure: straight-line 6.100 / 0,75 =
    # 8.133,33 -> 8.133 workers (whole units); 8.133 / 8.920 = 91,177 % rounded down (a miss)
    assert (
        jobs.actual_value,
        jobs.projected_value,
        jobs.projection_method,
        jobs.attainment_pct,
        jobs.status,
    ) == (6100, 8133, "straight_line", 91.17, "at_risk")
    # the labour department's free-form file outranks the manual sample
    assert jobs.actual_source == "department"
    assert jobs.actual_source_ref == "bao-cao-9-thang-2024.xlsx (Biểu 9 tháng!F8)"
    poverty = _row(loaded, "poverty_rate_reduction")
    # 26,42 % in 2023 -> 22,45 % estimated: 3,97 points; (100 + 3,97) / (100 + 3,8) = 100,16 %
    assert (
        poverty.baseline_value,
        poverty.estimate_level,
        poverty.projected_value,
        poverty.attainment_pct,
    ) == (26.42, 22.45, 3.97, 100.16)
    grdp = _row(loaded, "grdp_growth")
    # group (1) comes from the statistics office: 2023 official -2,77; "Ước tính 2024" 9,0
    assert (grdp.baseline_value, grdp.projected_value, grdp.estimate_source, grdp.status_vi) == (
        -2.77,
        9.0,
        "statistics",
        "Ước đạt",
    )
    assert grdp.estimate_source_ref.startswith(
        "https://pxweb.nso.gov.vn/api/v1/vi/T%C3%A0i%20kho%E1%BA%A3n%20qu%E1%BB%91c%20gia/V03.07.px (V03.07.px: Lai Châu × Ước tính 2024)"
    )
    # World Bank comparator beside it: Viet Nam 2024 GDP growth 7,09
    assert (grdp.national_indicator, grdp.national_year, grdp.national_value) == (
        "NY.GDP.MKTP.KD.ZG",
        2024,
        7.09,
    )
    underweight = _row(loaded, "underweight_under5")
    assert (underweight.actual_value, underweight.status) == (15.9, "not_achieved")
    poor = _row(loaded, "poverty_rate_reduction_poor_districts")
    assert (poor.area_code, poor.status, poor.no_data_reason) == (
        "POOR",
        "no_data",
        "missing baseline: the previous year's value is needed",
    )
    assert str(_row(loaded, "tea_area").as_of)[:10] == AS_OF


def test_running_the_same_night_twice_gives_identical_marts(loaded):
    before = _query(loaded, "select * from mart.target_attainment order by target_code")
    summary_before = _query(
        loaded, "select * from mart.attainment_summary order by group_no nulls first"
    )
    assert run_nightly(loaded).success
    assert _query(loaded, "select * from mart.target_attainment order by target_code") == before
    assert (
        _query(loaded, "select * from mart.attainment_summary order by group_no nulls first")
        == summary_before
    )
    assert _query(loaded, "select count(*) from raw.manual_observations") == [(120,)]


def test_failed_run_leaves_previous_marts(loaded, inputs_dir):
    before = _query(loaded, "select * from mart.target_attainment order by target_code")
    plan = inputs_dir / "plans" / "lai-chau-2024.yaml"
    plan.write_text(
        plan.read_text(encoding="utf-8").replace("department: ctk", "department: nowhere", 1),
        encoding="utf-8",
    )
    result = run_nightly(loaded, raise_on_error=False)
    assert not result.success
    failure = next(e for e in result.all_events if e.is_step_failure)
    assert (
        "entry 1 (grdp_growth): unknown department 'nowhere'"
        in failure.event_specific_data.error.cause.message
    )
    assert _query(loaded, "select * from mart.target_attainment order by target_code") == before


def test_rejected_manual_file_keeps_its_previous_rows_and_others_load(loaded, inputs_dir):
    sample = inputs_dir / "observations" / "lai-chau-2024.sample.csv"
    sample.write_text(
        sample.read_text(encoding="utf-8").replace(
            "lai-chau-2024,jobs_created,12,2024-9M,6100",
            "lai-chau-2024,jobs_created,12,2024-9M,6.100,5",
        ),
        encoding="utf-8",
    )
    extra = inputs_dir / "observations" / "letter-2025-01.csv"
    extra.write_text(
        "plan_id,target_code,area_code,period_code,value,data_status,note\nlai-chau-2024,ethnic_minority_tv_radio,12,2024-EST,95.6,estimated,letter\n",
        encoding="utf-8",
    )
    assert run_nightly(loaded).success
    log = _query(
        loaded,
        "select file_path, status, errors from raw.source_loads where source_kind = 'manual' and run_id = (select run_id from raw.source_loads order by loaded_at desc limit 1) order by file_path",
    )
    assert [(Path(p).name, s) for p, s, _ in log] == [
        ("lai-chau-2024.sample.csv", "rejected"),
        ("letter-2025-01.csv", "accepted"),
    ]
    assert "lai-chau-2024.sample.csv: line 102" in log[0][2]
    # the sample's previous rows are still there; the new letter loaded
    assert _query(loaded, "select count(*) from raw.manual_observations") == [(121,)]
    assert _row(loaded, "jobs_created").actual_value == 6100
    assert _row(loaded, "ethnic_minority_tv_radio").status == "on_track"


def test_warehouse_layers_and_provenance(loaded):
    schemas = {
        r[0] for r in _query(loaded, "select distinct schema_name from information_schema.schemata")
    }
    assert {"raw", "staging", "core", "mart"} <= schemas
    # 120 manual lines; 11 statistics cells (2 GRDP growth + 7 structure, one being '..' + 2 per capita)
    by_source = _query(
        loaded,
        "select source_kind, count(*), count(distinct observation_id), bool_and(run_id is not null) from core.fact_observation group by 1 order by 1",
    )
    # department: 78 figures of current accepted files, less 14 the 9-month snn file repeats (9 previous-year, 5 estimates)
    assert by_source == [
        ("department", 64, 64, True),
        ("manual", 120, 120, True),
        ("statistics", 11, 11, True),
    ]
    manual = _query(
        loaded,
        "select source_kind, source_locator from core.fact_observation where target_code = 'jobs_created' and period_code = '2024-9M' order by 1",
    )
    assert manual == [("department", "Biểu 9 tháng!F8"), ("manual", "line 102")]
