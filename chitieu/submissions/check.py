"""The one-file check shared by ``chitieu check`` and the department portal: the nightly parser,
then the nightly GX suite on the figures of an accepted file. Nothing is loaded or written."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from chitieu.catalogue import Plan
from chitieu.reference import Reference
from chitieu.submissions.parser import Submission, parse_submission


def check_submission(
    path: str | Path,
    plan: Plan,
    ref: Reference,
    department: str | None = None,
    history: pd.DataFrame | None = None,
) -> Submission:
    """Parse ``path`` as ``department``'s submission and, if accepted with figures, validate it
    against the ``department_submission`` suite (``history``: earlier figures for the outlier and
    cumulative rules). Validation problems are added to the returned submission."""
    sub = parse_submission(path, plan, ref, department)
    if sub.accepted and sub.value_count:
        from chitieu.validation.submissions import validate_submissions

        validate_submissions([sub], [plan], ref, history)
    return sub
