"""Parse one untrusted file in a child process with hard limits, so that no file can stop the night.

The child is forked (no re-import, no pickling of the plan: a few milliseconds, see
``benchmarks/parse_throughput.py``), caps its own address space (``RLIMIT_AS``) and CPU time
(``RLIMIT_CPU``), parses, and sends the ``Submission`` back through a pipe. The parent waits at
most a wall-clock timeout. A native abort, a segfault, a memory or time limit, or any exception
in the child becomes one ``unreadable`` problem for that file; the caller goes on with the next.
"""

from __future__ import annotations

import faulthandler
import multiprocessing
import os
import resource
import signal
from dataclasses import dataclass
from pathlib import Path

from chitieu.catalogue import Plan
from chitieu.reference import Reference
from chitieu.submissions.parser import Submission, parse_submission
from chitieu.submissions.problems import Problem


@dataclass(frozen=True)
class ParseLimits:
    """Per-file limits; ``timeout_seconds`` is wall-clock, ``memory_mb`` is added to the child's
    starting address space (the forked parent's mappings count against RLIMIT_AS too)."""

    timeout_seconds: float = 60.0
    memory_mb: int = 1024
    isolate: bool = True


def _vm_bytes() -> int:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")


def _parse(path, plan, ref, department, content, default) -> Submission:
    """Parse for ``plan``, or for the one of the plans ``plan`` lists that the file names."""
    if isinstance(plan, Plan):
        return parse_submission(path, plan, ref, department, content=content)
    from chitieu.plan_choice import parse_for_plans

    return parse_for_plans(path, plan, ref, department, content, default)


def _child(conn, path, plan, ref, department, content, limits: ParseLimits, default) -> None:
    # a native abort here is an expected outcome: no fault dump or Rust backtrace on stderr
    faulthandler.disable()
    os.dup2(os.open(os.devnull, os.O_WRONLY), 2)
    try:
        budget = _vm_bytes() + limits.memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (budget, budget))
        cpu = int(limits.timeout_seconds) + 1
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
        try:
            result = ("ok", _parse(path, plan, ref, department, content, default))
        except MemoryError:
            result = ("memory", "")
        except Exception as exc:  # any bug or library error met by one file costs that file
            result = ("error", f"{type(exc).__name__}: {exc}"[:300])
        conn.send(result)
    finally:
        conn.close()
        os._exit(0)  # no atexit handlers or flushes of the parent's copied state


def _failed(path: Path, sha256: str, department, detail: str, found: str) -> Submission:
    sub = Submission(str(path), sha256, department)
    sub.problems.append(Problem("unreadable", path.name, found=found, detail=detail))
    return sub


def _signal_name(code: int | None) -> str:
    if code is None or code >= 0:
        return f"exit code {code}"
    try:
        return signal.Signals(-code).name
    except ValueError:
        return f"signal {-code}"


def parse_isolated(
    path: str | Path,
    plan: Plan | list[Plan],
    ref: Reference,
    department: str | None,
    content: bytes,
    sha256: str,
    limits: ParseLimits = ParseLimits(),
    default: Plan | None = None,
) -> Submission:
    """``parse_submission`` in a forked child under ``limits``; never raises for a bad file.
    ``plan`` is the plan to parse for, or the loaded plans: the child then also chooses the plan
    the file names (``chitieu.plan_choice.parse_for_plans``; ``default`` when it names none), so
    nothing of an untrusted file is read outside the child."""
    path = Path(path)
    if not limits.isolate:
        return _parse(path, plan, ref, department, content, default)
    ctx = multiprocessing.get_context("fork")
    recv, send = ctx.Pipe(duplex=False)
    proc = ctx.Process(
        target=_child,
        args=(send, path, plan, ref, department, content, limits, default),
        daemon=True,
    )
    proc.start()
    send.close()
    try:
        if not recv.poll(limits.timeout_seconds):
            proc.kill()
            proc.join()
            return _failed(
                path,
                sha256,
                department,
                f"reading took more than {limits.timeout_seconds:g} s; stopped",
                "time limit",
            )
        try:
            kind, payload = recv.recv()
        except (EOFError, OSError):
            proc.join(5)
            how = _signal_name(proc.exitcode)
            limit = "CPU time limit" if how == "SIGXCPU" else f"reader crashed ({how})"
            if how in ("SIGABRT", "SIGSEGV", "SIGBUS"):
                limit += f", probably the {limits.memory_mb} MB memory limit"
            return _failed(path, sha256, department, f"the reader stopped: {limit}", limit)
    finally:
        recv.close()
        if proc.is_alive():
            proc.join(5)
            if proc.is_alive():
                proc.kill()
                proc.join()
    if kind == "memory":
        return _failed(
            path,
            sha256,
            department,
            f"reading needs more than the {limits.memory_mb} MB memory limit",
            "memory limit",
        )
    if kind == "error":
        return _failed(path, sha256, department, f"the reader failed: {payload}", "reader error")
    return payload
