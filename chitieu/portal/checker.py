"""The warm checker: worker processes that keep the plans, the reference data and the GX context
loaded, and run the nightly job's own one-file check (``check_submission``) on each upload.

A separate process bounds each check in time (a file that takes too long is abandoned and the
worker replaced) and keeps a crash in a reader from taking the web server down.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

_STATE: dict = {}


@dataclass(frozen=True)
class Verdict:
    """What the page shows: status, problems (bilingual, with cell) and the figures read."""

    status: str  # accepted | warned | rejected
    sha256: str
    period_code: str | None
    value_count: int
    report: str
    problems: list[dict] = field(default_factory=list)
    figures: list[dict] = field(default_factory=list)

    @property
    def errors(self) -> list[dict]:
        return [p for p in self.problems if p["severity"] == "error"]

    @property
    def warnings(self) -> list[dict]:
        return [p for p in self.problems if p["severity"] != "error"]


class CheckFailed(Exception):
    """The check did not finish: it ran out of time (``timed_out``) or its worker died."""

    def __init__(self, timed_out: bool):
        super().__init__("timeout" if timed_out else "worker died")
        self.timed_out = timed_out


def _plan_for(plans: list, today: date):
    """The plan a file naming no readable plan or period is checked against: among annual plans,
    the only one, this year's, or the latest. A file that names one is checked against it (chosen
    in the isolated child, ``chitieu.plan_choice``)."""
    from chitieu.plan_choice import annual_plans

    plans = annual_plans(plans) or plans
    if len(plans) == 1:
        return plans[0]
    return next((p for p in plans if p.year == today.year), max(plans, key=lambda p: p.year))


def _history():
    """Earlier figures from the published snapshot, re-read when the snapshot is replaced."""
    path = Path(_STATE["published_path"])
    try:
        stamp = path.stat().st_mtime_ns
    except FileNotFoundError:
        return None
    if _STATE.get("history_stamp") != stamp:
        import duckdb

        from assets.submissions import history

        with duckdb.connect(str(path), read_only=True) as con:
            _STATE["history"] = history(con)
        _STATE["history_stamp"] = stamp
    return _STATE.get("history")


def _init(plans_dir: str, reference_dir: str, published_path: str) -> None:
    """Worker start-up: load plans and reference data, and run one check so GX is imported and its
    context, suite and batch definition are built before the first department waits."""
    from chitieu.catalogue import load_plan
    from chitieu.reference import load_reference
    from chitieu.submissions.parser import Submission, Value
    from chitieu.validation.submissions import validate_submissions

    ref = load_reference(reference_dir)
    plans = [load_plan(p, ref) for p in sorted(Path(plans_dir).glob("*.yaml"))]
    _STATE.update(ref=ref, plans=plans, published_path=published_path)
    plan = _plan_for(plans, date.today())
    target = plan.targets[0]
    warm = Submission("warm-up.xlsx", "warm-up", target.department_code, f"{plan.year}-9M")
    warm.plan_id = plan.plan_id
    warm.add_value(Value(target.code, "", f"{plan.year}-9M", "actual", 1.0, "1", "Biểu", "Biểu!E4"))
    validate_submissions([warm], [plan], ref, _history())


def _ping() -> int:
    return os.getpid()


def _check(path: str, department: str) -> Verdict:
    from chitieu.submissions.check import check_submission
    from chitieu.submissions.report import render_report

    plans = _STATE["plans"]
    default = _plan_for(plans, date.today())
    sub = check_submission(path, plans, _STATE["ref"], department, _history(), default=default)
    status = "rejected" if sub.errors else ("warned" if sub.warnings else "accepted")
    problems = [
        {
            "severity": p.severity,
            "rule": p.rule,
            "cell": p.cell,
            "found": p.found,
            "expected": p.expected,
            "detail": p.detail,
            "message_vi": p.message_vi,
            "message_en": p.message_en,
            "fix_vi": p.fix_vi,
            "fix_en": p.fix_en,
        }
        for p in sub.errors + sub.warnings
    ]
    figures = [v._asdict() for v in sub.values] if status != "rejected" else []
    return Verdict(
        status, sub.sha256, sub.period_code, sub.value_count, render_report(sub), problems, figures
    )


class Checker:
    """A pool of warm check processes (spawned, so nothing of the server's threads is inherited)."""

    def __init__(self, plans_dir: str, reference_dir: str, published_path: str, workers: int = 1):
        self._args = (plans_dir, reference_dir, published_path)
        self.workers = max(1, workers)
        self._pool: ProcessPoolExecutor | None = None
        self._lock = threading.RLock()

    def start(self) -> None:
        """Start the workers and wait until each has warmed up."""
        self._pool = ProcessPoolExecutor(
            self.workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_init,
            initargs=self._args,
        )
        for f in [self._pool.submit(_ping) for _ in range(self.workers)]:
            f.result()

    def check(self, path: str | Path, department: str, timeout: float) -> Verdict:
        """Check one file as ``department``'s; raises CheckFailed after ``timeout`` seconds."""
        with self._lock:
            if self._pool is None:
                self.start()
            pool = self._pool
        future = pool.submit(_check, str(path), department)
        try:
            return future.result(timeout=timeout)
        except (FutureTimeout, BrokenProcessPool) as exc:
            self._restart(pool)
            raise CheckFailed(isinstance(exc, FutureTimeout)) from exc

    def _restart(self, pool: ProcessPoolExecutor) -> None:
        with self._lock:
            if self._pool is not pool:  # another request already replaced it
                return
            self._pool = None
            # the executor has no public way to stop a running task; its processes are ours to end
            for proc in list((pool._processes or {}).values()):
                proc.kill()
            pool.shutdown(wait=False, cancel_futures=True)
            self.start()

    def stop(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
