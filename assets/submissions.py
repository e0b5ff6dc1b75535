"""Department submissions from the inbox: parse, keep every file as history, load what is valid."""

from datetime import UTC, datetime
from pathlib import Path

import dagster as dg
import pandas as pd

from assets.plans import load_plans
from chitieu import warehouse as wh
from chitieu.portal.store import EventLog
from chitieu.reference import load_reference
from chitieu.resources import (
    WAREHOUSE_POOL,
    InputsResource,
    ValidationResource,
    WarehouseResource,
)
from chitieu.submissions.feedback import restore_feedback
from chitieu.submissions.inbox import scan_inbox, with_upload_times
from chitieu.submissions.intake import IntakeState, take_receipts
from chitieu.submissions.parser import Submission
from chitieu.validation.frames import HISTORY_COLUMNS

SUBMISSION_TABLES = ("raw.submissions", "raw.submission_values", "raw.submission_problems")


def _problem_rows(sub: Submission, department: str | None, run_id: str) -> list[dict]:
    return [
        {
            "submission_id": sub.sha256,
            "file_path": sub.path,
            "department_code": department,
            "rule": p.rule,
            "severity": p.severity,
            "cell": p.cell,
            "found": p.found,
            "expected": p.expected,
            "message_vi": p.message_vi,
            "message_en": p.message_en,
            "fix_vi": p.fix_vi,
            "fix_en": p.fix_en,
            "detail": p.detail,
            "run_id": run_id,
        }
        for p in sub.problems
    ]


def history(con) -> pd.DataFrame:
    """Figures already in the warehouse, for the cumulative and outlier rules."""
    if not wh.scalar(
        con,
        "select count(*) from information_schema.tables where table_schema = 'core' and table_name = 'fact_observation'",
    ):
        return pd.DataFrame(columns=HISTORY_COLUMNS)
    return con.execute(
        """select distinct target_code, area_code, period_code,
                  case when period_type = 'year_estimate' then 'estimate' else 'actual' end as value_kind,
                  value, coalesce(run_id, source_file) as submission_id
           from core.fact_observation"""
    ).df()


def write_feedback(parsed: list[tuple], outbox_dir: str) -> list:
    """A feedback file (Vietnamese with English below) for every rejected or warned submission."""
    from chitieu.publish import atomic_write
    from chitieu.submissions.inbox import feedback_path
    from chitieu.submissions.report import render_report

    written = []
    for f, sub in parsed:
        if sub.problems:
            target = feedback_path(outbox_dir, f.department, f.path.name)
            text = render_report(sub)
            written.append(
                atomic_write(
                    target, lambda tmp, text=text: tmp.write_text(text + "\n", encoding="utf-8")
                )
            )
    return written


def parse_inbox(inputs: InputsResource, state: IntakeState) -> tuple[list, list, list]:
    """(new receipts as (inbox file, parsed submission), files seen at a new path, held files).
    Each file is parsed in a child process under the resource's limits (``isolate.py``), which
    also picks the plan the file names (``chitieu.plan_choice``)."""
    ref = load_reference(inputs.reference_dir)
    plans = load_plans(inputs)
    files = scan_inbox(
        inputs.inbox_dir,
        ref.department_codes,
        settle_seconds=inputs.settle_seconds,
        max_bytes=inputs.max_file_mb * 1024 * 1024,
        received_at=inputs.receipt_time(),
    )
    if Path(inputs.portal_log).exists():
        files = with_upload_times(files, EventLog(inputs.portal_log).delivered_uploads())
    receipts, seen, held = take_receipts(files, state, plans, ref, inputs.parse_limits())
    return [(r.file, r.sub) for r in receipts], seen, held


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            ["raw", "submissions"],
            deps=[["core", "dim_target"]],
            description="Every department file ever received, with hash, department, period, time and status.",
        ),
        dg.AssetSpec(
            ["raw", "submission_values"],
            description="Figures of accepted submissions with sheet, cell and raw text.",
        ),
        dg.AssetSpec(
            ["raw", "submission_problems"],
            description="Problems found in submissions (rule, cell, found, expected, fix) in Vietnamese and English.",
        ),
    ],
    group_name="sources",
    pool=WAREHOUSE_POOL,
)
def department_submissions(
    context: dg.AssetExecutionContext,
    warehouse: WarehouseResource,
    inputs: InputsResource,
    validation: ValidationResource,
):
    """Reads new receipts in the department inboxes (``<inbox>/<department>/``), each file in its own
    child process with time and memory limits, so one bad file costs only itself; files still being
    copied are held for a later run (docs/submissions.md#limits). A file with any error is
    rejected whole: it stays in ``raw.submissions`` with status ``rejected`` and its problems, and none of its
    figures load; the other files still load. The same file received twice is one submission; re-sending a
    department and period supersedes the earlier file, which is kept."""
    now = datetime.now(UTC)
    with warehouse.get_connection() as con:
        for name in SUBMISSION_TABLES:
            wh.ensure_table(con, name)
        wh.ensure_table(con, "raw.inbox_files")
        con.execute("alter table raw.submissions add column if not exists content_sha256 varchar")
        parsed, seen, held = parse_inbox(inputs, IntakeState.load(con))
        for f in held:
            context.log.info(f"held {f.path}: {f.held}; taken on a later run")
        outcome, frame = None, None
        if any(sub.accepted for _, sub in parsed):
            from chitieu.validation.submissions import validate_submissions

            outcome, frame = validate_submissions(
                [sub for _, sub in parsed],
                load_plans(inputs),
                load_reference(inputs.reference_dir),
                history(con),
                validation.gx_dir or None,
            )
        subs, values, problems = [], [], []
        for f, sub in parsed:
            subs.append(
                {
                    "submission_id": sub.sha256,
                    "content_sha256": f.sha256,
                    "department_code": f.department,
                    "plan_id": sub.plan_id,
                    "period_code": sub.period_code,
                    "file_path": str(f.path),
                    "file_name": f.path.name,
                    "received_at": f.received_at,
                    "loaded_at": now,
                    "status": "accepted" if sub.accepted else "rejected",
                    "template_version": sub.template_version,
                    "value_count": sub.value_count,
                    "error_count": len(sub.errors),
                    "warning_count": len(sub.warnings),
                    "run_id": context.run_id,
                }
            )
            problems += _problem_rows(sub, f.department, context.run_id)
            if sub.accepted:
                values.append(pd.DataFrame(sub.value_columns).assign(submission_id=sub.sha256))
            else:
                context.log.warning(
                    f"rejected {f.path}:\n" + "\n".join(p.text_en() for p in sub.errors)
                )
        with wh.transaction(con):
            if outcome is not None:
                from chitieu.validation.store import record

                record(
                    con,
                    outcome,
                    frame,
                    context.run_id,
                    "ingest",
                    "submission_id",
                    "file_name",
                    "cell",
                )
            if subs:
                frame = pd.DataFrame(subs)
                for col in ("plan_id", "period_code", "template_version", "department_code"):
                    frame[col] = frame[col].astype("string")
                wh.append_rows(con, "raw.submissions", frame)
            if values:
                wh.append_rows(con, "raw.submission_values", pd.concat(values, ignore_index=True))
            if seen:
                ids = {f.sha256: sub.sha256 for f, sub in parsed}
                frame = pd.DataFrame(
                    {
                        "file_path": [str(f.path) for f in seen],
                        "sha256": [f.sha256 for f in seen],
                        "seen_at": [f.received_at for f in seen],
                        "submission_id": [ids.get(f.sha256) for f in seen],
                        "run_id": [context.run_id] * len(seen),
                    }
                ).astype({"submission_id": "string"})
                wh.append_rows(con, "raw.inbox_files", frame)
            if problems:
                frame = pd.DataFrame(problems).astype({"department_code": "string"})
                wh.append_rows(con, "raw.submission_problems", frame)
            wh.build(con, "staging.stg_submissions")
            totals = con.execute(
                "select status, count(*) from raw.submissions group by 1"
            ).fetchall()
        feedback = write_feedback(parsed, inputs.outbox_dir)
        feedback += restore_feedback(con, inputs.outbox_dir)
    rejected = [s for s in subs if s["status"] == "rejected"]
    summary = {
        "feedback_files": ", ".join(str(p) for p in feedback) or "none",
        "new_files": len(subs),
        "held_files": ", ".join(f"{f.path.name} ({f.held})" for f in held) or "none",
        "new_rejected": len(rejected),
        "rejected_files": ", ".join(s["file_name"] for s in rejected) or "none",
    }
    yield dg.MaterializeResult(
        asset_key=["raw", "submissions"],
        metadata={**summary, **{f"total/{k}": v for k, v in totals}},
    )
    yield dg.MaterializeResult(
        asset_key=["raw", "submission_values"], metadata={"new_values": sum(len(v) for v in values)}
    )
    yield dg.MaterializeResult(
        asset_key=["raw", "submission_problems"], metadata={"new_problems": len(problems)}
    )


@dg.asset(
    key=["mart", "submission_changes"],
    group_name="mart",
    deps=[["raw", "submission_values"], ["core", "fact_observation"], ["core", "dim_label"]],
    pool=WAREHOUSE_POOL,
)
def submission_changes(warehouse: WarehouseResource) -> dg.MaterializeResult:
    """Revision history: who changed which figure, from what, to what, and when."""
    n = wh.build_model(warehouse, "mart.submission_changes")
    return dg.MaterializeResult(metadata={"dagster/row_count": n})
