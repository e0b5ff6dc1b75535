"""The one-file check shared by ``chitieu check`` and the department portal: a file is read exactly
as the nightly run reads it (the same regular-file and size checks, the same isolated child process
and limits) and validated by the same suite, so all three give the same verdict."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pandas as pd

from chitieu.catalogue import Plan
from chitieu.reference import Reference
from chitieu.submissions.inbox import MAX_FILE_BYTES, inspect_file
from chitieu.submissions.isolate import ParseLimits, parse_isolated
from chitieu.submissions.parser import Submission

# a file that could not be read at all (exit code 2), as opposed to one read and found wrong (1)
UNREADABLE_RULES = frozenset(
    {
        "unreadable",
        "empty_sheet",
        "file_limit",
        "unsafe_xml",
        "incomplete_file",
        "not_regular_file",
        "path_refused",
    }
)


def check_file(
    path: Path,
    plan: Plan | list[Plan],
    ref: Reference,
    department: str | None,
    max_bytes: int = MAX_FILE_BYTES,
    limits: ParseLimits | None = None,
    default: Plan | None = None,
) -> Submission:
    """Parse one file for ``chitieu check`` under the nightly run's checks and limits: for
    ``plan``, or for the one of the plans listed that the file names (chosen in the isolated
    child, ``default`` when it names none)."""
    refused, held, data = inspect_file(path, max_bytes)
    if refused or held:
        sub = Submission(str(path), hashlib.sha256(b"").hexdigest(), department)
        if refused:
            sub.problems.append(refused)
        else:
            from chitieu.submissions.problems import Problem

            sub.problems.append(Problem("incomplete_file", path.name, detail=held))
        return sub
    sha = hashlib.sha256(data).hexdigest()
    return parse_isolated(
        path, plan, ref, department, data, sha, limits or ParseLimits(), default=default
    )


def check_submission(
    path: str | Path,
    plan: Plan | list[Plan],
    ref: Reference,
    department: str | None = None,
    history: pd.DataFrame | None = None,
    max_bytes: int = MAX_FILE_BYTES,
    limits: ParseLimits | None = None,
    default: Plan | None = None,
) -> Submission:
    """The one-file check shared by ``chitieu check`` and the department portal: ``check_file``
    (the nightly reader, checks and limits), then, if accepted with figures, the nightly
    ``department_submission`` suite (``history``: earlier figures for the outlier and cumulative
    rules). Validation problems are added to the returned submission; nothing is loaded or written."""
    sub = check_file(Path(path), plan, ref, department, max_bytes, limits, default)
    if sub.accepted and sub.value_count:
        from chitieu.validation.submissions import validate_submissions

        plans = plan if isinstance(plan, list) else [plan]
        validate_submissions([sub], [p for p in plans if p.plan_id == sub.plan_id], ref, history)
    return sub
