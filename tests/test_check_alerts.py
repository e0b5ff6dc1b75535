"""Failed asset checks are alerted once: WARN failures by check_failure_alert_sensor's run (the
sensor keeps a storage-id cursor and never sends), ERROR failures by the run-failure alert only."""

import dagster as dg
import duckdb

from chitieu.resources import AlertsResource
from chitieu.runner import failures
from pipelines.jobs import check_warning_alert_job, run_failure_alert_job
from pipelines.sensors import check_failure_alert_sensor, run_failure_alert_sensor
from tests.conftest import all_assets, make_resources

HEADER = "plan_id,target_code,area_code,period_code,value,data_status,note\n"
# the manual observations and what they need (the reference dimensions, the catalogue)
SELECTION = (
    dg.AssetSelection.assets(["raw", "manual_observations"])
    .upstream()
    .required_multi_asset_neighbors()
)


def _night(tmp_path, inputs_dir, letter: str, port: int, instance=None):
    (inputs_dir / "observations" / "letter.csv").write_text(HEADER + letter, encoding="utf-8")
    resources = make_resources(tmp_path, inputs_dir)
    resources["alerts"] = AlertsResource(
        urls=(
            f"mailto://127.0.0.1:{port}?smtp=127.0.0.1&mode=insecure"
            "&from=chitieu@example.org&to=ops@example.org"
        ),
        ui_url="http://ui.example.org",
    )
    instance = instance or dg.DagsterInstance.ephemeral()
    result = dg.materialize(
        all_assets(),
        resources=resources,
        instance=instance,
        selection=SELECTION,
        raise_on_error=False,
    )
    return resources, instance, result


def _tick(instance, resources, cursor=None):
    return check_failure_alert_sensor(
        dg.build_sensor_context(
            instance=instance, cursor=cursor, resources={"alerts": resources["alerts"]}
        )
    )


def test_a_check_warning_is_alerted_once_by_the_requested_run(tmp_path, inputs_dir, smtp):
    port, mailbox = smtp
    # two districts report 1.000 jobs each against the province's 6.100 (sample line 102):
    # 2.000 / 6.100 = 0,327869, outside the district_total warning band 0,98-1,02
    letter = (
        "lai-chau-2024,jobs_created,105,2024-9M,1000,reported,district letter\n"
        "lai-chau-2024,jobs_created,106,2024-9M,1000,reported,district letter\n"
    )
    resources, instance, result = _night(tmp_path, inputs_dir, letter, port)
    assert result.success, "a warning blocks nothing"
    (manual,) = [
        e
        for e in result.get_asset_check_evaluations()
        if e.check_name == "manual_observations_suite"
    ]
    assert not manual.passed and manual.severity == dg.AssetCheckSeverity.WARN

    first = _tick(instance, resources)
    (request,) = first.run_requests
    (warning,) = request.run_config["ops"]["send_check_warning_alerts"]["config"]["warnings"]
    assert warning["run_id"] == result.run_id
    assert (warning["asset"], warning["check"], warning["rules"]) == (
        "raw/manual_observations",
        "manual_observations_suite",
        "district_total",
    )
    assert "lai-chau-2024.sample.csv line 102: found 0.327869" in warning["cells"]
    mailbox.wait_for(1, seconds=0.5)
    assert mailbox.messages == [], "evaluating the sensor (a UI preview) sends nothing"

    # the cursor is the last evaluation's storage id: the next tick finds nothing new
    assert int(first.cursor) > 0
    second = _tick(instance, resources, first.cursor)
    assert isinstance(second, dg.SkipReason)
    # a preview without the daemon's cursor requests the same run again: its run key dedups it
    assert _tick(instance, resources).run_requests[0].run_key == request.run_key

    for _ in range(2):  # executed twice (a re-execution): still one e-mail
        assert check_warning_alert_job.execute_in_process(
            run_config=request.run_config,
            resources={"alerts": resources["alerts"], "warehouse": resources["warehouse"]},
            instance=instance,
        ).success
    mailbox.wait_for(2, seconds=1.0)
    (message,) = mailbox.messages
    assert mailbox.recipients == [("ops@example.org",)]
    assert str(message["Subject"]) == (
        "[chitieu] Cảnh báo kiểm tra dữ liệu / Data check warning: "
        "raw/manual_observations manual_observations_suite"
    )
    body = message.get_body(preferencelist=("plain",)).get_content()
    assert "quy tắc district_total" in body and "line 102: found 0.327869" in body
    assert f"http://ui.example.org/runs/{result.run_id}" in body
    with duckdb.connect(resources["warehouse"].path, read_only=True) as con:
        rows = con.execute(
            "select alert_key like 'check:raw/manual_observations:manual_observations_suite:%', "
            "status, attempts from ops.alert_deliveries"
        ).fetchall()
    assert rows == [(True, "sent", 1)]


def test_a_blocking_check_failure_gives_the_run_failure_alert_only(tmp_path, inputs_dir, smtp):
    """The alert run the daemon starts says what ``chitieu run`` says: the check's rules and
    cells, read back from the instance's stored events (a sqlite instance on disk)."""
    port, mailbox = smtp
    letter = "lai-chau-2024,forest_cover,12,2024-EST,152.9,estimated,typo\n"
    (tmp_path / "dagster").mkdir()
    with dg.DagsterInstance.local_temp(str(tmp_path / "dagster")) as instance:
        resources, instance, result = _night(tmp_path, inputs_dir, letter, port, instance)
        assert not result.success
        (manual,) = [
            e
            for e in result.get_asset_check_evaluations()
            if e.check_name == "manual_observations_suite"
        ]
        assert not manual.passed and manual.severity == dg.AssetCheckSeverity.ERROR

        tick = _tick(instance, resources)
        assert not tick.run_requests, (
            "an ERROR failure is the run-failure alert's, not a second one"
        )
        assert int(tick.cursor) > 0
        failure = next(
            e for e in result.all_events if e.event_type == dg.DagsterEventType.RUN_FAILURE
        )
        with dg.build_run_status_sensor_context(
            sensor_name="run_failure_alert_sensor",
            dagster_event=failure,
            dagster_instance=instance,
            dagster_run=instance.get_run_by_id(result.run_id),
        ) as context:
            request = run_failure_alert_sensor(context.for_run_failure())
        (cause,) = request.run_config["ops"]["send_run_failure_alert"]["config"]["causes"]
        # the line chitieu run prints (tests/test_alerts.py), not Dagster's step message
        assert [cause] == [f.line() for f in failures(result)]
        assert cause.startswith(
            "FAILED raw/manual_observations check manual_observations_suite: "
            "rules percent_range failed; "
        )
        assert "letter.csv line 2: found 152.9" in cause
        mailbox.wait_for(1, seconds=0.3)
        assert mailbox.messages == [], "evaluating the sensor sends nothing"
        assert run_failure_alert_job.execute_in_process(
            run_config=request.run_config,
            resources={"alerts": resources["alerts"], "warehouse": resources["warehouse"]},
            instance=instance,
        ).success
    mailbox.wait_for(1)
    (message,) = mailbox.messages
    body = message.get_body(preferencelist=("plain",)).get_content()
    assert "rules percent_range failed" in body and "letter.csv line 2: found 152.9" in body
    assert "blocking asset check failed" not in body


def test_chitieu_run_alerts_a_check_warning_once_across_nights(
    cron_env, inputs_dir, smtp, monkeypatch, capsys
):
    """Cron users have no sensors: ``chitieu run`` sends the check warning itself, once."""
    from chitieu.cli import main

    port, mailbox = smtp
    (inputs_dir / "observations" / "letter.csv").write_text(
        HEADER
        + "lai-chau-2024,jobs_created,105,2024-9M,1000,reported,district letter\n"
        + "lai-chau-2024,jobs_created,106,2024-9M,1000,reported,district letter\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("CHITIEU_MANUAL_DIR", str(inputs_dir / "observations"))
    monkeypatch.setenv(
        "CHITIEU_ALERT_URLS",
        f"mailto://127.0.0.1:{port}?smtp=127.0.0.1&mode=insecure"
        "&from=chitieu@example.org&to=ops@example.org",
    )
    for flags in ([], ["--full"]):
        assert main(["run", "--as-of", "2025-01-15", "--publish", *flags]) == 0
    capsys.readouterr()
    mailbox.wait_for(99, seconds=1.0)
    warnings = [m for m in mailbox.messages if "Data check warning" in str(m["Subject"])]
    assert [str(m["Subject"]) for m in warnings] == [
        "[chitieu] Cảnh báo kiểm tra dữ liệu / Data check warning: "
        "raw/manual_observations manual_observations_suite"
    ]
