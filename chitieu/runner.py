"""What a cron user needs around one in-process run: an exclusive lock, a one-line cause, a log file.

``chitieu run`` is often started by cron while someone else starts it by hand, or the previous night
is still running. DuckDB fails at once on a second writer, so both runs could fail and nothing would
be published; a lock file beside the warehouse turns that into one clear refusal instead.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path


class RunInProgress(RuntimeError):
    """Another ``chitieu run`` holds the warehouse lock."""


def lock_path(warehouse: str | Path) -> Path:
    return Path(f"{warehouse}.lock")


@contextmanager
def exclusive_run(warehouse: str | Path) -> Iterator[Path]:
    """Hold an exclusive lock on ``<warehouse>.lock`` for the whole run (released by the OS if the
    process dies). The file records the holder's pid and start time for the refusal message."""
    path = lock_path(warehouse)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 200, 0).decode("utf-8", "replace").split()
            pid, started = (holder + ["?", "?"])[:2]
            raise RunInProgress(
                f"a run is already in progress (pid {pid}, started at {started}); lock file {path}"
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(
            fd, f"{os.getpid()} {datetime.now(UTC).isoformat(timespec='seconds')}\n".encode(), 0
        )
        try:
            yield path
        finally:
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


@dataclass(frozen=True)
class StepFailure:
    """One failed step: the asset it materialises and the original exception's message, on one line."""

    asset: str
    cause: str

    def line(self) -> str:
        return f"FAILED {self.asset}: {self.cause}"


# Dagster's own exceptions, and its retry request: a step that exhausted its RetryPolicy fails
# with "Exceeded max_retries of 2", whose cause is the last attempt's own exception.
WRAPPERS = ("Dagster", "RetryRequested")


def original_error(error):
    """The first exception below Dagster's own wrappers ("Error occurred while executing op",
    "Exceeded max_retries of 2")."""
    while error is not None and error.cls_name.startswith(WRAPPERS) and error.cause is not None:
        error = error.cause
    return error


def one_line(error) -> str:
    """``module.Class: message`` of a SerializableErrorInfo, without the class and on one line."""
    message = error.message
    prefix, sep, rest = message.partition(": ")
    if sep and "." in prefix and " " not in prefix:
        message = rest
    parts = [part.strip() for part in message.strip().splitlines() if part.strip()]
    head = [p for p in parts if not p.startswith("- ")]
    items = [p.removeprefix("- ") for p in parts if p.startswith("- ")]
    return " ".join(head + ["; ".join(items)] if items else head)


def failures(result) -> list[StepFailure]:
    """Failed steps of an in-process result, in order, each with its original cause; a failed
    blocking check is reported once, with its rules and first failing cells."""
    return run_causes(
        [e for e in result.all_events if e.is_step_failure], result.get_asset_check_evaluations()
    )


def stored_failures(instance, run_id: str, step_failure_events) -> list[StepFailure]:
    """:func:`failures` of a finished run read back from ``instance`` (the run-failure sensor's
    view): its STEP_FAILURE events and the check evaluations stored for the run."""
    from dagster import DagsterEventType

    records = instance.all_logs(run_id, of_type=DagsterEventType.ASSET_CHECK_EVALUATION)
    evaluations = [r.dagster_event.event_specific_data for r in records if r.dagster_event]
    return run_causes(step_failure_events, evaluations)


def run_causes(step_failure_events, evaluations) -> list[StepFailure]:
    """The failed steps' causes, then each failed blocking check with its rules and cells. Used
    alike by ``chitieu run`` (an in-process result) and the run-failure sensor (stored events),
    so both alerts say the same."""
    out, check_steps = [], []
    for e in step_failure_events:
        if (f := step_failure(e)) is not None:
            out.append(f)
        else:
            check_steps.append(StepFailure(step_asset(e), one_line(cause(e))))
    # a check step failed without a stored evaluation: its own message
    return out + (blocked_checks(evaluations) or check_steps)


def cause(event):
    """The original error of a STEP_FAILURE event, below Dagster's wrappers."""
    return original_error(event.event_specific_data.error)


def step_asset(event) -> str:
    """The asset a step's key names (``raw__submissions`` → ``raw/submissions``)."""
    return event.step_key.replace("__", "/")


def step_failure(event) -> StepFailure | None:
    """The asset and original cause of a STEP_FAILURE event; None for a blocking check's step,
    which :func:`blocked_checks` reports with its rules and cells."""
    error = cause(event)
    if error.cls_name == "DagsterAssetCheckFailedError":
        return None
    return StepFailure(step_asset(event), one_line(error))


def blocked_checks(evaluations) -> list[StepFailure]:
    """Failed blocking checks (ERROR severity) among AssetCheckEvaluations: their downstream
    steps were skipped, not failed. WARN failures block nothing and are alerted by
    check_failure_alert_sensor."""
    from dagster import AssetCheckSeverity

    out = []
    for evaluation in evaluations:
        if evaluation.passed or evaluation.severity != AssetCheckSeverity.ERROR:
            continue
        meta = evaluation.metadata or {}
        rules = meta.get("failed_rules")
        cells = meta.get("first_failing_cells")
        detail = " ".join((cells.value if cells is not None else "").split())
        out.append(
            StepFailure(
                f"{evaluation.asset_key.to_user_string()} check {evaluation.check_name}",
                f"rules {rules.value if rules is not None else '?'} failed; {detail}".strip(),
            )
        )
    return out


@dataclass(frozen=True)
class CheckWarning:
    """An asset check that failed with severity WARN: warnings only, nothing blocked."""

    run_id: str
    asset: str
    check: str
    rules: str
    cells: str


def check_warning(evaluation, run_id: str) -> CheckWarning | None:
    """The WARN failure of an AssetCheckEvaluation, or None (passed, or ERROR: a blocking
    failure that fails the run and is alerted once, by the run-failure alert)."""
    from dagster import AssetCheckSeverity

    if evaluation.passed or evaluation.severity != AssetCheckSeverity.WARN:
        return None
    meta = evaluation.metadata or {}
    rules, cells = meta.get("failed_rules"), meta.get("first_failing_cells")
    return CheckWarning(
        run_id,
        evaluation.asset_key.to_user_string(),
        evaluation.check_name,
        str(rules.value) if rules is not None else "?",
        str(cells.value) if cells is not None else "",
    )


def write_log(result, directory: str | Path) -> Path:
    """Every event of the run, with full tracebacks, to ``<directory>/run-<time>-<run id>.log``."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    path = directory / f"run-{stamp}-{result.run_id[:8]}.log"
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(f"run {result.run_id} success={result.success}\n")
        for event in result.all_events:
            fh.write(f"{event.event_type_value} {event.step_key or '-'}: {event.message or ''}\n")
            data = event.event_specific_data
            error = getattr(data, "error", None)
            if error is not None:
                fh.write(error.to_string() + "\n")
    return path


def run_url(base_url: str, run_id: str) -> str:
    """The run's page in the Dagster UI (``CHITIEU_UI_URL``), or just the run id without one."""
    return f"{base_url.rstrip('/')}/runs/{run_id}" if base_url else f"run {run_id}"
