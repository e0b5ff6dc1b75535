"""What a failed ``chitieu run`` says: the real cause of a retried step, bad settings refused at
start, and nothing else on stderr."""

import dagster as dg
import pytest

from chitieu import runner
from chitieu.cli import main
from chitieu.resources import StatisticsResource
from chitieu.settings import SettingError
from pipelines.resources import build_resources


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
