"""The World Bank client against a real local HTTP server: paging, errors sent as HTTP 200, retries."""

import json

import pytest

from sources.statistics.http import LiveTransport
from sources.statistics.limits import Limits
from sources.statistics.worldbank import WorldBankClient, WorldBankError

PATH = "/v2/country/VNM/indicator/NY.GDP.MKTP.KD.ZG"


def _record(year, value):
    return {
        "indicator": {"id": "NY.GDP.MKTP.KD.ZG", "value": "GDP growth (annual %)"},
        "country": {"id": "VN", "value": "Viet Nam"},
        "countryiso3code": "VNM",
        "date": str(year),
        "value": value,
        "unit": "",
        "obs_status": "",
        "decimal": 1,
    }


def _page(page, pages, records):
    return json.dumps([{"page": page, "pages": pages, "per_page": 2, "total": 3}, records])


def _client(httpserver, retries=0):
    return WorldBankClient(
        httpserver.url_for("/v2"),
        LiveTransport(Limits(retries=retries, backoff_factor=0, timeout_seconds=5)),
        per_page=2,
    )


def test_follows_pages(httpserver):
    httpserver.expect_request(
        PATH, query_string={"format": "json", "per_page": "2", "page": "1"}
    ).respond_with_data(_page(1, 2, [_record(2024, 7.09), _record(2023, 5.05)]))
    httpserver.expect_request(
        PATH, query_string={"format": "json", "per_page": "2", "page": "2"}
    ).respond_with_data(_page(2, 2, [_record(2022, None)]))
    values = _client(httpserver).indicator("VNM", "NY.GDP.MKTP.KD.ZG")
    assert [(v.year, v.value) for v in values] == [(2024, 7.09), (2023, 5.05), (2022, None)]
    assert len(httpserver.log) == 2


def test_error_returned_as_http_200(httpserver):
    body = json.dumps(
        [
            {
                "message": [
                    {
                        "id": "120",
                        "key": "Invalid value",
                        "value": "The provided parameter value is not valid",
                    }
                ]
            }
        ]
    )
    httpserver.expect_request(PATH).respond_with_data(body, status=200)
    with pytest.raises(
        WorldBankError,
        match="World Bank API error: 120 Invalid value: The provided parameter value is not valid",
    ):
        _client(httpserver).indicator("VNM", "NY.GDP.MKTP.KD.ZG")


def test_429_then_success(httpserver):
    httpserver.expect_oneshot_request(PATH).respond_with_data(
        "Too Many Requests", status=429, headers={"Retry-After": "0"}
    )
    httpserver.expect_request(PATH).respond_with_data(_page(1, 1, [_record(2024, 7.09)]))
    assert [
        v.value for v in _client(httpserver, retries=2).indicator("VNM", "NY.GDP.MKTP.KD.ZG")
    ] == [7.09]


def test_unexpected_shape(httpserver):
    httpserver.expect_request(PATH).respond_with_data(json.dumps({"oops": 1}))
    with pytest.raises(WorldBankError, match="expected \\[paging, records\\]"):
        _client(httpserver).indicator("VNM", "NY.GDP.MKTP.KD.ZG")
