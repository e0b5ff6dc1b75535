"""The code location loads, with the asset keys, job and schedule it should have."""

from datetime import datetime
from zoneinfo import ZoneInfo

import dagster as dg
import pytest

from pipelines.definitions import build_definitions, defs

ASSET_KEYS = sorted(
    [
        "core/dim_area",
        "core/dim_figure_precedence",
        "core/dim_source_kind",
        "core/dim_label",
        "core/dim_department",
        "core/dim_period",
        "core/dim_plan",
        "core/dim_plan_group",
        "core/dim_target",
        "core/dim_unit",
        "core/expected_reports",
        "core/fact_national_indicator",
        "core/fact_observation",
        "core/fact_population",
        "mart/attainment_history",
        "mart/attainment_summary",
        "mart/indicator_series",
        "mart/source_discrepancies",
        "mart/source_loads",
        "mart/target_attainment",
        "ops/department_alerts",
        "ops/discrepancy_alerts",
        "ops/late_alerts",
        "ops/statistics_alerts",
        "ops/submission_alerts",
        "publish/attainment_report",
        "publish/exports",
        "publish/warehouse",
        "raw/manual_observations",
        "raw/portal_events",
        "mart/submission_changes",
        "mart/submission_status",
        "raw/pxweb_observations",
        "raw/submission_problems",
        "raw/submission_values",
        "raw/submissions",
        "raw/worldbank_observations",
    ]
)


def test_definitions_load_with_snapshotted_keys():
    d = build_definitions()
    keys = sorted(k.to_user_string() for k in d.resolve_all_asset_keys())
    assert keys == ASSET_KEYS


def test_workspace_entry_point_is_lazy_definitions():
    # @dg.definitions defers building (and reading the environment) to load time
    assert not isinstance(defs, dg.Definitions)
    assert sorted(k.to_user_string() for k in defs().resolve_all_asset_keys()) == ASSET_KEYS


def test_nightly_job_is_in_process():
    job = build_definitions().resolve_job_def("nightly")
    assert job.executor_def.name == "in_process"
    assert sorted(k.to_user_string() for k in job.asset_layer.executable_asset_keys) == ASSET_KEYS


def test_schedule_runs_nightly_in_vietnam_time():
    schedule = build_definitions().resolve_schedule_def("nightly_schedule")
    assert (schedule.cron_schedule, schedule.execution_timezone, schedule.job_name) == (
        "0 2 * * *",
        "Asia/Ho_Chi_Minh",
        "nightly",
    )
    assert schedule.default_status == dg.DefaultScheduleStatus.STOPPED
    at = datetime(2026, 12, 1, 2, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
    with dg.instance_for_test() as instance:
        with dg.build_schedule_context(instance=instance, scheduled_execution_time=at) as context:
            # before the plan sensor registered any plan there is nothing to run
            assert schedule.evaluate_tick(context).run_requests == []
        instance.add_dynamic_partitions("plans", ["lai-chau-2024", "lai-chau-2021-2025"])
        with dg.build_schedule_context(instance=instance, scheduled_execution_time=at) as context:
            requests = schedule.evaluate_tick(context).run_requests
    # one run for every registered plan (a single-run partition range)
    assert [r.tags for r in requests] == [
        {
            "dagster/asset_partition_range_start": "lai-chau-2024",
            "dagster/asset_partition_range_end": "lai-chau-2021-2025",
            "dagster/schedule_name": "nightly_schedule",
        }
    ]


def test_cron_comes_from_the_environment_at_load_time(monkeypatch):
    monkeypatch.setenv("CHITIEU_NIGHTLY_CRON", "30 23 * * 1-5")
    assert (
        build_definitions().resolve_schedule_def("nightly_schedule").cron_schedule
        == "30 23 * * 1-5"
    )


def test_resources_bind_env_vars_only_when_set(monkeypatch, tmp_path):
    monkeypatch.delenv("CHITIEU_WAREHOUSE", raising=False)
    assert build_definitions().resources["warehouse"].path == "var/chitieu.duckdb"
    monkeypatch.setenv("CHITIEU_WAREHOUSE", str(tmp_path / "x.duckdb"))
    bound = build_definitions().resources["warehouse"]
    assert isinstance(bound.path, dg.EnvVar) and bound.path.env_var_name == "CHITIEU_WAREHOUSE"


@pytest.mark.parametrize(
    "module", ["pipelines.definitions", "assets.marts", "chitieu.catalogue", "chitieu.attainment"]
)
def test_import_does_not_pull_great_expectations(module):
    import subprocess
    import sys

    code = f"import sys, {module}; sys.exit(1 if 'great_expectations' in sys.modules else 0)"
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0


def test_integer_setting_from_the_environment_runs(monkeypatch, tmp_path, cron_env):
    from chitieu.cli import main

    monkeypatch.setenv("CHITIEU_STATS_TTL_MINUTES", "90")
    monkeypatch.setenv("CHITIEU_STATS_MODE", "offline")
    resources = build_definitions().resources
    assert resources["statistics"].ttl_minutes.env_var_name == "CHITIEU_STATS_TTL_MINUTES"
    assert main(["run", "--warehouse", str(tmp_path / "w.duckdb")]) == 0


def test_warehouse_writing_runs_are_serialised_by_a_pool(tmp_path):
    """DuckDB fails at once on a second writer: the nightly job holds the warehouse pool and
    dagster.yaml gives each pool one slot, per run."""
    import shutil
    from pathlib import Path

    from chitieu.resources import WAREHOUSE_POOL

    d = build_definitions()
    pools = {node.definition.pool for node in d.resolve_job_def("nightly").graph.nodes}
    assert WAREHOUSE_POOL in pools
    # every asset and check that opens the DuckDB warehouse, computed from the code location
    writers = {
        node.name: node.definition.pool
        for node in d.resolve_job_def("nightly").graph.nodes
        if "warehouse" in node.definition.required_resource_keys
    }
    assert len(writers) >= 25, sorted(writers)
    assert {name for name, pool in writers.items() if pool != WAREHOUSE_POOL} == set()
    shutil.copy(Path(__file__).resolve().parents[1] / "dagster.yaml", tmp_path / "dagster.yaml")
    instance = dg.DagsterInstance.from_config(str(tmp_path))
    config = instance.get_concurrency_config()
    assert config.pool_config.default_pool_limit == 1
    assert config.pool_config.pool_granularity.value == "run"
    assert not config.run_queue_config.tag_concurrency_limits


def test_schedule_and_sensors_are_stopped_by_default():
    d = build_definitions()
    assert d.resolve_schedule_def("nightly_schedule").default_status == (
        dg.DefaultScheduleStatus.STOPPED
    )
    for name in ("inbox_sensor", "run_failure_alert_sensor"):
        assert d.resolve_sensor_def(name).default_status == dg.DefaultSensorStatus.STOPPED
    # it starts no run, it only registers the plan partitions the schedule and inbox runs need
    assert d.resolve_sensor_def("plan_partitions_sensor").default_status == (
        dg.DefaultSensorStatus.RUNNING
    )


def test_assets_carry_owners_kinds_tags_and_warehouse_schema():
    d = build_definitions()
    specs = {s.key.to_user_string(): s for a in d.assets for s in a.specs}
    target = specs["core/dim_target"]
    assert target.owners == ["team:data-engineering"]
    assert target.kinds == {"duckdb", "yaml", "great_expectations"}
    assert target.tags["layer"] == "core"
    assert target.metadata["dagster/table_name"] == "chitieu.core.dim_target"
    columns = {c.name: c for c in target.metadata["dagster/column_schema"].columns}
    assert "target_code" in columns and columns["target_code"].description
    assert specs["raw/submissions"].kinds == {"duckdb", "excel"}
    assert specs["raw/pxweb_observations"].kinds == {"duckdb", "pxweb", "great_expectations"}
    assert "dagster/table_name" not in specs["publish/exports"].metadata
    assert all(s.owners for s in specs.values()) and all(s.kinds for s in specs.values())
    assets = {a.key.to_user_string(): a for a in d.assets if a.is_executable and len(a.keys) == 1}
    for key in ("raw/pxweb_observations", "raw/worldbank_observations"):
        policy = assets[key].op.retry_policy
        assert policy is not None and policy.max_retries == 2 and policy.delay == 30
    assert assets["mart/target_attainment"].op.retry_policy is None


def test_plans_are_a_partition_dimension_of_the_marts():
    d = build_definitions()
    graph = d.resolve_asset_graph()
    partitioned = sorted(
        k.to_user_string() for k in graph.get_all_asset_keys() if graph.get(k).partitions_def
    )
    assert partitioned == ["mart/attainment_history", "mart/target_attainment"]
    assert graph.get(dg.AssetKey(["mart", "target_attainment"])).partitions_def.name == "plans"
    assert d.resolve_job_def("nightly").partitions_def.name == "plans"


def test_plan_sensor_registers_the_plan_files_as_partitions(tmp_path):
    from chitieu.resources import InputsResource
    from pipelines.sensors import plan_partitions_sensor

    with dg.instance_for_test() as instance:
        instance.add_dynamic_partitions("plans", ["lai-chau-2019"])
        context = dg.build_sensor_context(instance=instance, resources={"inputs": InputsResource()})
        result = plan_partitions_sensor(context)
        requests = {type(r).__name__: r.partition_keys for r in result.dynamic_partitions_requests}
        assert requests == {
            "AddDynamicPartitionsRequest": ["lai-chau-2021-2025", "lai-chau-2024", "lai-chau-2025"],
            "DeleteDynamicPartitionsRequest": ["lai-chau-2019"],
        }
        # the sensor only asks; nothing is registered until the daemon applies the requests
        assert instance.get_dynamic_partitions("plans") == ["lai-chau-2019"]
        instance.delete_dynamic_partition("plans", "lai-chau-2019")
        instance.add_dynamic_partitions(
            "plans", ["lai-chau-2021-2025", "lai-chau-2024", "lai-chau-2025"]
        )
        again = plan_partitions_sensor(
            dg.build_sensor_context(instance=instance, resources={"inputs": InputsResource()})
        )
        assert isinstance(again, dg.SkipReason)
