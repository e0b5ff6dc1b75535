"""What `chitieu run` prints: the demo note, the summary lines, the rejected files."""

from __future__ import annotations

import sys

DEMO_NOTE = (
    "SAMPLE DATA — figures are for demonstration; see docs/sample-data.md for the few public ones."
)


def setting(value):
    """A resource field's value, whether set directly or bound to an environment variable."""
    import dagster as dg

    return value.get_value() if isinstance(value, dg.EnvVar) else value


def summary_lines(table: str) -> str:
    """Each plan's summary sentence from the terminal table."""
    return "\n".join(s for s in table.splitlines() if s.startswith("[") and " — " in s)


def print_rejected(con, outbox_dir: str) -> None:
    """The rejected files with the path of their feedback file. A feedback file that went
    missing (a deleted outbox, on a night that read no new file) is written again first from the
    warehouse's records, so every path printed is a file on disk."""
    from chitieu.report_text import rejected_submissions
    from chitieu.submissions.feedback import restore_feedback

    restore_feedback(con, outbox_dir)
    print(rejected_submissions(con, outbox_dir))


def send_failure_alert(alert, urls: str, warehouse: str | None, run_id: str = "") -> None:
    """Send a run's failure alert, tracked in ``warehouse`` when it can be opened (untracked
    without one); a failing channel is one line on stderr, never hiding the run's own cause."""
    from chitieu.alert_channels import send, warehouse_store

    try:
        if warehouse is None:
            send([alert], urls, None)
        else:
            with warehouse_store(warehouse, run_id) as store:
                send([alert], urls, store)
    except Exception as exc:
        print(f"chitieu run: the failure alert could not be sent: {exc}", file=sys.stderr)
