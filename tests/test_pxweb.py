"""The PX-Web client against a real local HTTP server replaying answers in the real formats."""

import json
import time

import pytest
from werkzeug import Response

from sources.statistics.http import USER_AGENT, FetchError, LiveTransport, RecordedTransport
from sources.statistics.jsonstat import parse_jsonstat
from sources.statistics.limits import Limits
from sources.statistics.mapping import fetch_pxweb_table, load_config, year_label
from sources.statistics.pxweb import PxWebClient, PxWebError, parse_px
from tests.statistics_server import RECORDED, base_urls, data_requests, serve_recordings

CONFIG = load_config(RECORDED.parent / "config.yaml")
SPECS = {s["key"]: s for s in CONFIG["pxweb"]["tables"]}
FOLDER = "Tài khoản quốc gia"


def live(**kw) -> LiveTransport:
    """A live transport with no waiting between attempts unless a test asks for it."""
    return LiveTransport(Limits(**({"backoff_factor": 0, "timeout_seconds": 5} | kw)))


@pytest.fixture
def client(httpserver):
    serve_recordings(httpserver)
    return PxWebClient(base_urls(httpserver)[0], live(retries=2))


def _rows(result):
    return [
        (
            r["target_code"],
            r["area_code"],
            r["period_code"],
            r["value"],
            r["status_symbol"],
            r["data_status"],
        )
        for r in result.rows
    ]


def test_lists_tables_and_finds_a_moved_table_by_title(client):
    entries = client.list_tables(FOLDER)
    assert [e["type"] for e in entries].count("t") == 4
    choice = client.find_table(FOLDER, SPECS["grdp_growth"]["title"], pinned_id="V03.06.px")
    assert (choice.table_id, choice.moved) == ("V03.07.px", True)
    assert choice.title.startswith("Tốc độ tăng tổng sản phẩm trên địa bàn")
    with pytest.raises(PxWebError, match="no table title matches"):
        client.find_table(FOLDER, "chi so gia tieu dung")


def test_metadata_keeps_codes_and_value_texts(client):
    _, variables = client.metadata(FOLDER, "V03.07.px")
    area, year = variables
    assert area.code == "Địa phương" and "    Lai Châu" in area.values
    # positional year codes: "14" means "Ước tính 2024" only through valueTexts
    assert (year.values[-1], year.value_texts[-1]) == ("14", "Ước tính 2024")
    assert area.code_for("lai chau") == "    Lai Châu"
    # the look-alike capital Ð (U+00D0) in the table matches Đ (U+0110) in a config
    assert area.code_for("Điện Biên") == "    \u00d0iện Biên"


def test_grdp_growth_with_bom_nul_positional_years_and_estimate_status(client):
    result = fetch_pxweb_table(client, SPECS["grdp_growth"])
    assert not result.moved and result.table_id == "V03.07.px"
    assert _rows(result) == [
        ("grdp_growth", "12", "2023", -2.77, None, "official"),
        ("grdp_growth", "12", "2024-EST", 9.0, None, "estimated"),
    ]


def test_structure_with_lookalike_dimension_name_and_missing_cell(client):
    result = fetch_pxweb_table(client, SPECS["grdp_structure"])
    rows = _rows(result)
    assert ("econ_share_agriculture", "12", "2024-EST", 14.6, None, "estimated") in rows
    # ".." stays a missing value with its status, never a 0
    assert ("econ_share_product_taxes", "12", "2024-EST", None, "..", "estimated") in rows
    assert len(rows) == 8


def test_population_answered_as_pc_axis(client):
    rows = _rows(fetch_pxweb_table(client, SPECS["population"]))
    assert rows == [
        (None, "12", "2022", 478.9, None, "official"),
        (None, "12", "2023", 487.4, None, "official"),
        (None, "12", "2024", 495.7, None, "preliminary"),
    ]


def test_query_posts_the_pxweb_json_body_and_sends_a_user_agent(httpserver):
    seen = {}

    def handler(request):
        seen["ua"] = request.headers.get("User-Agent")
        seen["body"] = request.get_json()
        return Response(
            (RECORDED / "pxweb/data_grdp_growth.json").read_bytes(), content_type="application/json"
        )

    httpserver.expect_request(
        "/api/v1/vi/Tài khoản quốc gia/V03.07.px", method="POST"
    ).respond_with_handler(handler)
    client = PxWebClient(httpserver.url_for("/api/v1"), live(retries=0))
    table = client.query(FOLDER, "V03.07.px", {"Địa phương": ["    Lai Châu"], "Năm": ["13", "14"]})
    assert seen["ua"] == USER_AGENT and seen["ua"].startswith("chitieu/")
    assert seen["body"] == {
        "query": [
            {"code": "Địa phương", "selection": {"filter": "item", "values": ["    Lai Châu"]}},
            {"code": "Năm", "selection": {"filter": "item", "values": ["13", "14"]}},
        ],
        "response": {"format": "json-stat"},
    }
    assert [c.value for c in table.cells] == [-2.77, 9.0]
    assert table.unit == "%"


def test_429_then_success_is_retried(httpserver):
    path = "/api/v1/vi/Tài khoản quốc gia/"
    httpserver.expect_oneshot_request(path).respond_with_data(
        "slow down", status=429, headers={"Retry-After": "0"}
    )
    httpserver.expect_request(path).respond_with_data(
        (RECORDED / "pxweb/list_tai_khoan_quoc_gia.json").read_bytes()
    )
    client = PxWebClient(httpserver.url_for("/api/v1"), live(retries=2))
    assert len(client.list_tables(FOLDER)) == 5
    assert len(data_requests(httpserver)) == 2


@pytest.mark.parametrize("status", [403, 404, 500, 503])
def test_persistent_error_fails_clearly_after_retries(httpserver, status):
    httpserver.expect_request("/api/v1/vi/Tài khoản quốc gia/").respond_with_data(
        "no", status=status
    )
    client = PxWebClient(httpserver.url_for("/api/v1"), live(retries=2))
    with pytest.raises(FetchError) as err:
        client.list_tables(FOLDER)
    assert (
        str(err.value)
        == f"GET {httpserver.url_for('/api/v1')}/vi/Tài khoản quốc gia/: HTTP {status} (no) after 3 attempts"
    )
    assert len(data_requests(httpserver)) == 3


def test_400_is_not_retried_and_says_so(httpserver):
    httpserver.expect_request("/api/v1/vi/Tài khoản quốc gia/").respond_with_data(
        "bad query", status=400
    )
    with pytest.raises(FetchError, match=r"HTTP 400 \(bad query\); not retried \(1 attempt\)$"):
        PxWebClient(httpserver.url_for("/api/v1"), live(retries=4)).list_tables(FOLDER)
    assert len(data_requests(httpserver)) == 1


def test_timeout_fails_clearly_after_retries(httpserver):
    def slow(request):
        time.sleep(0.6)
        return Response("[]")

    httpserver.expect_request("/api/v1/vi/Tài khoản quốc gia/").respond_with_handler(slow)
    client = PxWebClient(httpserver.url_for("/api/v1"), live(retries=1, timeout_seconds=0.2))
    with pytest.raises(FetchError, match=r"timed out \(no answer within 0.2 s\) after 2 attempts"):
        client.list_tables(FOLDER)


def test_not_json_answer(httpserver):
    httpserver.expect_request("/api/v1/vi/Tài khoản quốc gia/").respond_with_data(
        "<html>maintenance</html>"
    )
    client = PxWebClient(httpserver.url_for("/api/v1"), live(retries=0))
    with pytest.raises(PxWebError, match="answer is not JSON"):
        client.list_tables(FOLDER)


def test_recorded_transport_replays_and_refuses_unknown_requests():
    t = RecordedTransport(RECORDED)
    client = PxWebClient(CONFIG["pxweb"]["base_url"], t)
    assert len(client.list_tables(FOLDER)) == 5
    with pytest.raises(FetchError, match="no recorded answer"):
        client.list_tables("Giá cả")


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        ("2023", (2023, "2023", "official")),
        ("Sơ bộ 2024", (2024, "2024", "preliminary")),
        ("Ước tính 2024", (2024, "2024-EST", "estimated")),
        ("  Năm 2022 ", (2022, "2022", "official")),
        ("Tổng số", None),
    ],
)
def test_year_labels(label, expected):
    assert year_label(label) == expected


def test_px_file_with_vietnamese_text_and_missing_symbols():
    content = (
        '\ufeffCHARSET="ANSI";\nMATRIX="V02.01";\nTITLE="Dân số trung bình phân theo địa phương";\nUNITS="Nghìn người";\n'
        'STUB="Địa phương";\nHEADING="Năm";\nVALUES("Địa phương")="CẢ NƯỚC","    Lai Châu";\n'
        'VALUES("Năm")="2023","Sơ bộ 2024";\nDATA=\n100300.5 101112.7\n487.4 "..";\n'
    ).encode() + b"\x00"
    table = parse_px(content)
    assert table.unit == "Nghìn người"
    assert [
        (c.coords["Địa phương"][1], c.coords["Năm"][1], c.value, c.status) for c in table.cells
    ] == [
        ("CẢ NƯỚC", "2023", 100300.5, None),
        ("CẢ NƯỚC", "Sơ bộ 2024", 101112.7, None),
        ("Lai Châu", "2023", 487.4, None),
        ("Lai Châu", "Sơ bộ 2024", None, ".."),
    ]


def test_jsonstat_status_is_kept():
    doc = {
        "dataset": {
            "label": "t",
            "value": [1.5, None, "-"],
            "status": {"1": ".."},
            "dimension": {
                "id": ["Năm"],
                "size": [3],
                "Năm": {
                    "category": {
                        "index": {"0": 0, "1": 1, "2": 2},
                        "label": {"0": "2022", "1": "2023", "2": "Sơ bộ 2024"},
                    }
                },
            },
        }
    }
    _, cells = parse_jsonstat(b"\xef\xbb\xbf" + json.dumps(doc).encode() + b"\x00\x00")
    assert [(c.coords["Năm"], c.value, c.status) for c in cells] == [
        (("0", "2022"), 1.5, None),
        (("1", "2023"), None, ".."),
        (("2", "Sơ bộ 2024"), None, "-"),
    ]


def test_pyjstat_drops_status():
    """Why chitieu parses JSON-stat itself: pyjstat turns '..' into NaN and keeps no status."""
    from pyjstat import pyjstat

    doc = {
        "dataset": {
            "label": "t",
            "value": [1.5, None],
            "status": {"1": ".."},
            "dimension": {
                "id": ["Năm"],
                "size": [2],
                "Năm": {
                    "label": "Năm",
                    "category": {"index": {"0": 0, "1": 1}, "label": {"0": "2022", "1": "2023"}},
                },
            },
        }
    }
    df = pyjstat.from_json_stat(doc)[0]
    assert "status" not in df.columns
    assert df["value"].isna().tolist() == [False, True]
