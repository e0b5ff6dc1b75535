"""Settings declared once: the statistics limits of the resource are the transport's ``Limits``."""

import re
from pathlib import Path

import dagster as dg
import pydantic
import pytest

from chitieu.resources import StatisticsLimits, StatisticsResource
from pipelines.resources import ENV_SETTINGS, build_resources
from sources.statistics.limits import Limits

ROOT = Path(__file__).resolve().parents[1]


def test_the_resource_takes_every_limit_with_its_default_and_description():
    assert Limits is StatisticsLimits
    for name, spec in StatisticsLimits.model_fields.items():
        field = StatisticsResource.model_fields[name]
        assert (field.default, field.description) == (spec.default, spec.description)
        assert spec.description


def test_limits_from_the_environment_reach_the_transport(monkeypatch):
    monkeypatch.setenv("CHITIEU_STATS_RETRIES", "2")
    monkeypatch.setenv("CHITIEU_STATS_TIMEOUT_SECONDS", "2.5")
    monkeypatch.setenv("CHITIEU_STATS_MAX_CALLS", "7")
    res = build_resources({"statistics": {"mode": "live"}})["statistics"]
    with dg.build_resources({"statistics": res}) as built:
        limits = built.statistics.limits()
    assert limits == Limits(retries=2, timeout_seconds=2.5, max_calls=7)
    assert (limits.request_deadline_seconds, limits.time_window_seconds) == (60.0, 10.0)
    transport = built.statistics.transport()
    assert transport.limits == limits and transport.throttle.max_calls == 7


def test_a_misspelt_limit_is_refused():
    with pytest.raises(pydantic.ValidationError, match="timeout"):
        Limits(timeout=5)


def test_configuration_doc_gives_each_limit_its_default():
    doc = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
    env = ENV_SETTINGS["statistics"]
    for name, spec in StatisticsLimits.model_fields.items():
        if name not in env:
            continue  # backoff_factor is set only in code (tests)
        row = next(line for line in doc.splitlines() if f"`{env[name]}`" in line)
        defaults = re.findall(r"`([\d.]+)`", row.split("|")[2])
        assert f"{spec.default:g}" in defaults, (env[name], defaults)


def _other_process_opens(path: Path) -> str:
    """What a second process gets when it opens the DuckDB file: 'opened' or DuckDB's error."""
    import subprocess
    import sys

    probe = (
        "import duckdb, sys\n"
        "try:\n    duckdb.connect(sys.argv[1]).close(); print('opened')\n"
        "except duckdb.Error as e:\n    print(type(e).__name__, e)\n"
    )
    out = subprocess.run([sys.executable, "-c", probe, str(path)], capture_output=True, text=True)
    return out.stdout.strip()


def test_a_run_holds_the_warehouse_from_start_to_end_and_releases_it_to_publish(tmp_path):
    from chitieu.resources import WarehouseResource

    path = tmp_path / "wh" / "chitieu.duckdb"
    with dg.build_resources({"warehouse": WarehouseResource(path=str(path))}) as built:
        warehouse = built.warehouse
        with warehouse.get_connection() as con:
            con.execute("create table core.a as select 42 as answer")
        with warehouse.get_connection() as con:  # the next step: the same database
            assert con.execute("select answer from core.a").fetchone() == (42,)
        assert _other_process_opens(path).startswith("IOException"), "held between steps"
        with warehouse.released() as released:
            assert released == str(path)
            assert _other_process_opens(path) == "opened", "free while it is copied"
        assert _other_process_opens(path).startswith("IOException"), "held again after"
    assert _other_process_opens(path) == "opened", "free once the run ends"


def test_a_warehouse_another_process_holds_fails_the_step_not_the_resource(tmp_path):
    import duckdb

    from chitieu.resources import WarehouseResource
    from tests.conftest import held_by_another_process

    path = tmp_path / "chitieu.duckdb"
    with (
        held_by_another_process(path) as pid,
        dg.build_resources({"warehouse": WarehouseResource(path=str(path))}) as built,
    ):
        assert built.warehouse.path == str(path), "the resource itself was built"
        with (
            pytest.raises(duckdb.IOException, match=rf"Conflicting lock is held .*PID {pid}"),
            built.warehouse.get_connection(),
        ):
            pass


def test_alert_ages_count_back_from_the_end_of_the_evaluation_date():
    from datetime import datetime

    from chitieu.resources import InputsResource

    end = InputsResource(as_of="2025-01-15").as_of_end()
    assert end == datetime.fromisoformat("2025-01-16T00:00:00+07:00")
    assert end.isoformat() == "2025-01-16T00:00:00+07:00"
