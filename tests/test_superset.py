"""The dashboard bundle in a real Superset: docs/bi.md's Superset steps run as written (install,
build the zip, import it), then Superset's own REST API serves every chart from the published
snapshot and the numbers are the mart's.

Slow (a Superset install the first time, ~3½ min; then 1–3 min): marked ``superset``, left out of
``make test`` and run by ``make test-superset`` (CI runs both). The virtual environment is a
cache (``var/ci/superset-venv``, or ``CHITIEU_SUPERSET_VENV``), rebuilt when
``bi/superset/requirements.txt`` changes; everything else lives in the test's tmp dir."""

from __future__ import annotations

import hashlib
import json
import os
import shlex
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest
import requests

from chitieu.attainment import STATUS_VI
from chitieu.reports import STATUS_COLOURS
from tests.test_bi_clients import DOC_PATH, doc_step

pytestmark = pytest.mark.superset

ROOT = Path(__file__).resolve().parents[1]
REQUIREMENTS = ROOT / "bi" / "superset" / "requirements.txt"
ADMIN = ("admin", "admin-test-only")


def _unavailable(message: str):
    if os.environ.get("CI"):
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


def _run(args: list[str], env: dict | None = None, timeout: int = 900) -> str:
    # from the repository, as the doc's relative paths (bi/superset/requirements.txt) mean
    done = subprocess.run(args, capture_output=True, text=True, env=env, timeout=timeout, cwd=ROOT)
    assert done.returncode == 0, (
        f"{shlex.join(args)} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    )
    return done.stdout


@pytest.fixture(scope="module")
def superset_bin() -> Path:
    """Step 1 of the doc: a virtual environment with the pinned Superset and duckdb-engine,
    reused while bi/superset/requirements.txt is unchanged."""
    venv = Path(os.environ.get("CHITIEU_SUPERSET_VENV") or ROOT / "var" / "ci" / "superset-venv")
    stamp = venv / ".requirements.sha256"
    digest = hashlib.sha256(REQUIREMENTS.read_bytes()).hexdigest()
    if not (stamp.exists() and stamp.read_text() == digest):
        shutil.rmtree(venv, ignore_errors=True)
        step = shlex.split(doc_step("superset-install"))
        assert step[:2] == ["pip", "install"], step
        started = time.monotonic()
        try:
            subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
            _run([str(venv / "bin" / "python"), "-m", *step, "--quiet"], timeout=1800)
        except (AssertionError, subprocess.SubprocessError) as exc:
            shutil.rmtree(venv, ignore_errors=True)
            _unavailable(f"cannot install Superset from {REQUIREMENTS.name}: {exc}")
        stamp.write_text(digest)
        print(f"Superset installed in {time.monotonic() - started:.0f} s")
    return venv / "bin"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def superset(superset_bin, published_once, tmp_path_factory):
    """A Superset with a SQLite metadata database in tmp, the bundle imported by the doc's
    commands, serving on a free local port. Yields a logged-in API session."""
    home = tmp_path_factory.mktemp("superset_home")
    config = home / "superset_config.py"
    config.write_text(
        f'SECRET_KEY = "test-only-{os.urandom(8).hex()}"\n'
        f'SQLALCHEMY_DATABASE_URI = "sqlite:///{home / "superset.db"}"\n',
        encoding="utf-8",
    )
    env = os.environ | {"SUPERSET_CONFIG_PATH": str(config), "SUPERSET_HOME": str(home)}
    superset = str(superset_bin / "superset")
    started = time.monotonic()
    _run([superset, "db", "upgrade"], env)
    _run(
        [superset, "fab", "create-admin", "--username", ADMIN[0], "--password", ADMIN[1]]
        + ["--firstname", "Chi", "--lastname", "Tieu", "--email", "admin@example.org"],
        env,
    )
    _run([superset, "init"], env)

    # step 2 and 3 of the doc, as written
    published = published_once["publish"].published_path
    bundle = home / "chitieu_dashboard.zip"
    build = shlex.split(
        doc_step("superset-bundle")
        .replace(DOC_PATH, published)
        .replace("chitieu_dashboard.zip", str(bundle))
    )
    assert build[:3] == ["python", "-m", "chitieu.superset_bundle"]
    _run([sys.executable, *build[1:]], env)
    imp = shlex.split(doc_step("superset-import").replace("chitieu_dashboard.zip", str(bundle)))
    assert imp[:2] == ["superset", "import-dashboards"] and imp[-2:] == ["-u", ADMIN[0]]
    _run([superset, *imp[1:]], env)
    setup_seconds = time.monotonic() - started

    port = _free_port()
    log = (home / "server.log").open("w")
    server = subprocess.Popen(
        [superset, "run", "-h", "127.0.0.1", "-p", str(port), "--with-threads"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            try:
                if requests.get(f"{base}/health", timeout=2).status_code == 200:
                    break
            except requests.ConnectionError:
                pass
            assert server.poll() is None, (home / "server.log").read_text()[-3000:]
            time.sleep(0.5)
        else:
            pytest.fail("Superset did not answer /health in 60 s")
        print(f"Superset set up and imported in {setup_seconds:.0f} s")
        session = requests.Session()
        login = session.post(
            f"{base}/api/v1/security/login",
            json={"username": ADMIN[0], "password": ADMIN[1], "provider": "db"},
            timeout=30,
        )
        assert login.status_code == 200, login.text
        session.headers["Authorization"] = f"Bearer {login.json()['access_token']}"
        session.base = base
        yield session
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


def _get(api, path: str, **kwargs) -> dict:
    response = api.get(f"{api.base}{path}", timeout=120, **kwargs)
    assert response.status_code == 200, f"GET {path}: {response.status_code} {response.text[:500]}"
    return response.json()


def _mart(published_once, sql: str) -> list[tuple]:
    with duckdb.connect(published_once["publish"].published_path, read_only=True) as con:
        return con.execute(sql).fetchall()


@pytest.fixture(scope="module")
def dashboard(superset) -> dict:
    found = _get(superset, "/api/v1/dashboard/chitieu")["result"]
    charts = _get(superset, "/api/v1/dashboard/chitieu/charts")["result"]
    return found | {"charts": {c["slice_name"]: c for c in charts}}


def _chart_data(api, dashboard: dict, name: str) -> list[dict]:
    chart_id = dashboard["charts"][name]["id"]
    (result,) = _get(api, f"/api/v1/chart/{chart_id}/data/")["result"]
    assert result["status"] == "success" and result["error"] is None, result
    return result["data"]


def test_the_imported_dashboard_has_its_charts_colours_and_filters(superset, dashboard):
    assert dashboard["dashboard_title"] == "Chỉ tiêu kế hoạch / Plan targets"
    assert len(dashboard["charts"]) == 6
    metadata = json.loads(dashboard["json_metadata"])
    for status, label in STATUS_VI.items():
        assert metadata["label_colors"][label].lower() == STATUS_COLOURS[status].lower()
    datasets = {
        d["table_name"]: d["id"]
        for d in _get(superset, "/api/v1/dataset/", params={"q": "(page_size:100)"})["result"]
    }
    assert {"target_attainment", "submission_status", "indicator_series"} <= set(datasets)
    filters = {f["name"]: f["targets"][0] for f in metadata["native_filter_configuration"]}
    # the import rewired every filter to the dataset ids of this Superset
    assert {name: t["datasetId"] for name, t in filters.items()} == {
        name: datasets["target_attainment"] for name in filters
    }


def test_every_chart_answers_with_the_marts_numbers(superset, dashboard, published_once):
    met = _chart_data(superset, dashboard, "Chỉ tiêu ước đạt và vượt / Targets met")
    (expected_met,) = _mart(
        published_once,
        "select count(*) from mart.target_attainment where status in ('achieved', 'on_track')",
    )
    assert met == [{"meeting": expected_met[0]}]

    pie = _chart_data(superset, dashboard, "Đánh giá chỉ tiêu / Target status")
    by_status = _mart(
        published_once, "select status_vi, count(*) from mart.target_attainment group by 1"
    )
    assert {r["status_vi"]: r["count"] for r in pie} == dict(by_status)
    assert [r["count"] for r in pie] == sorted((r["count"] for r in pie), reverse=True)

    by_group = _chart_data(superset, dashboard, "Đánh giá theo nhóm chỉ tiêu / Status by group")
    assert {(r["group_name_vi"], r["status_vi"]): r["count"] for r in by_group} == {
        (g, s): n
        for g, s, n in _mart(
            published_once,
            "select group_name_vi, status_vi, count(*) from mart.target_attainment group by 1, 2",
        )
    }

    # raw mode: every target, no GROUP BY folding identical rows; display values, not raw ones
    table = _chart_data(superset, dashboard, "Tình hình thực hiện từng chỉ tiêu / Every target")
    rows = _mart(
        published_once,
        "select name_vi, actual_value_display, status_vi from mart.target_attainment",
    )
    got = [(r["name_vi"], r["actual_value_display"], r["status_vi"]) for r in table]
    assert sorted(map(repr, got)) == sorted(map(repr, rows))

    submissions = _chart_data(superset, dashboard, "Tình hình nộp báo cáo / Submission status")
    assert (
        sum(r["count"] for r in submissions)
        == _mart(published_once, "select count(*) from mart.submission_status")[0][0]
    )

    series = _chart_data(superset, dashboard, "Diễn biến số liệu / Indicator series")
    assert len(series) == _mart(published_once, "select count(*) from mart.indicator_series")[0][0]


def test_a_group_filter_narrows_a_chart_as_the_dashboard_filter_does(
    superset, dashboard, published_once
):
    """The native group filter sends the chart's query with the chosen group; Superset
    answers with that group's counts."""
    (group, n_group), *_ = _mart(
        published_once,
        "select group_name_vi, count(*) from mart.target_attainment group by 1 order by 2 desc, 1",
    )
    chart = _get(
        superset, f"/api/v1/chart/{dashboard['charts']['Đánh giá chỉ tiêu / Target status']['id']}"
    )
    context = json.loads(chart["result"]["query_context"])
    context["queries"][0]["filters"] = [{"col": "group_name_vi", "op": "IN", "val": [group]}]
    response = superset.post(f"{superset.base}/api/v1/chart/data", json=context, timeout=120)
    assert response.status_code == 200, response.text[:500]
    (result,) = response.json()["result"]
    assert sum(r["count"] for r in result["data"]) == n_group
    assert "group_name_vi IN" in result["query"]

    values = _get(
        superset,
        f"/api/v1/datasource/table/{context['datasource']['id']}/column/department_name_vi/values/",
    )["result"]
    assert sorted(v for v in values if v is not None) == [
        r[0]
        for r in _mart(
            published_once,
            "select distinct department_name_vi from mart.target_attainment "
            "where department_name_vi is not null order by 1",
        )
    ]
