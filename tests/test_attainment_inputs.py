"""Source precedence, same-period baselines and the council sentence, on a real DuckDB file.

Observations go straight into core.fact_observation (with their source, status and load time);
core.attainment_inputs, the formulas and mart.attainment_summary then run as in the pipeline.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from chitieu import warehouse as wh
from chitieu.bi_columns import add_bi_columns
from chitieu.catalogue import CatalogueError, load_plan
from chitieu.labels import add_label_columns, load_labels
from chitieu.marts import compute_attainment
from chitieu.periods import parse_period
from chitieu.plan_header import header_frames, load_plan_header
from chitieu.reference import load_precedence, load_reference
from chitieu.resources import DEFAULT_PLANS_DIR, DEFAULT_REFERENCE_DIR

PLAN = "lai-chau-2024"
PRIORITY = {"statistics": 1, "department": 2, "manual": 3}
STATISTICS_DAY = datetime(2024, 12, 2, 8, 0, tzinfo=UTC)
DEPARTMENT_DAY = datetime(2024, 12, 10, 9, 30, tzinfo=UTC)


def _obs(target, period, value, status, source, at, area="12"):
    p = parse_period(period)
    return {
        "observation_id": f"{source}|{target}|{period}",
        "plan_id": PLAN,
        "target_code": target,
        "area_code": area,
        "period_code": p.code,
        "period_type": p.period_type,
        "period_year": p.year,
        "period_end": p.end_date,
        "elapsed_fraction": p.elapsed_fraction,
        "value": float(value),
        "data_status": status,
        "quality_flags": None,
        "source_kind": source,
        "source_priority": PRIORITY[source],
        "source_file": f"{source}-file",
        "source_locator": f"{target} {period}",
        "loaded_at": at,
        "run_id": "test",
    }


def _attainment(tmp_path: Path, observations: list[dict], reference_dir=DEFAULT_REFERENCE_DIR):
    """Build the attainment inputs, mart and summary in a tmp DuckDB; return (mart, summary)."""
    ref = load_reference(reference_dir)
    plan = load_plan(Path(DEFAULT_PLANS_DIR) / f"{PLAN}.yaml", ref)
    figures, sources = load_precedence(reference_dir)
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        wh.ensure_schemas(con)
        wh.write_table(con, "core.dim_target", plan.targets_frame())
        wh.write_table(con, "core.dim_figure_precedence", figures)
        wh.write_table(con, "core.dim_source_kind", sources)
        wh.write_table(con, "core.dim_label", load_labels(reference_dir)[0])
        con.execute(
            "create table core.fact_national_indicator"
            " (target_code varchar, indicator_code varchar, year integer, value double)"
        )
        frame = pd.DataFrame(observations)
        con.register("obs", frame)
        con.execute("create table core.fact_observation as select * from obs")
        wh.build(con, "core.attainment_inputs")
        targets = con.execute(
            "select *, target_code = 'jobs_created' as whole_units from core.dim_target"
        ).df()
        inputs = con.execute("select * from core.attainment_inputs").df()
        mart = compute_attainment(targets, inputs, date(2024, 12, 15))
        plans, groups = header_frames([load_plan_header(Path(DEFAULT_PLANS_DIR) / f"{PLAN}.yaml")])
        mart = add_label_columns(
            add_bi_columns(mart, ref.departments, ref.areas, ref.units, groups),
            *load_labels(reference_dir),
            "mart.target_attainment",
        )
        wh.write_table(con, "core.dim_plan", plans)
        wh.write_table(con, "mart.target_attainment", mart)
        wh.build(con, "mart.attainment_summary")
        summary = con.execute("select * from mart.attainment_summary where group_no is null").df()
    return mart.set_index("target_code"), summary.iloc[0]


PUBLIC_2024 = [
    # the statistics office's preliminary ("Sơ bộ") 2024 figures - SAMPLE values
    _obs("grdp_growth", "2024", 8.5, "preliminary", "statistics", STATISTICS_DAY),
    _obs("grdp_per_capita", "2024", 54.7, "preliminary", "statistics", STATISTICS_DAY),
    # the province's own year estimates, public (docs/sample-data.md), reported later by departments
    _obs("grdp_growth", "2024-EST", 9.0, "reported", "department", DEPARTMENT_DAY),
    _obs("grdp_per_capita", "2024-EST", 55.89, "reported", "department", DEPARTMENT_DAY),
    _obs("budget_revenue", "2024-9M", 1720, "reported", "department", DEPARTMENT_DAY),
    _obs("budget_revenue", "2024-EST", 2365, "reported", "department", DEPARTMENT_DAY),
]


def test_the_provinces_public_2024_figures_give_its_reported_statuses(tmp_path):
    """GRDP +9,0 %, per capita 55,89 triệu đồng, revenue 2.365 tỷ đồng: the province reported
    all three met ("ước đạt" on its year estimates); the earlier preliminary statistics lose."""
    mart, summary = _attainment(tmp_path, PUBLIC_2024)
    per_capita = mart.loc["grdp_per_capita"]
    # 55,89 / 51,5 = 1,085243 -> 108,52 %, shown as 108,5 %
    assert per_capita.attainment_pct == 108.52
    assert round(per_capita.attainment_pct, 1) == 108.5
    assert (per_capita.projected_value, per_capita.estimate_source) == (55.89, "department")
    assert mart.loc["grdp_growth", "projected_value"] == 9.0
    # 2.365 / 2.236 = 1,057692 -> 105,77 %
    assert mart.loc["budget_revenue", "attainment_pct"] == 105.77
    for code in ("grdp_growth", "grdp_per_capita", "budget_revenue"):
        row = mart.loc[code]
        assert (row.status, row.status_vi, row.data_status, bool(row.provisional)) == (
            "on_track",
            "Ước đạt",
            "reported",
            False,
        ), code
    # three targets with data, all estimates: "Ước đạt và vượt 3/3"
    assert (summary.targets_with_data, summary.meeting, bool(summary.all_final)) == (3, 3, False)
    assert summary.summary_vi.startswith("Ước đạt và vượt 3/3 chỉ tiêu có số liệu (kế hoạch 50")


def test_a_later_preliminary_statistic_wins_and_its_verdict_is_provisional(tmp_path):
    later = datetime(2025, 3, 1, tzinfo=UTC)
    obs = [
        _obs("grdp_per_capita", "2024-EST", 55.89, "reported", "department", DEPARTMENT_DAY),
        _obs("grdp_per_capita", "2024", 54.7, "preliminary", "statistics", later),
        _obs("grdp_growth", "2024-EST", 9.0, "reported", "department", DEPARTMENT_DAY),
        _obs("grdp_growth", "2024", 8.5, "preliminary", "statistics", later),
    ]
    mart, summary = _attainment(tmp_path, obs)
    pc = mart.loc["grdp_per_capita"]
    # 54,7 / 51,5 = 1,062136 -> 106,21 %
    assert (pc.actual_value, pc.attainment_pct, pc.status, pc.data_status) == (
        54.7,
        106.21,
        "achieved",
        "preliminary",
    )
    assert (bool(pc.provisional), pc.verdict_vi) == (True, "Đạt và vượt (số liệu sơ bộ)")
    growth = mart.loc["grdp_growth"]
    assert (growth.status, growth.verdict_vi) == ("not_achieved", "Không đạt (số liệu sơ bộ)")
    # provisional verdicts are not final: still "Ước đạt và vượt"
    assert (summary.provisional, bool(summary.all_final)) == (2, False)
    assert summary.summary_vi.startswith("Ước đạt và vượt 1/2 ")


def test_a_final_figure_beats_a_later_estimate_and_final_verdicts_say_dat_va_vuot(tmp_path):
    obs = [
        _obs("grdp_per_capita", "2024", 52.1, "official", "statistics", STATISTICS_DAY),
        _obs("grdp_per_capita", "2024-EST", 55.89, "reported", "department", DEPARTMENT_DAY),
        _obs("forest_cover", "2024", 52.9, "reported", "department", DEPARTMENT_DAY),
    ]
    mart, summary = _attainment(tmp_path, obs)
    assert mart.loc["grdp_per_capita", "actual_value"] == 52.1
    assert mart.loc["grdp_per_capita", "status"] == "achieved"
    assert bool(summary.all_final)
    assert summary.summary_vi == (
        "Đạt và vượt 2/2 chỉ tiêu có số liệu (kế hoạch 50 chỉ tiêu);"
        " theo chỉ tiêu thành phần của tỉnh: 2/2"
    )
    assert summary.summary_en.startswith("Met or exceeded 2 of the 2 targets with data")


def test_for_one_period_the_source_priority_decides_before_the_vintage(tmp_path):
    obs = [
        _obs("jobs_created", "2024-9M", 6100, "reported", "department", STATISTICS_DAY),
        _obs("jobs_created", "2024-9M", 6000, "reported", "manual", DEPARTMENT_DAY),
        # a later revision by the same source wins
        _obs("budget_revenue", "2024-EST", 2300, "reported", "department", STATISTICS_DAY),
    ]
    later = _obs("budget_revenue", "2024-EST", 2365, "reported", "department", DEPARTMENT_DAY)
    later["source_file"] = "revised"
    mart, _ = _attainment(tmp_path, [*obs, later])
    assert (
        mart.loc["jobs_created", "actual_value"],
        mart.loc["jobs_created", "actual_source"],
    ) == (
        6100,
        "department",
    )
    assert mart.loc["budget_revenue", "estimate_level"] == 2365


def test_on_the_same_day_the_source_priority_decides(tmp_path):
    obs = [
        _obs("grdp_per_capita", "2024-EST", 54.7, "estimated", "statistics", STATISTICS_DAY),
        _obs("grdp_per_capita", "2024-EST", 55.89, "estimated", "manual", STATISTICS_DAY),
    ]
    mart, _ = _attainment(tmp_path, obs)
    assert mart.loc["grdp_per_capita", "projected_value"] == 54.7


def test_the_precedence_table_is_the_rule(tmp_path):
    """Editing the YAML changes the outcome: rank preliminary above estimates and it wins."""
    ref_dir = tmp_path / "reference"
    ref_dir.mkdir()
    for f in Path(DEFAULT_REFERENCE_DIR).glob("*.yaml"):
        text = f.read_text(encoding="utf-8")
        if f.name == "source_precedence.yaml":
            text = text.replace(
                "{period_kind: year, data_status: preliminary, rank: 2, final: false}",
                "{period_kind: year, data_status: preliminary, rank: 1, final: false}",
            )
        (ref_dir / f.name).write_text(text, encoding="utf-8")
    mart, _ = _attainment(tmp_path, PUBLIC_2024, reference_dir=ref_dir)
    assert mart.loc["grdp_per_capita", "actual_value"] == 54.7
    assert mart.loc["grdp_per_capita", "status"] == "achieved"


def test_a_bad_precedence_table_is_refused_with_the_file_named(tmp_path):
    ref_dir = tmp_path / "reference"
    ref_dir.mkdir()
    (ref_dir / "source_precedence.yaml").write_text(
        "figures:\n  - {period_kind: yearly, data_status: official, rank: 1, final: true}\n"
        "sources:\n  - {source_kind: statistics, priority: 1}\n",
        encoding="utf-8",
    )
    with pytest.raises(
        ValueError, match=r"source_precedence.yaml: unknown period_kind \['yearly'\]"
    ):
        load_precedence(ref_dir)


def test_in_year_growth_uses_last_years_same_period_from_the_warehouse(tmp_path):
    day = STATISTICS_DAY
    obs = [
        _obs("tourist_arrivals_growth", "2023", 1520, "official", "statistics", day),
        _obs("tourist_arrivals_growth", "2023-9M", 1050, "official", "statistics", day),
        _obs("tourist_arrivals_growth", "2024-9M", 1190, "reported", "department", day),
        # a 6-month figure of 2023 must not be taken for the 9-month one
        _obs("tourist_arrivals_growth", "2023-6M", 700, "official", "statistics", day),
        _obs("jobs_created", "2023", 8870, "official", "department", day),
        _obs("jobs_created", "2023-9M", 6400, "official", "department", day),
        _obs("jobs_created", "2024-9M", 6100, "reported", "department", day),
    ]
    mart, _ = _attainment(tmp_path, obs)
    t = mart.loc["tourist_arrivals_growth"]
    # (1.190 - 1.050) / 1.050 = +13,333333 %
    assert (t.same_period_value, t.same_period_period, t.baseline_used) == (
        1050,
        "2023-9M",
        "same_period",
    )
    assert t.actual_value == pytest.approx(13.333333, abs=1e-6)
    jobs = mart.loc["jobs_created"]
    # seasonal: 6.100 x 8.870 / 6.400 = 8.454,22 -> 8.454 workers; < 8.920
    assert (jobs.projection_method, jobs.projected_value, jobs.status) == (
        "seasonal",
        8454,
        "at_risk",
    )


def test_a_cumulative_flow_over_plan_is_achieved_despite_a_lower_estimate(tmp_path):
    obs = [
        _obs("budget_revenue", "2024-9M", 2300, "reported", "department", DEPARTMENT_DAY),
        _obs("budget_revenue", "2024-EST", 2200, "reported", "department", DEPARTMENT_DAY),
    ]
    mart, _ = _attainment(tmp_path, obs)
    row = mart.loc["budget_revenue"]
    assert (row.status, row.projection_basis, row.comparison_vi) == (
        "achieved",
        "year_to_date",
        "2.300 > 2.236; cần ≥ 2.236",
    )


def test_components_count_once_as_the_province_counts_them(tmp_path):
    day = STATISTICS_DAY
    obs = [
        # economic structure: four rows, one component; one share misses -> the component misses
        _obs("econ_share_agriculture", "2024", 15.0, "official", "statistics", day),
        _obs("econ_share_industry", "2024", 39.0, "official", "statistics", day),
        _obs("econ_share_services", "2024", 41.0, "official", "statistics", day),
        _obs("econ_share_product_taxes", "2024", 5.0, "official", "statistics", day),
        # child malnutrition: both met
        _obs("underweight_under5", "2024", 15.5, "official", "department", day),
        _obs("stunting_under5", "2024", 21.0, "official", "department", day),
        # a target counted alone
        _obs("forest_cover", "2024", 52.9, "official", "department", day),
    ]
    _, summary = _attainment(tmp_path, obs)
    # rows: 7 with data, 5 met (services 41 vs 38,64 ± 1 misses; taxes 5 vs 6,46 ± 1 misses)
    assert (summary.targets_with_data, summary.meeting) == (7, 5)
    # components: structure (missed), malnutrition (met), forest (met) -> 2/3; 43 in the plan
    assert (summary.components, summary.components_with_data, summary.components_meeting) == (
        43,
        3,
        2,
    )
    assert summary.summary_vi.endswith("theo chỉ tiêu thành phần của tỉnh: 2/3")
    assert "Tỷ lệ che phủ rừng" not in summary.no_data_targets
    assert "Thu ngân sách trên địa bàn" in summary.no_data_targets


def test_the_council_report_shows_provisional_verdicts_distinctly(tmp_path):
    from openpyxl import load_workbook

    from chitieu.reports import write_html, write_xlsx

    later = datetime(2025, 3, 1, tzinfo=UTC)
    obs = [
        _obs("grdp_per_capita", "2024", 54.7, "preliminary", "statistics", later),
        _obs("forest_cover", "2024", 52.9, "official", "department", later),
    ]
    _attainment(tmp_path, obs)
    ref = load_reference(DEFAULT_REFERENCE_DIR)
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        wh.write_table(con, "core.dim_department", ref.departments)
        wh.write_table(con, "core.dim_unit", ref.units)
        areas = ref.areas.assign(member_codes=ref.areas["members"].map(",".join))
        wh.write_table(con, "core.dim_area", areas)
        _, groups = header_frames([load_plan_header(Path(DEFAULT_PLANS_DIR) / f"{PLAN}.yaml")])
        wh.write_table(con, "core.dim_plan_group", groups)
        con.execute(
            "create table mart.submission_status (plan_id varchar, department_name_vi varchar,"
            " period_code varchar, due_date date, status_vi varchar, status varchar,"
            " accepted_file varchar)"
        )
        xlsx = write_xlsx(con, tmp_path / "r.xlsx", PLAN)
        page = write_html(con, tmp_path / "r.html", PLAN).read_text(encoding="utf-8")
    ws = load_workbook(xlsx).worksheets[0]
    verdicts = {}
    for row in ws.iter_rows():
        names = [c.value for c in row if isinstance(c.value, str)]
        for name in ("GRDP bình quân đầu người", "Tỷ lệ che phủ rừng"):
            if name in names:
                verdicts[name] = [c for c in row if str(c.value or "").startswith("Đạt và vượt")]
    (per_capita,) = verdicts["GRDP bình quân đầu người"]
    (forest,) = verdicts["Tỷ lệ che phủ rừng"]
    assert per_capita.value == "Đạt và vượt (số liệu sơ bộ)"
    assert forest.value == "Đạt và vượt"
    assert page.count('class="badge provisional"') == 1
    assert "Đạt và vượt (số liệu sơ bộ)</span>" in page


def test_the_catalogue_groups_rows_into_the_provinces_component_targets(tmp_path):
    ref = load_reference(DEFAULT_REFERENCE_DIR)
    plan = load_plan(Path(DEFAULT_PLANS_DIR) / f"{PLAN}.yaml", ref)
    frame = plan.targets_frame()
    components = frame["counted_as"].fillna(frame["target_code"])
    assert (len(frame), components.nunique()) == (50, 43)
    assert sorted(frame.loc[frame["counted_as"] == "economic_structure", "target_code"]) == [
        "econ_share_agriculture",
        "econ_share_industry",
        "econ_share_product_taxes",
        "econ_share_services",
    ]
    bad = tmp_path / "plan.yaml"
    text = (Path(DEFAULT_PLANS_DIR) / f"{PLAN}.yaml").read_text(encoding="utf-8")
    bad.write_text(text.replace("counted_as: tea", "counted_as: [tea]", 1), encoding="utf-8")
    with pytest.raises(CatalogueError, match=r"entry 9 \(tea_area\): counted_as must be"):
        load_plan(bad, ref)
