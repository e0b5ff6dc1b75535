"""What a failed ``chitieu run`` says: the real cause of a retried step, bad settings refused at
start, and nothing else on stderr."""

import dagster as dg

from chitieu import runner


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
