"""The live transport's limits and the table checks, against real local HTTP servers."""

import json
import re
import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Response

from sources.statistics.http import FetchError, LiveTransport
from sources.statistics.jsonstat import parse_jsonstat_table
from sources.statistics.limits import Limits, Throttle, parse_retry_after
from sources.statistics.mapping import fetch_pxweb_table, load_config
from sources.statistics.pxweb import PxWebClient, PxWebError, parse_px
from sources.statistics.worldbank import WorldBankClient
from tests.statistics_server import RECORDED, data_requests, serve_config, serve_recordings

CONFIG = load_config(RECORDED.parent / "config.yaml")
SPECS = {s["key"]: s for s in CONFIG["pxweb"]["tables"]}
FOLDER = "Tài khoản quốc gia"
GROWTH = f"/api/v1/vi/{FOLDER}/V03.07.px"


def live(**kw) -> LiveTransport:
    return LiveTransport(Limits(**({"backoff_factor": 0, "timeout_seconds": 5} | kw)))


def _recorded(name: str) -> dict:
    return json.loads((RECORDED / "pxweb" / name).read_bytes().decode("utf-8-sig").rstrip("\x00"))


def _client(server, **kw) -> PxWebClient:
    return PxWebClient(server.url_for("/api/v1"), live(**kw))


class RecordedSleep:
    """The transport's sleep: keeps each wait the transport decided on, so a test asserts the
    wait itself rather than a wall-clock time a loaded machine stretches; really sleeps, but
    fails at once on a wait longer than ``longest`` instead of hanging the test."""

    def __init__(self, longest: float = 10):
        self.waits: list[float] = []
        self.longest = longest

    def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)
        assert seconds <= self.longest, f"the transport would sleep {seconds:g} s"
        time.sleep(seconds)


# --- limits -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("120", 120.0),
        ("0", 0.0),
        ("1.5", 1.5),
        ("soon", None),
        ("", None),
        (None, None),
        ("-4", 0.0),
    ],
)
def test_retry_after_numbers_and_garbage(header, expected):
    assert parse_retry_after(header) == expected


def test_retry_after_as_http_date():
    now = datetime(2025, 1, 15, 8, 0, tzinfo=UTC)
    header = format_datetime(now + timedelta(seconds=90), usegmt=True)
    assert parse_retry_after(header, now) == 90.0
    assert parse_retry_after(format_datetime(now - timedelta(hours=1), usegmt=True), now) == 0.0


def test_retry_after_3600_is_capped(httpserver):
    path = f"/api/v1/vi/{FOLDER}/"
    httpserver.expect_oneshot_request(path).respond_with_data(
        "busy", status=429, headers={"Retry-After": "3600"}
    )
    httpserver.expect_request(path).respond_with_data(
        (RECORDED / "pxweb/list_tai_khoan_quoc_gia.json").read_bytes()
    )
    sleep = RecordedSleep()
    limits = Limits(backoff_factor=0, timeout_seconds=5, retries=2, max_retry_after_seconds=0.3)
    client = PxWebClient(httpserver.url_for("/api/v1"), LiveTransport(limits, sleep=sleep))
    started = time.monotonic()
    entries = client.list_tables(FOLDER)
    elapsed = time.monotonic() - started
    assert len(entries) == 5 and len(data_requests(httpserver)) == 2
    assert sleep.waits == [0.3], "waited the capped 0.3 s, not an hour"
    assert 0.3 <= elapsed < 30, "really waited, and nowhere near the hour asked for"


def test_retry_after_longer_than_the_deadline_fails_at_once(httpserver):
    httpserver.expect_request(f"/api/v1/vi/{FOLDER}/").respond_with_data(
        "busy", status=503, headers={"Retry-After": "3600"}
    )
    sleep = RecordedSleep()
    limits = Limits(
        backoff_factor=0,
        timeout_seconds=5,
        retries=3,
        max_retry_after_seconds=60,
        request_deadline_seconds=5,
    )
    client = PxWebClient(httpserver.url_for("/api/v1"), LiveTransport(limits, sleep=sleep))
    started = time.monotonic()
    with pytest.raises(
        FetchError,
        match=r"HTTP 503 \(busy\) after 1 attempt; waiting 60 s more would pass the 5 s request deadline",
    ):
        client.list_tables(FOLDER)
    assert sleep.waits == [], "failed at once, without waiting"
    assert time.monotonic() - started < 5, "nor did it wait out the deadline"


def test_unreadable_retry_after_falls_back_to_backoff(httpserver):
    httpserver.expect_request(f"/api/v1/vi/{FOLDER}/").respond_with_data(
        "busy", status=503, headers={"Retry-After": "later, maybe"}
    )
    with pytest.raises(
        FetchError,
        match=r"HTTP 503 \(busy\); unreadable Retry-After 'later, maybe' ignored after 2 attempts",
    ):
        _client(httpserver, retries=1, backoff_factor=0.01).list_tables(FOLDER)


@pytest.fixture
def threaded_server():
    server = HTTPServer(threaded=True)
    server.start()
    yield server
    server.clear()
    server.stop()


def test_trickling_server_is_stopped_by_the_request_deadline(threaded_server):
    def trickle(request):
        def body():
            for _ in range(40):
                yield b" "
                time.sleep(0.05)
            yield b"[]"

        return Response(body(), content_type="application/json")

    threaded_server.expect_request(f"/api/v1/vi/{FOLDER}/").respond_with_handler(trickle)
    with pytest.raises(
        FetchError,
        match=r"answer still arriving at the deadline \(\d+ bytes read\); "
        r"stopped at the 0.5 s request deadline after 1 attempt$",
    ) as raised:
        # each byte arrives well within the 1 s read timeout; only the 0.5 s deadline stops it
        _client(
            threaded_server, retries=3, timeout_seconds=1, request_deadline_seconds=0.5
        ).list_tables(FOLDER)
    # the whole answer (40 spaces and "[]") takes the server 2 s; the deadline cut it short, and
    # with the deadline passed the 3 retries were not tried
    assert int(re.search(r"\((\d+) bytes read\)", str(raised.value)).group(1)) < 42


def test_source_deadline_stops_the_remaining_requests(threaded_server):
    answered = []

    def first_quick_then_slow(request):
        if answered:  # the second request outlasts what is left of the source's 1.5 s
            time.sleep(5)
        answered.append(request)
        return Response((RECORDED / "pxweb/list_tai_khoan_quoc_gia.json").read_bytes())

    path = f"/api/v1/vi/{FOLDER}/"
    threaded_server.expect_request(path).respond_with_handler(first_quick_then_slow)
    # a 10 s read timeout: only the source's deadline can stop the second request early
    transport = live(retries=0, timeout_seconds=10, source_deadline_seconds=1.5)
    client = PxWebClient(threaded_server.url_for("/api/v1"), transport)
    assert len(client.list_tables(FOLDER)) == 5
    started = time.monotonic()
    with pytest.raises(FetchError, match=r"timed out .*; stopped at the source's deadline"):
        PxWebClient(threaded_server.url_for("/api/v1"), transport).list_tables(FOLDER)
    assert time.monotonic() - started < 5, "stopped at the deadline, not when the answer came"


def test_connection_broken_mid_body_is_retried_then_a_fetch_error(httpserver):
    def broken(request):
        def body():
            yield b'[{"id": "V03.07.px", '
            raise ConnectionResetError("server went away")

        # the length promises more than arrives before the server closes the connection
        return Response(body(), content_type="application/json", headers={"Content-Length": "500"})

    httpserver.expect_request(f"/api/v1/vi/{FOLDER}/").respond_with_handler(broken)
    with pytest.raises(
        FetchError, match=r"connection broke while reading the answer .* after 2 attempts"
    ):
        _client(httpserver, retries=1).list_tables(FOLDER)
    assert len(data_requests(httpserver)) == 2


def test_throttle_keeps_to_the_window():
    now, slept = [0.0], []

    def sleep(s):
        slept.append(s)
        now[0] += s

    throttle = Throttle(30, 10, clock=lambda: now[0], sleep=sleep)
    throttle.tighten(2, 5)  # stricter calls, shorter window: the calls and our 10 s window stand
    assert (throttle.max_calls, throttle.time_window) == (2, 10)
    for _ in range(3):
        throttle.wait(deadline=100)
        now[0] += 1
    assert slept == [8.0]  # calls at 0 and 1: the third (at 2) waits until 10
    throttle.wait(deadline=100)  # at 11 only the call at 10 is in the window
    with pytest.raises(Exception, match="waiting 9.0 s for the next one would pass the deadline"):
        throttle.wait(deadline=now[0] + 1)


def test_server_config_limits_the_calls(httpserver):
    serve_config(httpserver, max_calls=2, time_window=1)
    httpserver.expect_request(f"/api/v1/vi/{FOLDER}/V03.07.px").respond_with_data(
        (RECORDED / "pxweb/meta_grdp_growth.json").read_bytes()
    )
    client = _client(httpserver, time_window_seconds=0.01)
    started = time.monotonic()
    for _ in range(3):
        client.metadata(FOLDER, "V03.07.px")
    assert time.monotonic() - started >= 0.9, "the third call waited for the server's 1 s window"
    assert httpserver.log[0][0].query_string == b"config"


# --- the right year or a refusal ---------------------------------------------------------


def _growth_data(labels: dict[str, str], values: list[float]) -> bytes:
    doc = _recorded("data_grdp_growth.json")
    cat = doc["dataset"]["dimension"]["Năm"]["category"]
    cat["index"] = {code: i for i, code in enumerate(labels)}
    cat["label"] = labels
    doc["dataset"]["dimension"]["size"][1] = len(labels)
    doc["dataset"]["value"] = values
    return json.dumps(doc, ensure_ascii=False).encode()


def _serve_growth(server, meta_texts: list[str] | None, data: bytes) -> None:
    serve_config(server)
    server.expect_request(f"/api/v1/vi/{FOLDER}/").respond_with_data(
        (RECORDED / "pxweb/list_tai_khoan_quoc_gia.json").read_bytes()
    )
    meta = _recorded("meta_grdp_growth.json")
    if meta_texts:
        meta["variables"][1]["values"] = [str(i) for i in range(len(meta_texts))]
        meta["variables"][1]["valueTexts"] = meta_texts
    server.expect_request(GROWTH, method="GET").respond_with_data(
        json.dumps(meta, ensure_ascii=False)
    )
    server.expect_request(GROWTH, method="POST").respond_with_data(data)


def test_republished_table_with_shifted_codes_gets_the_right_years(httpserver):
    # the 2025 edition starts at 2009: code 13 is now 2022, 14 is 2023, 15 the 2024 estimate
    texts = [str(y) for y in range(2009, 2024)] + ["Ước tính 2024"]
    _serve_growth(
        httpserver, texts, _growth_data({"14": "2023", "15": "Ước tính 2024"}, [-2.8, 9.1])
    )
    result = fetch_pxweb_table(_client(httpserver), SPECS["grdp_growth"])
    assert [(r["period_code"], r["value"], r["data_status"]) for r in result.rows] == [
        ("2023", -2.8, "official"),
        ("2024-EST", 9.1, "estimated"),
    ]
    posted = [r for r in data_requests(httpserver) if r.method == "POST"][0].get_json()
    assert posted["query"][1]["selection"]["values"] == ["14", "15"]


def test_code_whose_label_disagrees_with_the_metadata_refuses_the_table(httpserver):
    # metadata of the old edition (13 = 2023) but data of the new one (13 = 2022)
    _serve_growth(httpserver, None, _growth_data({"13": "2022", "14": "2023"}, [5.6, -2.77]))
    with pytest.raises(
        PxWebError, match=r"Năm code '13' is '2022' in the data answer but '2023' in the metadata"
    ):
        fetch_pxweb_table(_client(httpserver), SPECS["grdp_growth"])


def test_cells_not_asked_for_refuse_the_table(httpserver):
    _serve_growth(httpserver, None, _growth_data({"12": "2022", "13": "2023"}, [5.6, -2.77]))
    with pytest.raises(
        PxWebError, match=r"the answer has Năm '2022' \(code '12'\), which was not asked for"
    ):
        fetch_pxweb_table(_client(httpserver), SPECS["grdp_growth"])


def test_unit_in_the_answer_must_match_the_config(httpserver):
    data = _growth_data({"13": "2023", "14": "Ước tính 2024"}, [1.0, 2.0])
    data = data.replace(b"(%)", "(Tỷ đồng)".encode())
    _serve_growth(httpserver, None, data)
    with pytest.raises(PxWebError, match=r"the answer's unit is 'Tỷ đồng', the config expects '%'"):
        fetch_pxweb_table(_client(httpserver), SPECS["grdp_growth"])


# --- the wrong table ----------------------------------------------------------------------

TITLE = "Tốc độ tăng tổng sản phẩm trên địa bàn theo giá so sánh 2010 phân theo địa phương"


def _listing(*tables: tuple[str, str]) -> str:
    return json.dumps([{"id": i, "type": "t", "text": t} for i, t in tables], ensure_ascii=False)


def test_ambiguous_title_without_the_pin_is_refused_with_candidates(httpserver):
    httpserver.expect_request(f"/api/v1/vi/{FOLDER}/").respond_with_data(
        _listing(("V03.07.px", TITLE), ("V03.17.px", TITLE + " (quý)"))
    )
    with pytest.raises(PxWebError) as err:
        fetch_pxweb_table(_client(httpserver), SPECS["grdp_growth"] | {"table_id": "V03.06.px"})
    assert (
        "2 tables match 'toc do tang tong san pham tren dia ban .*phan theo dia phuong' and the pinned "
        "V03.06.px is not among them; refused rather than guessed. Candidates: V03.07.px "
        f"'{TITLE}'; V03.17.px '{TITLE} (quý)'. Set table_id in sources/statistics/config.yaml"
    ) in str(err.value)
    assert [r.path for r in data_requests(httpserver)] == [f"/api/v1/vi/{FOLDER}/"]


def test_pinned_table_wins_over_other_matches(httpserver):
    serve_recordings(httpserver)
    client = _client(httpserver)
    httpserver.clear()
    httpserver.expect_request(f"/api/v1/vi/{FOLDER}/").respond_with_data(
        _listing(("V03.17.px", TITLE + " (quý)"), ("V03.07.px", TITLE))
    )
    choice = client.find_table(FOLDER, SPECS["grdp_growth"]["title"], "V03.07.px")
    assert (choice.table_id, choice.moved, len(choice.candidates)) == ("V03.07.px", False, 2)


def test_single_moved_match_is_used_when_dimensions_and_unit_agree(httpserver):
    serve_recordings(httpserver)
    result = fetch_pxweb_table(
        _client(httpserver), SPECS["grdp_growth"] | {"table_id": "V03.06.px"}
    )
    assert result.moved and result.table_id == "V03.07.px"
    assert [r["value"] for r in result.rows] == [-2.77, 9.0]


def test_single_moved_match_with_other_dimensions_is_refused(httpserver):
    meta = _recorded("meta_grdp_growth.json")
    meta["variables"].append(
        {
            "code": "Giá",
            "text": "Giá",
            "values": ["0", "1"],
            "valueTexts": ["Giá 2010", "Giá hiện hành"],
        }
    )
    httpserver.expect_request(GROWTH, method="GET").respond_with_data(
        json.dumps(meta, ensure_ascii=False)
    )
    serve_recordings(httpserver)
    with pytest.raises(PxWebError, match=r"dimensions \['Giá'\] are not in the config"):
        fetch_pxweb_table(_client(httpserver), SPECS["grdp_growth"] | {"table_id": "V03.06.px"})


# --- formats --------------------------------------------------------------------------------


def test_jsonstat_2_dataset_is_parsed():
    doc = {
        "version": "2.0",
        "class": "dataset",
        "label": "GRDP bình quân đầu người (Triệu đồng)",
        "id": ["Địa phương", "Năm"],
        "size": [1, 2],
        "dimension": {
            "Địa phương": {
                "category": {"index": ["    Lai Châu"], "label": {"    Lai Châu": "    Lai Châu"}}
            },
            "Năm": {
                "category": {
                    "index": {"13": 0, "14": 1},
                    "label": {"13": "2023", "14": "Ước tính 2024"},
                }
            },
        },
        "value": [47.6, None],
        "status": {"1": "."},
    }
    table = parse_jsonstat_table(json.dumps(doc).encode())
    assert table.unit == "Triệu đồng"
    assert [(c.coords["Năm"], c.value, c.status) for c in table.cells] == [
        (("13", "2023"), 47.6, None),
        (("14", "Ước tính 2024"), None, "."),
    ]


def test_jsonstat_2_collection_is_refused_clearly():
    with pytest.raises(FetchError, match="JSON-stat 2.0 class 'collection' is not a dataset"):
        parse_jsonstat_table(b'{"version": "2.0", "class": "collection", "link": {}}')


PX_1252 = (
    'CHARSET="ANSI";\nTITLE="Population of Lai Châu";\nUNITS="nghìn";\nSTUB="Vùng";\nHEADING="Year";\n'
    'VALUES("Vùng")="Lai Châu","Hà Giang";\nVALUES("Year")="2023","2024";\nDATA=\n487.4 "."\n"..." 900.1;\n'
)


@pytest.mark.parametrize("codepage", ["", 'CODEPAGE="windows-1252";\n'])
def test_px_in_windows_1252_is_decoded(codepage):
    content = (codepage + PX_1252).encode("cp1252")
    with pytest.raises(UnicodeDecodeError):
        content.decode("utf-8")
    table = parse_px(content)
    assert table.unit == "nghìn"
    # "." and "..." keep their own meanings; neither becomes ".." nor 0
    assert [(c.coords["Vùng"][1], c.coords["Year"][1], c.value, c.status) for c in table.cells] == [
        ("Lai Châu", "2023", 487.4, None),
        ("Lai Châu", "2024", None, "."),
        ("Hà Giang", "2023", None, "..."),
        ("Hà Giang", "2024", 900.1, None),
    ]


def test_px_with_unknown_codepage_is_refused():
    with pytest.raises(PxWebError, match="unknown CODEPAGE 'klingon'"):
        parse_px(('CODEPAGE="klingon";\n' + PX_1252).encode("cp1252"))


def test_jsonstat_refused_with_400_is_asked_again_as_px(httpserver):
    path = "/api/v1/vi/Dân số và lao động/V02.01.px"
    httpserver.expect_request(
        path, method="POST", json={"query": [], "response": {"format": "json-stat"}}
    ).respond_with_data("format not supported", status=400)
    httpserver.expect_request(path, method="POST").respond_with_data(
        (RECORDED / "pxweb/data_population.px").read_bytes()
    )
    table = _client(httpserver).query("Dân số và lao động", "V02.01.px", {})
    assert [c.value for c in table.cells] == [478.9, 487.4, 495.7]


# --- World Bank --------------------------------------------------------------------------------


@pytest.mark.parametrize("records", [None, []])
def test_world_bank_empty_result_is_no_data(httpserver, records):
    httpserver.expect_request("/v2/country/VNM/indicator/NY.GDP.MKTP.KD.ZG").respond_with_data(
        json.dumps([{"page": 1, "pages": 0, "per_page": 100, "total": 0}, records])
    )
    client = WorldBankClient(httpserver.url_for("/v2"), live(retries=0))
    assert client.indicator("VNM", "NY.GDP.MKTP.KD.ZG") == []
    assert len(httpserver.log) == 1


# --- units --------------------------------------------------------------------------------------


def test_a_unit_is_served_whole_from_cache_or_fetched_whole(httpserver):
    """A cached edition's metadata is never paired with a new edition's data: when the cached
    unit lacks a request (here the config now asks from 2024), the whole table is fetched again."""
    from sources.statistics.cache import UnitTransport, fetch_unit

    _serve_growth(
        httpserver, None, _growth_data({"13": "2023", "14": "Ước tính 2024"}, [-2.77, 9.0])
    )
    first = UnitTransport(live())
    fetch_pxweb_table(PxWebClient(httpserver.url_for("/api/v1"), first), SPECS["grdp_growth"])
    cached = {a.request_key: a for a in first.answers}

    def fetch(spec):
        return lambda t: fetch_pxweb_table(PxWebClient(httpserver.url_for("/api/v1"), t), spec)

    httpserver.clear()
    texts = [str(y) for y in range(2009, 2024)] + ["Ước tính 2024"]
    _serve_growth(httpserver, texts, _growth_data({"15": "Ước tính 2024"}, [9.1]))
    same = fetch_unit(fetch(SPECS["grdp_growth"]), live(), cached)
    assert same.from_cache and [r["value"] for r in same.value.rows] == [-2.77, 9.0]
    assert data_requests(httpserver) == []

    later = fetch_unit(
        fetch(SPECS["grdp_growth"] | {"year": {"dimension": "Năm", "from": 2024}}), live(), cached
    )
    assert not later.from_cache and later.note == "cached answers incomplete; fetched again"
    assert [(r["period_code"], r["value"]) for r in later.value.rows] == [("2024-EST", 9.1)]
    assert [r.method for r in data_requests(httpserver)] == ["GET", "GET", "POST"]
