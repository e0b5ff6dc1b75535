"""What the department portal adds to the nightly job: its event log in the warehouse, and
alert e-mails to each department's own address."""

from pathlib import Path

import dagster as dg
import pandas as pd

from chitieu import warehouse as wh
from chitieu.resources import WAREHOUSE_POOL, AlertsResource, InputsResource, WarehouseResource
from chitieu.warehouse import model


def read_portal_log(path: str) -> pd.DataFrame:
    """Every event of the portal's SQLite log, typed as ``raw.portal_events`` (empty without a log)."""
    from chitieu.portal.store import EventLog

    columns = model("raw.portal_events").columns
    rows = EventLog(path).all_events() if Path(path).exists() else []
    frame = pd.DataFrame(rows, columns=columns)
    frame["occurred_at"] = pd.to_datetime(frame["occurred_at"], utc=True)
    for col in ("event_id", "size_bytes", "error_count", "warning_count"):
        frame[col] = frame[col].astype("Int64")
    frame["duration_ms"] = frame["duration_ms"].astype("float64")
    text = [c for c in columns if c not in ("occurred_at", "event_id", "size_bytes")]
    text = [c for c in text if c not in ("error_count", "warning_count", "duration_ms")]
    return frame.astype({c: "string" for c in text})


@dg.asset(key=["raw", "portal_events"], group_name="sources", pool=WAREHOUSE_POOL)
def portal_events(warehouse: WarehouseResource, inputs: InputsResource) -> dg.MaterializeResult:
    """Sign-ins and uploads on the department portal (who, when, what, result), copied whole from
    the portal's append-only SQLite log: the portal never opens the warehouse, whose writer lock
    the nightly run holds."""
    frame = read_portal_log(inputs.portal_log)
    with warehouse.get_connection() as con, wh.transaction(con):
        n = wh.write_table(con, "raw.portal_events", frame)
    counts = frame.groupby(["kind", "result"]).size() if n else pd.Series(dtype=int)
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": n,
            **{f"{kind}/{result}": int(v) for (kind, result), v in counts.items()},
        }
    )


@dg.asset(
    key=["ops", "department_alerts"],
    group_name="alerts",
    deps=[["raw", "submissions"]],
    pool=WAREHOUSE_POOL,
)
def department_alerts(
    context: dg.AssetExecutionContext,
    warehouse: WarehouseResource,
    inputs: InputsResource,
    alerts: AlertsResource,
) -> dg.MaterializeResult:
    """One e-mail per rejected or warned file to the submitting department's own address
    (``email`` in departments.yaml), through CHITIEU_DEPARTMENT_MAIL_URL, once per file; tracked
    in the same ``ops.alert_deliveries`` as every other alert."""
    from chitieu.alert_channels import AlertStore, send_to_departments
    from chitieu.alerts import department_submission_alerts
    from chitieu.reference import load_reference

    with warehouse.get_connection() as con:
        pending = department_submission_alerts(
            con,
            inputs.outbox_dir,
            now=inputs.as_of_end(),
            max_age_days=alerts.max_age_days,
            base_url=alerts.feedback_base_url,
        )
        sent = send_to_departments(
            pending,
            alerts.department_mail_url,
            load_reference(inputs.reference_dir),
            AlertStore(con, context.run.run_id),
        )
    return dg.MaterializeResult(
        metadata={
            "candidates": len(pending),
            "sent": len(sent),
            "mail_configured": bool(alerts.department_mail_url.strip()),
        }
    )
