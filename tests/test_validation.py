"""Validation with GX: one bad file per rule is quarantined with rule, cell and message; good files load."""

from pathlib import Path

import dagster as dg
import duckdb
import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook

from chitieu.catalogue import load_plan
from chitieu.reference import load_reference
from chitieu.resources import DEFAULT_PLANS_DIR, DEFAULT_REFERENCE_DIR, InputsResource
from chitieu.submissions.template import INPUT_COLUMNS, write_template
from chitieu.validation.bridge import validate
from chitieu.validation.frames import _modified_z, submission_frame
from tests.conftest import run_nightly
from tests.sheets import write_bieu

REF = load_reference(DEFAULT_REFERENCE_DIR)
PLAN = load_plan(Path(DEFAULT_PLANS_DIR) / "lai-chau-2024.yaml", REF)
GOOD = [["1", "Giải quyết việc làm", "lao động", "8.870", "6.100", "8.900"]]


@pytest.fixture
def inbox(tmp_path, resources):
    root = tmp_path / "inbox"
    for dept in ("sldtbxh", "snn", "ctk"):
        (root / dept).mkdir(parents=True)
    resources["inputs"] = InputsResource(
        # the files below are received now (the scan's time): evaluate as of today
        **(
            resources["inputs"].model_dump()
            | {"inbox_dir": str(root), "outbox_dir": str(root), "as_of": "", "received_at": ""}
        )
    )
    write_bieu(root / "sldtbxh" / "good.xlsx", GOOD)
    return root


def _q(resources, sql, params=None):
    with duckdb.connect(resources["warehouse"].path, read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def _template(root: Path, dept: str, period: str, name: str, fill: dict) -> Path:
    path = write_template(PLAN, REF, dept, period, root / dept / name)
    wb = load_workbook(path)
    ws = wb["Biểu"]
    for row in range(1, ws.max_row + 1):
        for (code, kind), value in fill.items():
            if ws.cell(row, 2).value == code:
                ws.cell(row, INPUT_COLUMNS[kind]).value = value
    wb.save(path)
    return path


def _assert_quarantined(resources, name: str, rule: str, cell: str, message_vi: str):
    assert _q(resources, "select status from raw.submissions where file_name = ?", [name]) == [
        ("rejected",)
    ]
    problems = _q(
        resources,
        "select rule, cell, severity, message_vi from raw.submission_problems p join raw.submissions s using (submission_id) where s.file_name = ? and severity = 'error'",
        [name],
    )
    assert (rule, cell, "error", message_vi) in problems, problems
    assert _q(
        resources, "select count(*) from core.fact_observation where source_file = ?", [name]
    ) == [(0,)]
    assert _q(
        resources,
        "select count(*) from mart.target_attainment where actual_source_ref like ? or estimate_source_ref like ?",
        [f"{name}%", f"{name}%"],
    ) == [(0,)]
    # the good file of the same run still loads
    assert _q(
        resources,
        "select actual_source_ref from mart.target_attainment where target_code = 'jobs_created'",
    ) == [("good.xlsx (Biểu!E4)",)]
    feedback = (
        Path(resources["inputs"].outbox_dir)
        / _q(resources, "select department_code from raw.submissions where file_name = ?", [name])[
            0
        ][0]
        / "outbox"
        / f"{name}.phan-hoi.txt"
    )
    text = feedback.read_text(encoding="utf-8")
    assert f"[{rule}] — ô / cell {cell}" in text and message_vi in text and "How to fix:" in text


def test_percent_out_of_range(inbox, resources):
    _template(inbox, "snn", "2024-9M", "forest.xlsx", {("forest_cover", "actual"): 152.9})
    assert run_nightly(resources).success
    _assert_quarantined(
        resources,
        "forest.xlsx",
        "percent_range",
        "Biểu!H16",
        "Tỷ lệ phần trăm nằm ngoài khoảng 0-100",
    )


def test_negative_area(inbox, resources):
    _template(inbox, "snn", "2024-9M", "tea.xlsx", {("tea_new_planting", "actual"): -12})
    assert run_nightly(resources).success
    _assert_quarantined(
        resources, "tea.xlsx", "negative_value", "Biểu!H12", "Số liệu không được âm"
    )


def test_cumulative_value_falling_within_the_year(inbox, resources):
    _template(inbox, "snn", "2024-6M", "cereal-6m.xlsx", {("cereal_output", "actual"): 98.2})
    assert run_nightly(resources).success
    _template(
        inbox,
        "snn",
        "2024-9M",
        "cereal-9m.xlsx",
        {("cereal_output", "actual"): 90.0, ("cereal_output", "estimate"): 228},
    )
    assert run_nightly(resources).success
    _assert_quarantined(
        resources,
        "cereal-9m.xlsx",
        "cumulative_decrease",
        "Biểu!H10",
        "Số lũy kế giảm so với kỳ trước trong năm",
    )
    assert _q(
        resources, "select found from raw.submission_problems where rule = 'cumulative_decrease'"
    ) == [("90",)]


def test_period_differs_from_the_templates(inbox, resources):
    path = _template(inbox, "snn", "2024-9M", "copied.xlsx", {("tea_area", "actual"): 10150})
    wb = load_workbook(path)
    wb["Biểu"]["A3"] = "Kỳ báo cáo: 6 tháng năm 2024"
    wb.save(path)
    assert run_nightly(resources).success
    _assert_quarantined(
        resources,
        "copied.xlsx",
        "period_metadata_mismatch",
        "Biểu!H11",
        "Kỳ báo cáo khác với kỳ ghi trong mẫu",
    )


def test_shares_not_summing_to_100(inbox, resources):
    shares = {
        ("econ_share_agriculture", "estimate"): 15.0,
        ("econ_share_industry", "estimate"): 40.0,
        ("econ_share_services", "estimate"): 40.0,
        ("econ_share_product_taxes", "estimate"): 6.5,
    }
    _template(inbox, "ctk", "2024-9M", "shares.xlsx", shares)
    assert run_nightly(resources).success
    _assert_quarantined(
        resources, "shares.xlsx", "shares_sum", "Biểu!I10", "Tổng cơ cấu kinh tế khác 100%"
    )


def test_warned_submission_loads_with_its_flag(inbox, resources):
    assert run_nightly(resources).success
    assert _q(
        resources, "select status, warning_count from raw.submissions where file_name = 'good.xlsx'"
    ) == [("accepted", 0)]
    write_bieu(
        inbox / "sldtbxh" / "no-estimate.xlsx",
        [["1", "Đào tạo nghề", "lao động", "8.050", "6.800", ""]],
    )
    assert run_nightly(resources).success
    assert _q(
        resources,
        "select status, warning_count from raw.submissions where file_name = 'no-estimate.xlsx'",
    ) == [("accepted", 1)]
    assert _q(
        resources,
        "select actual_value, quality_flags from mart.target_attainment where target_code = 'vocational_training'",
    ) == [(8120.0, None)]
    assert _q(
        resources,
        "select value, quality_flags from core.fact_observation where source_file = 'no-estimate.xlsx' and period_code = '2024-9M'",
    ) == [(6800.0, "estimate_missing")]


def test_results_are_stored_as_data(inbox, resources):
    _template(inbox, "snn", "2024-9M", "forest.xlsx", {("forest_cover", "actual"): 152.9})
    assert run_nightly(resources).success
    runs = _q(
        resources,
        "select suite, context, success, errors from raw.validation_runs where context = 'ingest'",
    )
    assert runs == [("department_submission", "ingest", False, 1)]
    assert ("percent_range", False, 1) in _q(
        resources,
        "select rule, success, unexpected_count from raw.validation_results where context = 'ingest'",
    )
    assert _q(
        resources,
        "select rule, file, cell, found from raw.validation_failures where severity = 'error'",
    ) == [("percent_range", "forest.xlsx", "Biểu!H16", "152.9")]


def test_blocking_check_stops_downstream_on_loaded_bad_data(resources, inputs_dir):
    (inputs_dir / "observations" / "letter.csv").write_text(
        "plan_id,target_code,area_code,period_code,value,data_status,note\nlai-chau-2024,forest_cover,12,2024-EST,152.9,estimated,typo\n",
        encoding="utf-8",
    )
    result = run_nightly(resources, raise_on_error=False)
    evaluations = {e.asset_check_key.name: e for e in result.get_asset_check_evaluations()}
    manual = evaluations["manual_observations_suite"]
    assert not manual.passed and manual.severity == dg.AssetCheckSeverity.ERROR
    assert manual.metadata["unexpected_errors"].value == 1
    assert (
        "percent_range" in manual.metadata["first_failing_cells"].value
        and "line 2" in manual.metadata["first_failing_cells"].value
    )
    materialized = {e.asset_key.to_user_string() for e in result.get_asset_materialization_events()}
    assert "raw/manual_observations" in materialized
    assert (
        "core/fact_observation" not in materialized and "mart/target_attainment" not in materialized
    )
    assert evaluations["catalogue_suite"].passed and evaluations["national_statistics_suite"].passed


def test_modified_z_score_by_hand():
    # median 12, MAD = median(|-2, -1, 0, 1, 2|) = 1 -> 0.6745 * (30 - 12) / 1 = 12.141
    assert _modified_z(30.0, np.array([10.0, 11, 12, 13, 14])) == 12.141
    assert _modified_z(30.0, np.array([10.0, 11, 12])) is None


def test_outlier_and_jump_are_warnings(tmp_path):
    from chitieu.submissions.parser import parse_submission

    path = write_bieu(
        tmp_path / "ld.xlsx",
        [["1", "Giải quyết việc làm", "lao động", "8.870", "25.000", "30.000"]],
    )
    sub = parse_submission(path, PLAN, REF, "sldtbxh")
    history = pd.DataFrame(
        {
            "target_code": "jobs_created",
            "area_code": "12",
            "period_code": ["2020", "2021", "2022", "2023"],
            "value_kind": "actual",
            "value": [8500.0, 8600, 8700, 8870],
            "submission_id": "old",
        }
    )
    frame = submission_frame([sub], [PLAN], REF, history)
    out = validate("department_submission", frame)
    found = {(f.rule, f.severity, frame.loc[f.row_id, "cell"]) for f in out.failures}
    assert ("outlier", "warning", "Biểu!E4") in found
    # 25.000 after 9 months vs 8.870 * 0,75 = 6.652,5: ratio 3,76 > 2,5
    assert ("jump", "warning", "Biểu!E4") in found
    assert out.success


@pytest.mark.parametrize(
    ("column", "value", "rule"),
    [
        ("known_target", False, "unknown_target"),
        ("target_department", "stc", "not_own_target"),
        ("unit_code", "triệu đồng", "unit_mismatch"),
        ("value", None, "value_missing"),
    ],
)
def test_rules_the_parser_also_enforces_still_fail_in_the_suite(tmp_path, column, value, rule):
    from chitieu.submissions.parser import parse_submission

    sub = parse_submission(write_bieu(tmp_path / "ld.xlsx", GOOD), PLAN, REF, "sldtbxh")
    frame = submission_frame([sub], [PLAN], REF)
    frame.loc[0, column] = value
    out = validate("department_submission", frame)
    assert (rule, 0) in {(f.rule, f.row_id) for f in out.failures}
    assert not out.success


def test_check_command_reports_validation_warnings(tmp_path, capsys):
    from chitieu.cli import main

    path = write_bieu(
        tmp_path / "sldtbxh" / "no-estimate.xlsx",
        [["1", "Đào tạo nghề", "lao động", "8.050", "6.800", ""]],
    )
    assert main(["check", str(path)]) == 0
    out = capsys.readouterr().out
    assert "1. CẢNH BÁO / WARNING [estimate_missing] — ô / cell Biểu!E4" in out
    assert (
        "Thiếu số ước thực hiện cả năm (bắt buộc từ quý III)" in out
        and "The year-end estimate is missing (required from Q3)" in out
    )


def test_data_docs_open_without_a_server(inbox, resources, tmp_path):
    from chitieu.resources import ValidationResource
    from chitieu.validation.bridge import data_docs_index

    gx_dir = tmp_path / "gx"
    resources["validation"] = ValidationResource(gx_dir=str(gx_dir))
    _template(inbox, "snn", "2024-9M", "forest.xlsx", {("forest_cover", "actual"): 152.9})
    assert run_nightly(resources).success
    index = Path(data_docs_index(str(gx_dir)))
    assert index.exists()
    pages = list((index.parent / "validations").rglob("*.html"))
    suites = {p.relative_to(index.parent / "validations").parts[0] for p in pages}
    assert suites == {
        "catalogue",
        "department_submission",
        "manual_observations",
        "national_statistics",
    }
    html = index.read_text(encoding="utf-8")
    assert "department_submission" in html and "http://localhost" not in html


def _sample_frame():
    from chitieu.resources import SAMPLE_INBOX_DIR
    from chitieu.submissions.parser import parse_submission

    files = sorted(p for p in Path(SAMPLE_INBOX_DIR).rglob("*") if p.is_file())
    subs = [parse_submission(p, PLAN, REF, p.parent.name) for p in files]
    return submission_frame([s for s in subs if s.accepted], [PLAN], REF)


def test_gx_speedups_give_the_same_results_as_gx_itself():
    from chitieu.validation import gx_speedups

    frame = _sample_frame()
    patched = validate("department_submission", frame)
    gx_speedups.uninstall()
    try:
        plain = validate("department_submission", frame)
    finally:
        assert gx_speedups.install()
    assert patched.results == plain.results
    assert patched.failures == plain.failures
    # the sample inbox's accepted files still carry warnings: the comparison is not of two empty lists
    assert {f.rule for f in plain.failures} >= {"estimate_missing"}


def test_scoped_values_are_null_where_a_rule_does_not_apply():
    from chitieu.validation.frames import scoped_values

    frame = scoped_values(
        pd.DataFrame(
            {
                "value": [105.0, 9.0, -3.0, None],
                "unit_expected": ["%", "%", "ha", "%"],
                "is_rate": [False, True, False, False],
                "non_negative": [False, False, True, True],
            }
        )
    )
    # a share of 105 % is checked against 0-100; a growth rate of 9 % is not; -3 ha must be >= 0
    assert frame["percent_value"].tolist() == [105.0, pd.NA, pd.NA, pd.NA]
    assert frame["non_negative_value"].tolist() == [pd.NA, pd.NA, -3.0, pd.NA]
