"""Validate parsed submissions in one GX batch and turn failures into problems on the right file and cell."""

from __future__ import annotations

import pandas as pd

from chitieu.submissions.problems import Problem
from chitieu.validation.bridge import Outcome, validate
from chitieu.validation.frames import submission_frame
from chitieu.validation.suites import rule_meta

SUITE = "department_submission"


def _found(value) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def validate_submissions(
    subs: list, plans: list, ref, history: pd.DataFrame | None = None, docs_root: str | None = None
) -> tuple[Outcome | None, pd.DataFrame]:
    """Validate the accepted submissions of a run as one batch; failures are added to each
    submission's problems (errors reject it, warnings flag it). Returns the outcome and the frame."""
    candidates = [s for s in subs if s.accepted and s.value_count]
    frame = submission_frame(candidates, plans, ref, history)
    if frame.empty:
        return None, frame
    outcome = validate(SUITE, frame, docs_root)
    meta = rule_meta(SUITE)
    by_id = {s.sha256: s for s in candidates}
    for f in outcome.failures:
        if f.row_id is None:
            continue
        row = frame.loc[f.row_id]
        m = meta.get(f.rule, {})
        by_id[row["submission_id"]].problems.append(
            Problem(
                f.rule,
                row["file_name"],
                row["cell"],
                found=_found(
                    row["value"]
                    if f.rule not in ("period_metadata_mismatch",)
                    else row["submission_period"]
                ),
                expected=m.get("expected", ""),
                severity=f.severity,
                detail=f"{row['target_code']} ({row['value_kind']})",
                texts=(
                    m.get("message_vi", f.rule),
                    m.get("message_en", f.rule),
                    m.get("fix_vi", ""),
                    m.get("fix_en", ""),
                ),
            )
        )
    return outcome, frame
