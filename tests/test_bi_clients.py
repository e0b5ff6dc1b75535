"""BI clients open the published snapshot: the oldest supported DuckDB (Python and CLI) in a
separate environment, following docs/bi.md step by step, and the Superset bundle's datasets."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
import zipfile
from pathlib import Path

import duckdb
import pytest
import sqlalchemy as sa
import yaml

from chitieu.attainment import STATUS_VI
from chitieu.superset_bundle import TOP_FOLDER, load_bundle, main

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "bi.md"
DOC_PATH = "var/published/chitieu.duckdb"


def doc_step(name: str) -> str:
    """The fenced block that follows ``<!-- step: name -->`` in docs/bi.md."""
    text = DOC.read_text(encoding="utf-8")
    m = re.search(rf"<!-- step: {re.escape(name)} -->\s*```\w*\n(.*?)\n\s*```", text, re.S)
    assert m, f"docs/bi.md has no step {name!r}"
    return "\n".join(line.strip() for line in m.group(1).splitlines())


def run_step(name: str, venv_bin: Path, published: str) -> str:
    """Run a one-command step as the doc writes it, with the venv's programs and the test's file."""
    args = shlex.split(doc_step(name).replace(DOC_PATH, published))
    args[0] = str(venv_bin / args[0])
    done = subprocess.run(args, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, f"step {name}: {done.stderr}"
    return done.stdout


@pytest.fixture(scope="session")
def oldest_clients(tmp_path_factory) -> Path:
    """A fresh virtual environment with the doc's oldest supported clients (pip install steps)."""
    venv = tmp_path_factory.mktemp("oldest_duckdb") / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    for step in ("python-install", "cli-install"):
        command = shlex.split(doc_step(step))
        assert command[:2] == ["pip", "install"], command
        subprocess.run(
            [
                str(venv / "bin" / "python"),
                "-m",
                *command,
                "--quiet",
                "--disable-pip-version-check",
            ],
            check=True,
            timeout=600,
        )
    return venv / "bin"


def test_the_working_file_is_unreadable_by_the_oldest_client(published_once, oldest_clients):
    # the working file is DuckDB 2.0's format: the oldest client refuses it, proving the test can fail
    done = subprocess.run(
        [
            str(oldest_clients / "python"),
            "-c",
            "import duckdb,sys; duckdb.connect(sys.argv[1], read_only=True)",
            published_once["warehouse"].path,
        ],
        capture_output=True,
        text=True,
    )
    assert done.returncode != 0 and "version" in done.stderr.lower()


def test_oldest_python_duckdb_reads_the_published_snapshot(published_once, oldest_clients):
    version = subprocess.run(
        [str(oldest_clients / "python"), "-c", "import duckdb; print(duckdb.__version__)"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert version == "1.1.0"
    out = run_step("python-query", oldest_clients, published_once["publish"].published_path)
    assert out.strip() == doc_step("python-output")


def test_oldest_duckdb_cli_follows_the_doc(published_once, oldest_clients):
    out = run_step("cli-query", oldest_clients, published_once["publish"].published_path)
    assert out.strip() == doc_step("cli-output")
    with duckdb.connect(published_once["publish"].published_path, read_only=True) as con:
        live = con.execute(
            "select status, count(*) from mart.target_attainment"
            " where plan_id = 'lai-chau-2024' group by 1 order by 1"
        ).fetchall()
    assert out.strip().splitlines()[1:] == [f"{s},{n}" for s, n in live]


# --- Superset ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def bundle(published_once, tmp_path_factory) -> dict[str, dict]:
    """Step 2 of docs/bi.md, as written: the zip Superset imports, read back."""
    out = tmp_path_factory.mktemp("superset") / "chitieu_dashboard.zip"
    command = shlex.split(
        doc_step("superset-bundle")
        .replace(DOC_PATH, published_once["publish"].published_path)
        .replace("chitieu_dashboard.zip", str(out))
    )
    assert command[:3] == ["python", "-m", "chitieu.superset_bundle"]
    assert main(command[3:]) == 0
    with zipfile.ZipFile(out) as zf:
        names = zf.namelist()
        assert all(n.startswith(f"{TOP_FOLDER}/") for n in names)
        return {
            n.removeprefix(f"{TOP_FOLDER}/"): yaml.safe_load(zf.read(n).decode("utf-8"))
            for n in names
        }


def _by(bundle: dict, folder: str) -> dict[str, dict]:
    return {doc["uuid"]: doc for name, doc in bundle.items() if name.startswith(f"{folder}/")}


def _dataset_sql(ds: dict) -> str:
    return ds["sql"] or f"select * from {ds['schema']}.{ds['table_name']}"


def test_superset_bundle_layout_and_references(bundle):
    assert bundle["metadata.yaml"] == {
        "version": "1.0.0",
        "type": "Dashboard",
        "timestamp": bundle["metadata.yaml"]["timestamp"],
    }
    databases, datasets, charts = (_by(bundle, f) for f in ("databases", "datasets", "charts"))
    dashboards = _by(bundle, "dashboards")
    assert len(databases) == 1 and len(datasets) == 3 and len(charts) == 6 and len(dashboards) == 1
    assert all(ds["database_uuid"] in databases for ds in datasets.values())
    assert all(c["dataset_uuid"] in datasets for c in charts.values())
    (dash,) = dashboards.values()
    placed = {
        v["meta"]["uuid"]
        for v in dash["position"].values()
        if isinstance(v, dict) and v.get("type") == "CHART"
    }
    assert placed == set(charts)
    for key, node in dash["position"].items():
        if isinstance(node, dict):
            assert all(child in dash["position"] for child in node.get("children", [])), key
    filters = {f["name"]: f for f in dash["metadata"]["native_filter_configuration"]}
    assert sorted(filters) == ["Cơ quan / Department", "Kế hoạch / Plan", "Nhóm chỉ tiêu / Group"]
    for f in filters.values():
        (target,) = f["targets"]
        columns = {c["column_name"] for c in datasets[target["datasetUuid"]]["columns"]}
        assert target["column"]["name"] in columns


def test_superset_charts_use_only_dataset_columns_and_metrics(bundle):
    datasets = _by(bundle, "datasets")
    for chart in _by(bundle, "charts").values():
        ds = datasets[chart["dataset_uuid"]]
        columns = {c["column_name"] for c in ds["columns"]}
        metrics = {m["metric_name"] for m in ds["metrics"]}
        p = chart["params"]
        used_columns = [*p.get("groupby", []), *p.get("all_columns", [])]
        used_columns += [p["x_axis"]] if "x_axis" in p else []
        used_metrics = [*p.get("metrics", []), *([p["metric"]] if "metric" in p else [])]
        assert set(used_columns) <= columns, chart["slice_name"]
        assert set(used_metrics) <= metrics, chart["slice_name"]
        assert used_columns or used_metrics


def test_superset_datasets_run_against_the_published_snapshot(bundle, published_once):
    (database,) = _by(bundle, "databases").values()
    uri = database["sqlalchemy_uri"]
    assert uri == (
        f"duckdb:///{Path(published_once['publish'].published_path).resolve()}?access_mode=read_only"
    )
    engine = sa.create_engine(uri)
    try:
        with engine.connect() as con:
            for ds in _by(bundle, "datasets").values():
                sql = _dataset_sql(ds)
                result = con.execute(sa.text(f"select * from ({sql}) as t limit 1"))
                assert {c["column_name"] for c in ds["columns"]} <= set(result.keys())
                for m in ds["metrics"]:
                    value = con.execute(
                        sa.text(f"select {m['expression']} from ({sql}) as t")
                    ).scalar()
                    assert value is not None, (ds["table_name"], m["metric_name"])
            meeting = con.execute(
                sa.text(
                    "select count(*) filter (where status in ('achieved', 'on_track'))"
                    " from mart.target_attainment where plan_id = 'lai-chau-2024'"
                )
            ).scalar()
    finally:
        engine.dispose()
    assert meeting == 36


def test_superset_status_colours_match_the_reports(bundle, published_once):
    from chitieu.reports import STATUS_COLOURS

    (dash,) = _by(bundle, "dashboards").values()
    colours = dash["metadata"]["label_colors"]
    for status, label in STATUS_VI.items():
        assert colours[label].lower() == STATUS_COLOURS[status].lower()
    with duckdb.connect(published_once["publish"].published_path, read_only=True) as con:
        labels = {
            r[0] for r in con.execute("select status_vi from mart.submission_status").fetchall()
        }
    assert labels <= set(colours)


def test_bundle_sources_are_the_repository_yaml():
    sources = load_bundle()
    assert "dashboards/chitieu_plan_targets.yaml" in sources
    assert sources["databases/chitieu.yaml"]["sqlalchemy_uri"].startswith("duckdb:////")
