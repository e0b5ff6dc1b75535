"""Faults in the nightly statistics step: each costs only its own table, keeps the old rows,
is never replayed from the cache, and raises one alert per outage."""

import json
import shutil

import dagster as dg
import duckdb
import pytest
from werkzeug import Response

from chitieu.resources import AlertsResource, StatisticsResource
from tests.conftest import all_assets, make_resources, run_nightly
from tests.statistics_server import RECORDED, base_urls, data_requests, serve_recordings

STATS = dg.AssetSelection.assets(
    ["raw", "pxweb_observations"],
    ["raw", "worldbank_observations"],
    ["mart", "source_loads"],
    ["ops", "statistics_alerts"],
)
PX = "/api/v1/vi/Tài khoản quốc gia"
POP = "/api/v1/vi/Dân số và lao động/V02.01.px"
WB = "/v2/country/VNM/indicator/NY.GDP.MKTP.KD.ZG"
OBS = "select table_key, target_code, period_code, value, status_symbol, run_id from raw.pxweb_observations order by all"


@pytest.fixture(scope="module")
def offline_warehouse(tmp_path_factory):
    """One offline nightly run: yesterday's good statistics, shared (copied) by each test."""
    root = tmp_path_factory.mktemp("offline")
    resources = make_resources(root)
    assert run_nightly(resources).success
    return root / "wh" / "chitieu.duckdb"


@pytest.fixture
def stats(tmp_path, offline_warehouse, httpserver):
    """Resources on a copy of the offline warehouse, statistics live against ``httpserver``,
    alerts posted to ``httpserver`` too."""
    (tmp_path / "wh").mkdir()
    shutil.copy(offline_warehouse, tmp_path / "wh" / "chitieu.duckdb")
    resources = make_resources(tmp_path)
    resources["statistics"] = _live(httpserver)
    resources["alerts"] = AlertsResource(
        urls=f"json://{httpserver.host}:{httpserver.port}/hook",
    )
    httpserver.expect_request("/hook", method="POST").respond_with_data("ok")
    return resources


def _live(httpserver, **kw) -> StatisticsResource:
    px, wb = base_urls(httpserver)
    settings = {
        "mode": "live",
        "pxweb_base_url": px,
        "worldbank_base_url": wb,
        "retries": 1,
        "backoff_factor": 0,
        "timeout_seconds": 2,
        "ttl_minutes": 1200,
    }
    return StatisticsResource(**(settings | kw))


def _q(resources, sql):
    with duckdb.connect(resources["warehouse"].path, read_only=True) as con:
        return con.execute(sql).fetchall()


def _run_stats(resources) -> dg.ExecuteInProcessResult:
    return dg.materialize(all_assets(), selection=STATS, resources=resources)


def _latest_loads(resources) -> dict:
    return dict(
        _q(
            resources,
            "select source_name, status from raw.source_loads where source_kind = 'statistics' "
            "qualify row_number() over (partition by source_name order by loaded_at desc) = 1",
        )
    )


def _alerts(httpserver) -> list[str]:
    """Titles of the statistics alerts posted to the webhook."""
    titles = [r.get_json()["title"] for r, _ in httpserver.log if r.path == "/hook"]
    return [t for t in titles if "Statistics" in t]


def _jsonstat2(name: str, **changes) -> bytes:
    v1 = json.loads((RECORDED / "pxweb" / name).read_bytes().decode("utf-8-sig").rstrip("\x00"))
    ds = v1["dataset"]
    dims = ds["dimension"]
    doc = {
        "version": "2.0",
        "class": "dataset",
        "label": ds["label"],
        "id": dims["id"],
        "size": dims["size"],
        "dimension": {d: dims[d] for d in dims["id"]},
        "value": ds["value"],
    } | changes
    return json.dumps(doc, ensure_ascii=False).encode()


def _broken_midway(request):
    def body():
        yield b'{"dataset": {"dimension": '
        raise ConnectionResetError("closed mid-body")

    # the length promises more than arrives before the server closes the connection
    return Response(body(), content_type="application/json", headers={"Content-Length": "500"})


def test_crash_cases_cost_only_their_table_and_keep_the_old_rows(
    stats, httpserver, offline_warehouse
):
    """World Bank "no data", a non-numeric Retry-After, a connection closed mid-body and a
    JSON-stat 2 answer in one night: the run succeeds, healthy tables load, broken ones keep
    yesterday's rows, the marts are built, and each broken table raises one alert."""
    before = _q(stats, OBS)
    wb_before = _q(
        stats, "select year, value, run_id from raw.worldbank_observations order by year"
    )
    httpserver.expect_request(WB).respond_with_data(
        json.dumps([{"page": 1, "pages": 0, "per_page": 100, "total": 0}, None])
    )
    httpserver.expect_request(POP, method="POST").respond_with_data(
        "busy", status=503, headers={"Retry-After": "after lunch"}
    )
    httpserver.expect_request(f"{PX}/V03.08.px", method="POST").respond_with_handler(_broken_midway)
    httpserver.expect_request(f"{PX}/V03.10.px", method="POST").respond_with_data(
        _jsonstat2("data_grdp_per_capita.json", value=[47.6, 55.1])
    )
    serve_recordings(httpserver)

    assert run_nightly(stats).success
    assert _latest_loads(stats) == {
        "pxweb:grdp_growth": "accepted",
        "pxweb:grdp_per_capita": "accepted",
        "pxweb:grdp_structure": "rejected",
        "pxweb:population": "rejected",
        "worldbank:NY.GDP.MKTP.KD.ZG": "no_data",
    }
    after = _q(stats, OBS)
    kept = [r for r in before if r[0] in ("grdp_structure", "population")]
    assert kept and kept == [r for r in after if r[0] in ("grdp_structure", "population")]
    assert [r[2:4] for r in after if r[0] == "grdp_per_capita"] == [
        ("2023", 47.6),
        ("2024-EST", 55.1),
    ]
    assert (
        _q(stats, "select year, value, run_id from raw.worldbank_observations order by year")
        == wb_before
    )
    errors = dict(
        _q(
            stats,
            "select source_name, last_errors from mart.source_loads where last_status = 'rejected'",
        )
    )
    assert (
        "HTTP 503 (busy); unreadable Retry-After 'after lunch' ignored after 2 attempts"
        in errors["pxweb:population"]
    )
    assert "connection broke while reading the answer" in errors["pxweb:grdp_structure"]
    # the marts were built with the new per-capita figure and the kept structure shares
    assert _q(
        stats,
        "select target_code, estimate_level from mart.target_attainment "
        "where plan_id = 'lai-chau-2024' "
        "and target_code in ('grdp_per_capita', 'econ_share_industry') order by 1",
    ) == [("econ_share_industry", 40.2), ("grdp_per_capita", 55.1)]
    offline_loaded = _q(
        stats,
        "select max(loaded_at) from raw.source_loads where source_name = 'pxweb:population' and status = 'accepted'",
    )[0][0]
    assert _q(
        stats,
        "select last_success_at, failures_since_success, is_stale, needs_attention from mart.source_loads "
        "where source_name = 'pxweb:population'",
    ) == [(offline_loaded, 1, False, True)]
    assert sorted(_alerts(httpserver)) == [
        "[chitieu] Số liệu thống kê bị từ chối / Statistics rejected: pxweb:grdp_structure",
        "[chitieu] Số liệu thống kê bị từ chối / Statistics rejected: pxweb:population",
    ]
    # the same outage the next night: no second alert
    assert _run_stats(stats).success
    assert len(_alerts(httpserver)) == 2


def test_a_bad_answer_is_not_replayed_after_the_server_recovers(stats, httpserver):
    state = {"down": True}

    def meta(request):
        if state["down"]:
            return Response(
                "<html><body>Bảo trì / maintenance</body></html>", content_type="text/html"
            )
        return Response((RECORDED / "pxweb/meta_grdp_growth.json").read_bytes())

    httpserver.expect_request(f"{PX}/V03.07.px", method="GET").respond_with_handler(meta)
    serve_recordings(httpserver)
    assert _run_stats(stats).success
    assert _latest_loads(stats)["pxweb:grdp_growth"] == "rejected"
    assert _q(
        stats,
        "select count(*), bool_or(accepted) from raw.http_responses where unit_key = 'pxweb:grdp_growth' and mode = 'live'",
    ) == [(2, False)]  # the listing and the HTML page, kept for the record, never reused

    state["down"] = False
    seen = len(data_requests(httpserver))
    assert _run_stats(stats).success
    assert _latest_loads(stats)["pxweb:grdp_growth"] == "accepted"
    asked = [r.path for r in data_requests(httpserver)[seen:]]
    # only the rejected table was fetched again (the others came from the cache), listing included
    assert asked == [f"{PX}/", f"{PX}/V03.07.px", f"{PX}/V03.07.px"]


def test_offline_recordings_are_never_served_in_live_mode(stats, httpserver):
    httpserver.expect_request(f"{PX}/V03.10.px", method="POST").respond_with_data(
        _jsonstat2("data_grdp_per_capita.json", value=[47.6, 56.0])
    )
    serve_recordings(httpserver)
    assert _q(stats, "select distinct mode from raw.http_responses") == [("recorded",)]
    assert _run_stats(stats).success
    assert len(data_requests(httpserver)) == 11, (
        "every table and indicator asked of the live server"
    )
    assert _q(
        stats,
        "select value from raw.pxweb_observations where table_key = 'grdp_per_capita' and period_code = '2024-EST'",
    ) == [(56.0,)]


def test_cached_unit_from_another_base_url_is_not_used(stats, httpserver):
    serve_recordings(httpserver)
    assert _run_stats(stats).success
    first = len(data_requests(httpserver))
    assert _run_stats(stats).success
    assert len(data_requests(httpserver)) == first, "same mode and base URL: served from cache"
    px, _ = base_urls(httpserver)
    stats["statistics"] = _live(httpserver, pxweb_base_url=px.replace("localhost", "127.0.0.1"))
    assert _run_stats(stats).success
    assert len(data_requests(httpserver)) == first + 10, (
        "another base URL: the 10 PX-Web requests again"
    )


def test_stale_statistics_raise_an_alert(stats, httpserver):
    httpserver.expect_request(f"{PX}/").respond_with_data("down", status=503)
    httpserver.expect_request("/api/v1/vi/Dân số và lao động/").respond_with_data(
        "down", status=503
    )
    serve_recordings(httpserver)
    with duckdb.connect(stats["warehouse"].path) as con:  # the offline load was three days ago
        con.execute("update raw.source_loads set loaded_at = loaded_at - interval 3 day")
    stats["statistics"] = _live(httpserver, stale_days=2)
    assert _run_stats(stats).success
    stale = _q(
        stats,
        "select source_name, days_since_success from mart.source_loads where is_stale and needs_attention order by 1",
    )
    assert stale == [
        ("pxweb:grdp_growth", 3),
        ("pxweb:grdp_per_capita", 3),
        ("pxweb:grdp_structure", 3),
        ("pxweb:population", 3),
    ]
    assert _q(
        stats, "select is_stale from mart.source_loads where source_name like 'worldbank:%'"
    ) == [(False,)]
    titles = _alerts(httpserver)
    assert "[chitieu] Số liệu thống kê đã cũ / Statistics stale: pxweb:population" in titles
    assert "[chitieu] Số liệu thống kê bị từ chối / Statistics rejected: pxweb:population" in titles


def test_moved_table_is_noted_and_a_refused_cached_answer_says_so(stats, httpserver, tmp_path):
    config = (RECORDED.parent / "config.yaml").read_text(encoding="utf-8")
    moved = tmp_path / "moved.yaml"
    moved.write_text(config.replace("table_id: V03.07.px", "table_id: V03.06.px"), encoding="utf-8")
    serve_recordings(httpserver)
    stats["statistics"] = _live(httpserver, config_path=str(moved))
    assert _run_stats(stats).success
    assert _q(
        stats,
        "select last_status, last_errors from mart.source_loads where source_name = 'pxweb:grdp_growth'",
    ) == [
        (
            "accepted",
            "table moved: pinned V03.06.px, used V03.07.px ('Tốc độ tăng tổng sản phẩm trên địa bàn theo giá "
            "so sánh 2010 phân theo địa phương'), the only title match with the configured dimensions and "
            "unit; update table_id in sources/statistics/config.yaml",
        )
    ]
    assert _alerts(httpserver) == [
        "[chitieu] Bảng thống kê đã đổi mã / Statistics table moved: pxweb:grdp_growth"
    ]

    # the config now expects another unit: the cached table is refused, fetched again, refused again
    other_unit = tmp_path / "unit.yaml"
    other_unit.write_text(
        moved.read_text(encoding="utf-8").replace(
            'target_code: grdp_growth\n      unit: "%"',
            'target_code: grdp_growth\n      unit: "điểm"',
        ),
        encoding="utf-8",
    )
    stats["statistics"] = _live(httpserver, config_path=str(other_unit))
    assert _run_stats(stats).success
    errors = _q(
        stats, "select last_errors from mart.source_loads where source_name = 'pxweb:grdp_growth'"
    )[0][0]
    assert errors.startswith(
        "Tài khoản quốc gia/V03.07.px (pinned V03.06.px): the answer's unit is '%', the config expects 'điểm'; refused ["
        "cached answers refused: Tài khoản quốc gia/V03.07.px (pinned V03.06.px): the answer's unit is '%', the config "
        "expects 'điểm'; refused (answer served from cache, retrieved "
    )
    assert errors.endswith("; fetched again]")


def test_chitieu_run_exits_0_through_a_statistics_outage_and_says_so(
    tmp_path, monkeypatch, capsys, httpserver
):
    from chitieu.cli import main

    monkeypatch.delenv("DAGSTER_HOME", raising=False)
    px, wb = base_urls(httpserver)  # nothing registered: every request gets HTTP 500
    for var, value in {
        "CHITIEU_STATS_MODE": "live",
        "CHITIEU_PXWEB_BASE_URL": px,
        "CHITIEU_WORLDBANK_BASE_URL": wb,
        "CHITIEU_STATS_RETRIES": "0",
        "CHITIEU_STATS_REQUEST_DEADLINE_SECONDS": "2.5",
        "CHITIEU_PUBLISHED_WAREHOUSE": str(tmp_path / "published.duckdb"),
        "CHITIEU_EXPORTS_DIR": str(tmp_path / "exports"),
        "CHITIEU_REPORTS_DIR": str(tmp_path / "reports"),
        "CHITIEU_OUTBOX_DIR": str(tmp_path / "outbox"),
        "CHITIEU_GX_DIR": str(tmp_path / "gx"),
    }.items():
        monkeypatch.setenv(var, value)
    assert main(["run", "--warehouse", str(tmp_path / "w.duckdb"), "--as-of", "2025-01-15"]) == 0
    out = capsys.readouterr().out
    assert "Số liệu thống kê giữ số cũ / Statistics kept their previous rows: 5" in out
    assert (
        f"  - pxweb:grdp_growth: bị từ chối, đã cũ / rejected, stale; lần thành công gần nhất / last success chưa bao giờ / never; "
        f"GET {px}/vi/Tài khoản quốc gia/: HTTP 500 (No handler found for request"
    ) in out
    with duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True) as con:
        assert con.execute(
            "select count(*) from mart.target_attainment where plan_id = 'lai-chau-2024'"
        ).fetchall() == [(50,)]
