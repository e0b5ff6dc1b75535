"""Running it nightly: one-line failure causes, the run lock, alerts sent by runs only."""

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from chitieu.alert_channels import AlertConfigError, validate_urls
from chitieu.cli import main
from chitieu.resources import AlertsResource
from chitieu.runner import RunInProgress, exclusive_run
from pipelines.jobs import run_failure_alert_job
from pipelines.sensors import inbox_sensor, run_failure_alert_sensor
from tests.conftest import held_by_another_process, run_nightly
from tests.test_alerts import SECRET, _hooks, channels  # noqa: F401  (the fixture is test_alerts')

ROOT = Path(__file__).resolve().parents[1]


def _corrupt_catalogue(tmp_path, monkeypatch) -> tuple[Path, int]:
    plans = tmp_path / "plans"
    plans.mkdir()
    source = (ROOT / "sources" / "plans" / "lai-chau-2024.yaml").read_text(encoding="utf-8")
    lines = source.splitlines()
    n = next(i for i, x in enumerate(lines) if x.startswith("  year: "))
    lines[n] = lines[n] + ": x"  # "year: 2024: x", a mapping where YAML allows none
    (plans / "lai-chau-2024.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    monkeypatch.setenv("CHITIEU_PLANS_DIR", str(plans))
    return plans / "lai-chau-2024.yaml", n + 1


def test_corrupt_catalogue_ends_with_one_line_naming_file_and_line(
    cron_env, monkeypatch, capsys, httpserver
):
    plan, line = _corrupt_catalogue(cron_env, monkeypatch)
    httpserver.expect_request("/hook", method="POST").respond_with_data("ok")
    monkeypatch.setenv("CHITIEU_ALERT_URLS", f"json://{httpserver.host}:{httpserver.port}/hook")
    monkeypatch.setenv("CHITIEU_UI_URL", "http://dagster.example.org:3000/")
    assert main(["run"]) == 1
    captured = capsys.readouterr()
    # the local webhook server (werkzeug, in this process) logs its requests to stderr too
    lines = [x for x in captured.err.strip().splitlines() if not x.startswith("127.0.0.1 - -")]
    assert lines[-1].startswith(
        f"FAILED core/dim_target: {plan}: 1 problem(s): line {line}, column"
    )
    assert "YAML syntax error" in lines[-1]
    assert len(lines) == 2 and lines[0].startswith("full log: ")
    assert "Traceback" not in captured.err and "Error occurred while executing" not in captured.err
    log = Path(lines[0].removeprefix("full log: "))
    text = log.read_text(encoding="utf-8")
    assert log.parent == cron_env / "wh" / "logs"
    assert "CatalogueError" in text and 'File "' in text and "ScannerError" in text
    hooks = _hooks(httpserver)
    assert len(hooks) == 1 and hooks[0]["type"] == "failure"
    assert hooks[0]["title"] == "[chitieu] Lần chạy thất bại / Run failed: nightly"
    assert lines[-1] in hooks[0]["message"]
    assert "http://dagster.example.org:3000/runs/" in hooks[0]["message"]


def test_lock_refuses_a_second_holder_with_pid_and_start(tmp_path):
    warehouse = tmp_path / "chitieu.duckdb"
    holding = rf"pid {os.getpid()}, started at 20\d\d-"
    with (
        exclusive_run(warehouse),
        pytest.raises(RunInProgress, match=holding),
        exclusive_run(warehouse),
    ):
        pass
    with exclusive_run(warehouse):  # released afterwards
        pass


def test_two_runs_at_once_one_clear_refusal(cron_env, capsys):
    warehouse = cron_env / "wh" / "chitieu.duckdb"
    lock = Path(f"{warehouse}.lock")
    first = subprocess.Popen(
        [sys.executable, "-m", "chitieu.cli", "run"],
        cwd=cron_env,
        env=os.environ | {"PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not (lock.exists() and lock.read_text().strip()):
        time.sleep(0.05)
    holder = lock.read_text().split()
    assert holder[0] == str(first.pid)
    assert main(["run"]) == 3
    err = capsys.readouterr().err.strip()
    assert err == (
        f"chitieu run: a run is already in progress (pid {first.pid}, started at {holder[1]}); "
        f"lock file {lock}"
    )
    out, err = first.communicate(timeout=240)
    assert first.returncode == 0, err
    assert err == "", "cron mails whatever a run prints on stderr: nothing on success"
    assert "Ước đạt và vượt" in out


def test_a_warehouse_held_by_another_process_is_one_failed_line_and_one_alert(
    cron_env, monkeypatch, capsys, httpserver
):
    warehouse = cron_env / "wh" / "chitieu.duckdb"
    warehouse.parent.mkdir(parents=True)
    httpserver.expect_request("/hook", method="POST").respond_with_data("ok")
    monkeypatch.setenv("CHITIEU_ALERT_URLS", f"json://{httpserver.host}:{httpserver.port}/hook")
    with held_by_another_process(warehouse) as pid:
        assert main(["run"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith(f"FAILED warehouse: {warehouse}: IO Error: ")
    assert "Conflicting lock is held" in err[0] and f"(PID {pid})" in err[0]
    (hook,) = [json.loads(req.get_data()) for req, _ in httpserver.log]
    assert hook["type"] == "failure" and err[0] in hook["message"]
    assert "Details" not in hook["message"], "no run, so no run page to link"


def test_a_full_night_on_a_held_warehouse_stops_at_once_with_one_line(cron_env, capsys):
    warehouse = cron_env / "wh" / "chitieu.duckdb"
    warehouse.parent.mkdir(parents=True)
    duckdb.connect(str(warehouse)).close()
    with held_by_another_process(warehouse) as pid:
        started = time.monotonic()
        assert main(["run", "--full"]) == 1
        elapsed = time.monotonic() - started
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert line.startswith(f"FAILED warehouse: {warehouse}: IO Error: ")
    assert f"(PID {pid})" in line
    assert elapsed < 30, "refused before the run, not after the network assets' retries"


def test_a_bad_as_of_setting_is_refused_before_anything_runs(cron_env, monkeypatch, capsys):
    monkeypatch.setenv("CHITIEU_AS_OF", "2024-13-45")
    assert main(["run"]) == 2
    assert capsys.readouterr().err == (
        "chitieu run: CHITIEU_AS_OF: found '2024-13-45', expected a date YYYY-MM-DD\n"
    )
    assert not (cron_env / "wh" / "chitieu.duckdb").exists()


def test_alert_urls_are_checked_at_start_without_showing_secrets(cron_env, monkeypatch, capsys):
    bad = "mailtos://ops:Hunter2Secret@smtp.example.org:notaport?to=ops@example.org"
    with pytest.raises(AlertConfigError) as exc:
        validate_urls(f"json://localhost/hook {bad}")
    assert "channel 2 (mailtos://smtp.example.org)" in str(exc.value)
    assert "Hunter2" not in str(exc.value)
    monkeypatch.setenv("CHITIEU_ALERT_URLS", bad)
    assert main(["run"]) == 2
    err = capsys.readouterr().err
    assert "CHITIEU_ALERT_URLS: channel 1 (mailtos://smtp.example.org)" in err
    assert "Hunter2" not in err
    assert not (cron_env / "wh" / "chitieu.duckdb").exists(), "nothing runs with a bad channel"
    with pytest.raises(AlertConfigError):
        AlertsResource(urls=bad).setup_for_execution(dg.build_init_resource_context())


def test_previewing_each_sensor_sends_nothing(channels, smtp, httpserver, inputs_dir):  # noqa: F811
    """Sensors only request runs: evaluating them (as the UI's preview does) sends nothing; the
    failure alert goes out when the requested alert run executes."""
    _, mailbox = smtp
    instance = dg.DagsterInstance.ephemeral()
    instance.add_dynamic_partitions("plans", ["lai-chau-2024"])
    tick = inbox_sensor(
        dg.build_sensor_context(instance=instance, resources={"inputs": channels["inputs"]})
    )
    assert len(tick.run_requests) == 1
    time.sleep(0.3)
    assert _hooks(httpserver) == [] and mailbox.messages == [], "the inbox tick sent nothing"
    plan = inputs_dir / "plans" / "lai-chau-2024.yaml"
    plan.write_text(
        plan.read_text(encoding="utf-8").replace("department: ctk", "department: nowhere", 1),
        encoding="utf-8",
    )
    result = run_nightly(channels, instance=instance, raise_on_error=False)
    assert not result.success
    sent_by_run = len(_hooks(httpserver))
    failure = next(e for e in result.all_events if e.event_type == dg.DagsterEventType.RUN_FAILURE)
    context = dg.build_run_status_sensor_context(
        sensor_name="run_failure_alert_sensor",
        dagster_event=failure,
        dagster_instance=instance,
        dagster_run=instance.get_run_by_id(result.run_id),
    ).for_run_failure()
    request = run_failure_alert_sensor(context)
    time.sleep(0.3)
    assert len(_hooks(httpserver)) == sent_by_run and not [
        m for m in mailbox.messages if "Run failed" in str(m["Subject"])
    ]
    assert request.run_key == result.run_id
    causes = request.run_config["ops"]["send_run_failure_alert"]["config"]["causes"]
    assert len(causes) == 1 and causes[0].startswith("FAILED core/dim_target: ")
    assert "unknown department 'nowhere'" in causes[0] or "nowhere" in causes[0]
    alerts = AlertsResource(
        urls=channels["alerts"].urls,
        ui_url="http://ui.example.org",
    )
    for _ in range(2):  # the alert run twice (a re-execution): one alert per channel
        assert run_failure_alert_job.execute_in_process(
            run_config=request.run_config,
            resources={"alerts": alerts, "warehouse": channels["warehouse"]},
            instance=instance,
        ).success
    hooks = [h for h in _hooks(httpserver) if "Run failed" in h["title"]]
    assert len(hooks) == 1 and hooks[0]["type"] == "failure"
    assert causes[0] in hooks[0]["message"]
    assert f"http://ui.example.org/runs/{result.run_id}" in hooks[0]["message"]
    for _ in range(50):
        if any("Run failed" in str(m["Subject"]) for m in mailbox.messages):
            break
        time.sleep(0.05)
    assert [str(m["Subject"]) for m in mailbox.messages if "Run failed" in str(m["Subject"])] == [
        f"[chitieu] Lần chạy thất bại / Run failed: {instance.get_run_by_id(result.run_id).job_name}"
    ]
    assert json.dumps(hooks).find(SECRET) == -1
    with duckdb.connect(channels["warehouse"].path, read_only=True) as con:
        tracked = con.execute(
            "select channel_name, status, attempts from ops.alert_deliveries "
            "where alert_key = ? order by channel_name",
            [f"run_failure:{result.run_id}"],
        ).fetchall()
    assert [(s, n) for _, s, n in tracked] == [("sent", 1), ("sent", 1)]


def test_a_night_with_nothing_new_is_not_run_again(cron_env, capsys, monkeypatch):
    assert main(["run"]) == 0
    first = capsys.readouterr().out
    assert "log: " in first
    assert main(["run"]) == 0
    again = capsys.readouterr().out
    assert again.startswith("nothing changed since run ")
    assert "Ước đạt và vượt 36/48 chỉ tiêu" in again and "log: " not in again
    manual = next((ROOT / "sources" / "observations").glob("*.csv"))
    changed = cron_env / "observations"
    changed.mkdir()
    (changed / manual.name).write_bytes(manual.read_bytes())
    monkeypatch.setenv("CHITIEU_MANUAL_DIR", str(changed))
    assert main(["run"]) == 0, "a new setting (another folder) is a change"
    assert "log: " in capsys.readouterr().out
    assert main(["run"]) == 0
    assert capsys.readouterr().out.startswith("nothing changed")
    (changed / manual.name).write_bytes(manual.read_bytes() + b"\n")
    assert main(["run"]) == 0, "an edited input file is a change"
    assert "log: " in capsys.readouterr().out
    assert main(["run", "--full"]) == 0
    assert "log: " in capsys.readouterr().out


def test_a_night_with_nothing_new_answers_without_importing_dagster(cron_env, capsys):
    assert main(["run"]) == 0
    capsys.readouterr()
    probe = (
        "import sys; from chitieu.cli import main; code = main(['run']) or main(['run', '--table']); "
        "print('dagster imported:', 'dagster' in sys.modules, 'pandas imported:', "
        "'pandas' in sys.modules); sys.exit(code)"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, env=os.environ
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.startswith("nothing changed since run ")
    assert "Ước đạt và vượt 36/48 chỉ tiêu" in done.stdout
    assert done.stdout.rstrip().endswith("dagster imported: False pandas imported: False")
    # a reader that goes away (`chitieu run --table | head -1`) gets no traceback
    piped = subprocess.Popen(
        [sys.executable, "-m", "chitieu.cli", "run", "--table"],
        cwd=ROOT,
        env=os.environ,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    piped.stdout.close()
    err = piped.stderr.read().decode()
    assert piped.wait(timeout=60) == 141 and err == "", "128 + SIGPIPE, not a failed run's 1"


def test_unchanged_data_is_not_validated_again_nor_data_docs_rebuilt(tmp_path):
    import duckdb
    import pandas as pd

    from chitieu.validation.bridge import data_docs_index
    from chitieu.validation.cache import validate_once

    frame = pd.DataFrame(
        {
            "row_id": [0, 1],
            "target_code": ["forest_cover", "forest_cover"],
            "value": [52.9, 152.9],
            "percent_value": [52.9, 152.9],
            "source_file": ["a.csv", "a.csv"],
            "line": [2, 3],
            "loaded_at": ["night 1", "night 1"],
        }
    ).set_index("row_id", drop=False)
    docs = tmp_path / "gx"
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        keep = ("source_file", "line")
        first, reused = validate_once(con, "manual_observations", frame, str(docs), keep)
        assert not reused
        index = Path(data_docs_index(str(docs)))
        built = index.stat().st_mtime_ns
        night2 = frame.assign(loaded_at="night 2")  # bookkeeping only
        second, reused = validate_once(con, "manual_observations", night2, str(docs), keep)
        assert reused and second == first
        assert index.stat().st_mtime_ns == built, "Data Docs are not rebuilt"
        edited = frame.assign(value=[52.9, 53.0], percent_value=[52.9, 53.0])
        third, reused = validate_once(con, "manual_observations", edited, str(docs), keep)
        assert not reused
        assert [f.rule for f in first.failures if f.found == 152.9] == ["percent_range"]
        assert not [f for f in third.failures if f.found == 152.9]
