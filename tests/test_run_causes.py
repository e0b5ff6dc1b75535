"""What a failed ``chitieu run`` says: the real cause of a retried step, bad settings refused at
start, and nothing else on stderr."""

import os
import subprocess
import sys
from pathlib import Path

import dagster as dg
import pytest

from chitieu import runner
from chitieu.cli import main
from chitieu.resources import StatisticsResource
from chitieu.settings import SettingError
from pipelines.resources import build_resources

ROOT = Path(__file__).resolve().parents[1]


def test_a_step_that_exhausts_its_retries_reports_the_last_attempts_own_cause():
    @dg.asset(key=["raw", "flaky"], retry_policy=dg.RetryPolicy(max_retries=1, delay=0))
    def flaky(context: dg.AssetExecutionContext):
        raise ValueError(f"attempt {context.retry_number + 1} failed")

    result = dg.materialize([flaky], raise_on_error=False)
    retried = [
        e for e in result.all_events if e.event_type == dg.DagsterEventType.STEP_UP_FOR_RETRY
    ]
    assert len(retried) == 1, "the policy really retried the step"
    assert runner.failures(result) == [
        runner.StepFailure("raw/flaky", "ValueError: attempt 2 failed")
    ]


@pytest.mark.parametrize(
    ("var", "value", "expected"),
    [
        ("CHITIEU_SETTLE_SECONDS", "abc", "a whole number (0 or more)"),
        ("CHITIEU_MAX_FILE_MB", "-5", "a whole number (0 or more)"),
        ("CHITIEU_STATS_TIMEOUT_SECONDS", "soon", "a number of seconds (0 or more)"),
        ("CHITIEU_STATS_MODE", "online", "offline or live"),
    ],
)
def test_a_bad_setting_is_refused_at_start_in_one_line(
    cron_env, monkeypatch, capsys, var, value, expected
):
    monkeypatch.setenv(var, value)
    problem = f"{var}: found {value!r}, expected {expected}"
    assert main(["run"]) == 2
    captured = capsys.readouterr()
    assert captured.err == f"chitieu run: {problem}\n"
    assert captured.out == ""
    assert not (cron_env / "wh").exists(), "nothing ran"
    # the code location (dagster dev) refuses it with the same words
    with pytest.raises(SettingError) as refused:
        build_resources()
    assert str(refused.value) == problem


def test_an_unknown_statistics_mode_fails_its_asset_at_once(resources):
    """A setting is not an outage: the asset's RetryPolicy (30 s, then 60 s) does not apply."""
    from assets.statistics import pxweb_observations

    assert pxweb_observations.op.retry_policy.max_retries == 2
    bad = resources | {"statistics": StatisticsResource(mode="online")}
    result = dg.materialize([pxweb_observations], resources=bad, raise_on_error=False)
    events = {e.event_type for e in result.all_events}
    assert dg.DagsterEventType.STEP_UP_FOR_RETRY not in events
    assert runner.failures(result) == [
        runner.StepFailure(
            "raw/pxweb_observations", "CHITIEU_STATS_MODE: found 'online', expected offline or live"
        )
    ]


def _chitieu_run(cwd: Path) -> subprocess.CompletedProcess:
    """``chitieu run`` as cron starts it: the installed command, in its own process."""
    chitieu = Path(sys.executable).parent / "chitieu"
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    return subprocess.run(
        [str(chitieu), "run"], cwd=cwd, env=env, capture_output=True, text=True, timeout=600
    )


def test_a_catalogue_number_int_cannot_read_is_one_line_naming_file_entry_and_line(
    cron_env, monkeypatch
):
    plans = cron_env / "plans"
    plans.mkdir()
    lines = (ROOT / "sources" / "plans" / "lai-chau-2024.yaml").read_text("utf-8").splitlines()
    third = [n for n, x in enumerate(lines) if x.startswith("- code: ")][2]
    code = lines[third].removeprefix("- code: ")
    item = next(n for n in range(third, len(lines)) if lines[n].startswith("  item: "))
    lines[item] += " {oops"  # "item: 3 {oops": YAML reads it as text
    plan = plans / "lai-chau-2024.yaml"
    plan.write_text("\n".join(lines) + "\n", encoding="utf-8")
    monkeypatch.setenv("CHITIEU_PLANS_DIR", str(plans))
    done = _chitieu_run(cron_env)
    assert done.returncode == 1, done.stderr[-3000:]
    value = lines[item].removeprefix("  item: ")
    # stderr, which cron mails, is the log's path and the cause: no warning, no trace
    log, failed = done.stderr.splitlines()
    assert failed == (
        f"FAILED core/dim_target: {plan}: 1 problem(s): line {item + 1}: entry 3 ({code}): "
        f"item: found {value!r}, expected a whole number"
    )
    assert log.startswith(f"full log: {cron_env / 'wh' / 'logs'}/run-")
