"""Several plans at once, a true as-of date and the status history, on a DuckDB file in tmp_path."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from chitieu.resources import DEFAULT_MANUAL_DIR, SAMPLE_INBOX_DIR, InputsResource
from tests.conftest import (
    AS_OF,
    SAMPLE_RECEIVED,
    copy_plans,
    make_resources,
    receive,
    run_nightly,
)
from tests.sheets import write_bieu

PLANS = ("lai-chau-2021-2025", "lai-chau-2024", "lai-chau-2025")
DATES = ("2023-01-01", "2024-10-10", AS_OF)


def _inputs(root: Path, all_plans: bool) -> Path:
    """Inputs with an empty inbox: ``receive`` delivers the files on their days."""
    copy_plans(root / "plans", None if all_plans else ("lai-chau-2024.yaml",))
    shutil.copytree(Path(DEFAULT_MANUAL_DIR).parent / "reference", root / "reference")
    (root / "observations").mkdir()
    for csv in Path(DEFAULT_MANUAL_DIR).glob("*.csv"):
        if all_plans or csv.name.startswith("lai-chau-2024"):
            shutil.copy2(csv, root / "observations")
    (root / "inbox").mkdir()
    return root


def _at(resources: dict, as_of: str) -> dict:
    inputs = resources["inputs"].model_dump() | {"as_of": as_of}
    return resources | {"inputs": InputsResource(**inputs)}


def _df(resources: dict, sql: str, params: list | None = None) -> pd.DataFrame:
    with duckdb.connect(resources["warehouse"].path, read_only=True) as con:
        return con.execute(sql, params or []).df()


def _plan_rows(resources: dict, table: str, plan: str = "lai-chau-2024") -> pd.DataFrame:
    order = {
        "mart.target_attainment": "target_code",
        "mart.attainment_summary": "group_no nulls first",
        "mart.indicator_series": "all",
        "mart.submission_status": "all",
    }[table]
    frame = _df(resources, f"select * from {table} where plan_id = ? order by {order}", [plan])
    # the two runs read the same files from different temporary folders
    return frame.replace(r"^/.*/inputs/", "<inputs>/", regex=True)


@pytest.fixture(scope="module")
def single(tmp_path_factory) -> dict:
    root = tmp_path_factory.mktemp("single")
    resources = make_resources(root, _inputs(root / "inputs", all_plans=False))
    receive(resources, SAMPLE_RECEIVED)
    assert run_nightly(resources).success
    return resources


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> dict:
    """One warehouse with every plan, run at three as-of dates and at the last one again.
    The inbox also holds a report for 2026, a year no plan covers."""
    root = tmp_path_factory.mktemp("multi")
    inputs = _inputs(root / "inputs", all_plans=True)
    arrivals = root / "arrivals"
    shutil.copytree(SAMPLE_INBOX_DIR, arrivals)
    jobs = [["1", "Thu ngân sách trên địa bàn", "tỷ đồng", "2.400", "1.800", "2.500"]]
    write_bieu(arrivals / "stc" / "stc-2026-9M.xlsx", jobs, "Báo cáo 9 tháng năm 2026")
    resources = make_resources(root, inputs)
    receive(resources, SAMPLE_RECEIVED | {"stc/stc-2026-9M.xlsx": "2024-10-01"}, arrivals)
    snapshots = {}
    for as_of in (*DATES, AS_OF):
        assert run_nightly(_at(resources, as_of)).success
        snapshots[as_of] = _df(
            resources,
            "select plan_id, target_code, status, actual_period, actual_value, estimate_level "
            "from mart.target_attainment order by plan_id, target_code",
        )
    return {"resources": resources, "snapshots": snapshots, "root": root}


def test_three_plans_side_by_side(runs):
    counts = _df(
        runs["resources"],
        "select plan_id, count(*) as n from mart.target_attainment group by 1 order by 1",
    )
    assert counts.values.tolist() == [
        ["lai-chau-2021-2025", 30],
        ["lai-chau-2024", 50],
        ["lai-chau-2025", 22],
    ]
    # departments report on the annual plans; the five-year plan owes no report of its own
    owed = _df(runs["resources"], "select distinct plan_id from mart.submission_status order by 1")
    assert owed["plan_id"].tolist() == ["lai-chau-2024", "lai-chau-2025"]


@pytest.mark.parametrize(
    "table",
    [
        "mart.target_attainment",
        "mart.attainment_summary",
        "mart.indicator_series",
        "mart.submission_status",
    ],
)
def test_two_more_plans_leave_the_2024_marts_as_with_one_plan(single, runs, table):
    alone = _plan_rows(single, table)
    together = _plan_rows(runs["resources"], table)
    assert len(alone) > 0
    pd.testing.assert_frame_equal(alone, together)


def test_2024_summary_unchanged_and_each_plan_has_its_sentence(runs):
    rows = _df(
        runs["resources"],
        "select plan_id, summary_vi from mart.attainment_summary where group_no is null order by 1",
    ).values.tolist()
    assert rows[1][0] == "lai-chau-2024"
    assert rows[1][1].startswith("Ước đạt và vượt 36/48 chỉ tiêu có số liệu (kế hoạch 50 chỉ tiêu)")
    assert rows[0][1].startswith("Giai đoạn 2021–2025: Ước đạt và vượt ")
    assert "(kế hoạch 30 chỉ tiêu)" in rows[0][1]
    assert "(kế hoạch 22 chỉ tiêu)" in rows[2][1]


def test_areas_carry_their_validity_in_the_warehouse(runs):
    with duckdb.connect(runs["resources"]["warehouse"].path, read_only=True) as con:
        rows = con.execute(
            "select area_code, cast(valid_to as varchar), successor from core.dim_area"
            " where area_code in ('12', '106') order by 1"
        ).fetchall()
    assert rows == [("106", "2025-06-30", "12"), ("12", None, None)]


def test_year_end_file_received_in_january_is_accepted_for_2024(runs):
    sub = _df(
        runs["resources"],
        "select plan_id, period_code, status, cast(received_at as date) as day from raw.submissions"
        " where file_name = 'Bieu-YT-nam-2024.xlsx'",
    )
    assert sub.values.tolist() == [
        ["lai-chau-2024", "2024", "accepted", pd.Timestamp("2025-01-10")]
    ]
    figures = _df(
        runs["resources"],
        "select count(*) as n from core.fact_observation where source_file = 'Bieu-YT-nam-2024.xlsx'"
        " and plan_id = 'lai-chau-2024' and period_code = '2024'",
    )
    assert figures["n"].iloc[0] > 0


def test_file_for_a_year_without_plan_is_rejected_not_a_crash(runs):
    sub = _df(
        runs["resources"],
        "select s.status, s.plan_id, s.period_code, p.rule, p.found, p.expected, p.message_vi"
        " from raw.submissions s join raw.submission_problems p using (submission_id)"
        " where s.file_name = 'stc-2026-9M.xlsx'",
    )
    assert sub.values.tolist() == [
        [
            "rejected",
            None,
            "2026-9M",
            "no_plan_for_period",
            "2026-9M",
            "a period of a loaded plan: lai-chau-2025 (2025), lai-chau-2024 (2024)",
            "Không có kế hoạch nào cho kỳ báo cáo của tệp",
        ]
    ]


def test_before_any_data_every_target_is_no_data(runs):
    first = runs["snapshots"]["2023-01-01"]
    annual = first[first["plan_id"] != "lai-chau-2021-2025"]
    assert set(annual["status"]) == {"no_data"}
    assert annual["actual_value"].isna().all() and annual["estimate_level"].isna().all()
    # the five-year plan knows 2021 and 2022 by then: GRDP +5,5 % and +7,0 %, an average so far of
    # (1,055 × 1,07)^(1/2) − 1 = 6,2474 %/year against 9 %: at risk; nothing else has a figure yet
    five = first[first["plan_id"] == "lai-chau-2021-2025"].set_index("target_code")
    grdp = five.loc["grdp_growth_avg"]
    assert (grdp.status, round(grdp.actual_value, 4)) == ("at_risk", 6.2474)
    # agriculture: (1,046 × 1,053)^(1/2) − 1 = 4,9494 % against "above 5 %"
    agri = five.loc["agri_value_added_growth_avg"]
    assert (agri.status, round(agri.actual_value, 4)) == ("at_risk", 4.9494)
    others = five.drop(index=["grdp_growth_avg", "agri_value_added_growth_avg"])
    assert set(others["status"]) == {"no_data"}


def _one(snapshot: pd.DataFrame, code: str, plan: str = "lai-chau-2024") -> pd.Series:
    rows = snapshot[(snapshot["plan_id"] == plan) & (snapshot["target_code"] == code)]
    assert len(rows) == 1
    return rows.iloc[0]


def test_as_of_excludes_later_receipts(runs):
    # snn's nine-month report: first version received 8 October (estimate 400 ha),
    # corrected version 14 October (392 ha)
    october = _one(runs["snapshots"]["2024-10-10"], "tea_new_planting")
    january = _one(runs["snapshots"][AS_OF], "tea_new_planting")
    assert (october.actual_period, october.estimate_level) == ("2024-9M", 400.0)
    assert (january.actual_period, january.estimate_level) == ("2024-9M", 392.0)


def test_as_of_excludes_later_periods(runs):
    # the 2024 final from the education department (received 8 January 2025) and the manual 2024
    # finals belong to a period ending 31 December: not known on 10 October
    october = runs["snapshots"]["2024-10-10"]
    january = runs["snapshots"][AS_OF]
    oct_2024 = october[october["plan_id"] == "lai-chau-2024"]
    assert "2024" not in set(oct_2024["actual_period"].dropna())
    assert "2024" in set(january[january["plan_id"] == "lai-chau-2024"]["actual_period"].dropna())
    assert _one(october, "enrolment_primary").actual_period != "2024"
    assert _one(january, "enrolment_primary").actual_period == "2024"
    fact = _df(
        runs["resources"],
        "select max(reported_through) as t, max(received_on) as r from core.fact_observation",
    )
    assert fact["t"].iloc[0] <= pd.Timestamp(AS_OF) and fact["r"].iloc[0] <= pd.Timestamp(AS_OF)


def test_history_has_one_set_of_rows_per_as_of_date(runs):
    history = _df(
        runs["resources"],
        "select as_of, plan_id, count(*) as n, count(distinct target_code) as targets"
        " from mart.attainment_history group by all order by 1, 2",
    )
    expected = [
        [pd.Timestamp(d), plan, n, n]
        for d in DATES
        for plan, n in zip(PLANS, (30, 50, 22), strict=True)
    ]
    # the second run at the last date replaced its rows instead of adding to them
    assert history.values.tolist() == expected
    path = _df(
        runs["resources"],
        "select as_of, status from mart.attainment_history"
        " where plan_id = 'lai-chau-2024' and target_code = 'jobs_created' order by as_of",
    )
    assert path["status"].tolist() == ["no_data", "at_risk", "at_risk"]


def test_one_plan_is_rebuilt_alone(runs, tmp_path):
    """materialize(partition_key=plan): that plan's rows change, the others stay byte for byte."""
    import dagster as dg

    from pipelines.partitions import plan_ids, sync_plan_partitions
    from tests.conftest import all_assets

    root = tmp_path / "copy"
    shutil.copytree(runs["root"], root)
    resources = _at(make_resources(root, root / "inputs"), AS_OF)
    plan = root / "inputs" / "plans" / "lai-chau-2025.yaml"
    text = plan.read_text(encoding="utf-8")
    text = text.replace("value_vi: '54'", "value_vi: '60'", 1)
    plan.write_text(text.replace("target_value: 54.0", "target_value: 60.0", 1), encoding="utf-8")
    before = _df(resources, "select * from mart.target_attainment order by plan_id, target_code")
    instance = dg.DagsterInstance.ephemeral()
    assert sync_plan_partitions(instance, plan_ids(root / "inputs" / "plans")) == list(PLANS)
    keys = [["core", "dim_target"], ["mart", "target_attainment"], ["mart", "attainment_history"]]
    result = dg.materialize(
        all_assets(),
        selection=[dg.AssetKey(k) for k in keys],
        resources=resources,
        instance=instance,
        partition_key="lai-chau-2025",
    )
    assert result.success
    after = _df(resources, "select * from mart.target_attainment order by plan_id, target_code")
    changed = after.compare(before)
    assert set(after.loc[changed.index, "plan_id"]) == {"lai-chau-2025"}
    forest = after[(after["plan_id"] == "lai-chau-2025") & (after["target_code"] == "forest_cover")]
    assert forest["target_value"].tolist() == [60.0]
    others = after["plan_id"] != "lai-chau-2025"
    pd.testing.assert_frame_equal(after[others], before[others])
    # Dagster records the materialization for that partition only
    key = dg.AssetKey(["mart", "target_attainment"])
    assert instance.get_materialized_partitions(key) == {"lai-chau-2025"}
    history = _df(
        resources,
        "select plan_id, count(*) as n from mart.attainment_history where as_of = ? group by 1 order by 1",
        [AS_OF],
    )
    assert history.values.tolist() == [
        ["lai-chau-2021-2025", 30],
        ["lai-chau-2024", 50],
        ["lai-chau-2025", 22],
    ]


def test_html_report_shows_each_targets_path(runs, tmp_path):
    from chitieu.reports import write_html

    with duckdb.connect(runs["resources"]["warehouse"].path, read_only=True) as con:
        page = write_html(con, tmp_path / "r.html", "lai-chau-2024").read_text(encoding="utf-8")
    row = next(r for r in page.split("<tr") if 'data-code="jobs_created"' in r)
    start = row.index('<svg class="path"')
    svg = row[start : row.index("</svg>", start)]
    assert svg.count("<circle") == 3
    assert "<title>01/01/2023: Chưa có số liệu (no_data)</title>" in svg
    assert "<title>15/01/2025: Có nguy cơ không đạt (at_risk)</title>" in svg
    assert page.count('<svg class="path"') == 50


def test_sparkline_needs_two_points():
    from datetime import date

    from chitieu.report_history import sparkline

    assert sparkline([(date(2024, 6, 30), "on_track")]) == ""
    two = sparkline([(date(2024, 6, 30), "on_track"), (date(2024, 9, 30), "achieved")])
    assert two.count("<circle") == 2 and 'points="4,8 12,3"' in two
