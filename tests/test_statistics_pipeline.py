"""Statistics assets in the nightly run: offline default, live against a local server, cache, failures, reconciliation."""

import dagster as dg
import duckdb
import pytest

from chitieu.resources import StatisticsResource
from tests.conftest import all_assets, run_nightly
from tests.statistics_server import base_urls, data_requests, serve_recordings

STATISTICS = dg.AssetSelection.assets(
    ["raw", "pxweb_observations"], ["raw", "worldbank_observations"]
)


def _q(resources, sql):
    with duckdb.connect(resources["warehouse"].path, read_only=True) as con:
        return con.execute(sql).fetchall()


def _live(httpserver, **kw):
    px, wb = base_urls(httpserver)
    return StatisticsResource(
        mode="live",
        pxweb_base_url=px,
        worldbank_base_url=wb,
        retries=1,
        backoff_factor=0,
        timeout_seconds=5,
        **kw,
    )


def test_offline_group_1_takes_official_figures(nightly):
    resources = nightly  # after one offline nightly run (tests/conftest.py)
    rows = _q(
        resources,
        "select target_code, estimate_level, estimate_source from mart.target_attainment where group_no = 1 order by item_no",
    )
    assert rows == [
        ("grdp_growth", 9.0, "statistics"),
        ("econ_share_agriculture", 14.6, "statistics"),
        ("econ_share_industry", 40.2, "statistics"),
        ("econ_share_services", 38.7, "statistics"),
        # the office's cell is ".." -> the manual figure stands
        ("econ_share_product_taxes", 6.5, "manual"),
        ("grdp_per_capita", 54.7, "statistics"),
    ]
    assert _q(
        resources,
        "select area_code, period_code, population_thousand, data_status from core.fact_population order by period_code",
    ) == [
        ("12", "2022", 478.9, "official"),
        ("12", "2023", 487.4, "official"),
        ("12", "2024", 495.7, "preliminary"),
    ]
    # the office's "Ước tính 2024" / "Sơ bộ 2024" status reaches the attainment inputs
    assert _q(
        resources,
        "select target_code, estimate_period, estimate_data_status, estimate_source_kind from core.attainment_inputs "
        "where target_code in ('grdp_growth', 'grdp_per_capita') order by 1",
    ) == [
        ("grdp_growth", "2024-EST", "estimated", "statistics"),
        ("grdp_per_capita", "2024-EST", "estimated", "statistics"),
    ]
    modes = _q(resources, "select distinct mode from raw.http_responses")
    assert modes == [("recorded",)]


def test_reconciliation_shows_the_planted_difference(nightly):
    resources = nightly
    flagged = _q(
        resources,
        "select target_code, period_code, official_value, other_source, other_value, round(difference, 2), difference_pct from mart.source_discrepancies where exceeds_threshold",
    )
    # 55,89 (manual letter) vs 54,7 (statistics office): +1,19; 1,19 / 54,7 = 2,18 % > 2 %
    assert flagged == [("grdp_per_capita", "2024-EST", 54.7, "manual", 55.89, 1.19, 2.18)]
    shares = _q(
        resources,
        "select target_code, round(difference, 2), exceeds_threshold from mart.source_discrepancies where target_code like 'econ_share%' and period_code = '2024-EST' order by 1",
    )
    # 0,1 points apart: within the 0,5-point threshold
    assert shares == [
        ("econ_share_agriculture", -0.1, False),
        ("econ_share_industry", 0.1, False),
        ("econ_share_services", 0.0, False),
    ]


def test_live_mode_against_local_server_then_cache_within_ttl(resources, httpserver):
    serve_recordings(httpserver)
    resources = resources | {"statistics": _live(httpserver, ttl_minutes=1200)}
    assert run_nightly(resources).success
    first = len(httpserver.log)
    # PX-Web's ?config, 2 listings (asked once each), 4 metadata, 4 queries, 1 World Bank page
    assert first == 12 and len(data_requests(httpserver)) == 11
    # each table keeps its own listing, metadata and data answers: 4 × 3 + 1
    assert _q(
        resources,
        "select count(*), min(mode), count(distinct unit_key), bool_and(accepted) from raw.http_responses",
    ) == [(13, "live", 5, True)]
    assert run_nightly(resources).success
    assert len(httpserver.log) == first, "a rerun within the TTL must not fetch again"
    assert _q(resources, "select count(*) from raw.http_responses") == [(13,)]
    assert _q(
        resources,
        "select estimate_level from mart.target_attainment where target_code = 'grdp_per_capita'",
    ) == [(54.7,)]


def test_ttl_zero_fetches_again(nightly, httpserver):
    """Two live nights of the statistics assets (on yesterday's offline warehouse, whose
    recorded answers a live night never reuses): with no TTL the second fetches all again."""
    serve_recordings(httpserver)
    resources = nightly | {"statistics": _live(httpserver, ttl_minutes=0)}
    for _ in range(2):
        assert dg.materialize(all_assets(), selection=STATISTICS, resources=resources).success
    assert len(data_requests(httpserver)) == 22
    assert _q(
        resources, "select count(distinct run_id) from raw.http_responses where mode = 'live'"
    ) == [(2,)]


def test_outage_keeps_previous_good_data_and_the_run_goes_on(nightly, httpserver):
    resources = nightly  # offline: good data in place
    before = _q(
        resources,
        "select * exclude (run_id) from raw.pxweb_observations order by table_key, target_code, period_code",
    )
    httpserver.expect_request("/api/v1/vi/Tài khoản quốc gia/").respond_with_data(
        "down", status=503
    )
    resources = resources | {"statistics": _live(httpserver, ttl_minutes=0)}
    result = run_nightly(resources)
    assert result.success
    assert (
        _q(
            resources,
            "select * exclude (run_id) from raw.pxweb_observations order by table_key, target_code, period_code",
        )
        == before
    )
    errors = _q(
        resources,
        "select source_name, status, errors from raw.source_loads where source_name = 'pxweb:grdp_growth' order by loaded_at desc limit 1",
    )
    assert errors[0][:2] == ("pxweb:grdp_growth", "rejected")
    assert (
        "GET" in errors[0][2]
        and "Tài khoản quốc gia/" in errors[0][2]
        and ("HTTP 503" in errors[0][2] or "still failing" in errors[0][2])
    )
    # department/manual figures and the marts still built
    assert _q(resources, "select count(*) from mart.target_attainment") == [(50,)]


@pytest.mark.parametrize("mode", ["online", ""])
def test_unknown_mode_is_refused_and_not_retried(mode):
    with pytest.raises(dg.Failure) as refused:
        StatisticsResource(mode=mode).transport()
    assert refused.value.description == (
        f"CHITIEU_STATS_MODE: found {mode!r}, expected offline or live"
    )
    assert refused.value.allow_retries is False, "a setting is not an outage"
