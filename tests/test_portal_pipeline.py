"""The portal's part of the nightly job: its event log copied into the warehouse, and one alert
e-mail per rejected or warned file to the department's own address (real local SMTP server)."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import dagster as dg
import duckdb
import pandas as pd

from assets.portal import department_alerts, portal_events
from chitieu import warehouse as wh
from chitieu.alert_channels import department_address, with_recipient
from chitieu.portal.store import Event, EventLog
from chitieu.reference import load_reference
from chitieu.resources import (
    DEFAULT_REFERENCE_DIR,
    AlertsResource,
    InputsResource,
    WarehouseResource,
)
from chitieu.submissions.inbox import feedback_path


def test_department_address_comes_from_departments_yaml():
    ref = load_reference(DEFAULT_REFERENCE_DIR)
    assert department_address(ref, "snn") == "baocao.snn@example.org"
    assert department_address(ref, "nope") is None and department_address(ref, None) is None


def test_with_recipient_replaces_any_recipient_and_keeps_the_rest():
    url = "mailtos://user:p%40ss@smtp.example.org:587?from=chitieu@example.org&to=ops@example.org"
    assert with_recipient(url, "baocao.stc@example.org") == (
        "mailtos://user:p%40ss@smtp.example.org:587?from=chitieu%40example.org"
        "&to=baocao.stc%40example.org"
    )


def _warehouse(path, outbox) -> None:
    now = datetime.now(UTC)
    subs = [
        ("s1", "sct", "sct-9-thang.xlsx", "rejected", 2, 1),
        ("s2", "snn", "snn-9-thang.xlsx", "accepted", 0, 2),
        ("s3", "stc", "stc-9-thang.xlsx", "accepted", 0, 0),
    ]
    frame = pd.DataFrame(
        [
            {
                "submission_id": sid,
                "content_sha256": sid,
                "department_code": dept,
                "plan_id": "lai-chau-2024",
                "period_code": "2024-9M",
                "file_path": f"inbox/{dept}/{name}",
                "file_name": name,
                "received_at": now,
                "loaded_at": now,
                "status": status,
                "template_version": None,
                "value_count": 0,
                "error_count": errors,
                "warning_count": warnings,
                "run_id": "r1",
            }
            for sid, dept, name, status, errors, warnings in subs
        ]
    )
    problems = pd.DataFrame(
        [
            {
                "submission_id": sid,
                "file_path": "",
                "department_code": dept,
                "rule": rule,
                "severity": sev,
                "cell": cell,
                "found": "",
                "expected": "",
                "message_vi": f"{rule} vi",
                "message_en": f"{rule} en",
                "fix_vi": "",
                "fix_en": "",
                "detail": "",
                "run_id": "r1",
            }
            for sid, dept, rule, sev, cell in [
                ("s1", "sct", "unit_mismatch", "error", "Biểu!C4"),
                ("s1", "sct", "ambiguous_number", "error", "Biểu!E7"),
                ("s1", "sct", "outlier", "warning", "Biểu!F9"),
                ("s2", "snn", "estimate_missing", "warning", "Biểu!H10"),
                ("s2", "snn", "estimate_missing", "warning", "Biểu!H13"),
            ]
        ]
    )
    with duckdb.connect(str(path)) as con:
        wh.ensure_schemas(con)
        wh.append_rows(con, "raw.submissions", frame)
        wh.append_rows(con, "raw.submission_problems", problems)
        wh.build(con, "staging.stg_submissions")
    for dept, name in (("sct", "sct-9-thang.xlsx"), ("snn", "snn-9-thang.xlsx")):
        fb = feedback_path(outbox, dept, name)
        fb.parent.mkdir(parents=True)
        fb.write_text(f"phản hồi {name}\n", encoding="utf-8")


def test_one_alert_per_file_goes_to_the_departments_own_address_once(tmp_path, smtp):
    port, box = smtp
    db = tmp_path / "wh.duckdb"
    _warehouse(db, tmp_path / "outbox")
    resources = {
        "warehouse": WarehouseResource(path=str(db)),
        "inputs": InputsResource(outbox_dir=str(tmp_path / "outbox")),
        "alerts": AlertsResource(
            department_mail_url=(
                f"mailto://127.0.0.1:{port}?smtp=127.0.0.1&mode=insecure"
                "&from=chitieu@example.org&to=ops@example.org"
            ),
        ),
    }
    result = dg.materialize([department_alerts], resources=resources)
    deadline = time.monotonic() + 5
    while len(box.messages) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert result.success
    by_to = dict(zip(box.recipients, box.messages, strict=True))
    assert sorted(by_to) == [("baocao.sct@example.org",), ("baocao.snn@example.org",)]
    sct = by_to[("baocao.sct@example.org",)]
    assert str(sct["Subject"]) == (
        "[chitieu] Báo cáo bị từ chối / Submission rejected: sct/sct-9-thang.xlsx"
    )
    body = sct.get_body(preferencelist=("plain",)).get_content()
    for text in (
        "- unit_mismatch vi (1 ô, ví dụ Biểu!C4)",
        "- ambiguous_number en (1 cells, e.g. Biểu!E7)",
    ):
        assert text in body
    assert [a.get_filename() for a in sct.iter_attachments()] == ["sct-9-thang.xlsx.phan-hoi.txt"]
    snn = by_to[("baocao.snn@example.org",)]
    assert (
        "estimate_missing vi (2 ô, ví dụ Biểu!H10)"
        in snn.get_body(preferencelist=("plain",)).get_content()
    )
    dg.materialize([department_alerts], resources=resources)
    time.sleep(0.3)
    assert len(box.messages) == 2  # never twice
    # the same delivery store as every other alert: ops.alert_deliveries in the warehouse
    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute(
            "select alert_key like 'submission:%', channel_name, status, attempts "
            "from ops.alert_deliveries order by alert_key"
        ).fetchall()
    assert rows == [(True, "mailto://127.0.0.1", "sent", 1)] * 2


def test_portal_log_is_copied_into_the_warehouse_whole_each_run(tmp_path):
    log = EventLog(tmp_path / "portal" / "events.sqlite")
    log.record(Event("sign_in", "stc", "ok", "10.0.0.1"))
    log.record(
        Event(
            "upload",
            "stc",
            "warned",
            "10.0.0.1",
            "Lan",
            "bc.xlsx",
            "20241020T080509Z-bc.xlsx",
            "ab" * 32,
            1234,
            "2024-9M",
            0,
            1,
            312.5,
            "",
            "Kết quả / Result: ...",
        )
    )
    resources = {
        "warehouse": WarehouseResource(path=str(tmp_path / "wh.duckdb")),
        "inputs": InputsResource(portal_log=str(tmp_path / "portal" / "events.sqlite")),
    }
    for _ in range(2):
        assert dg.materialize([portal_events], resources=resources).success
    with duckdb.connect(str(tmp_path / "wh.duckdb"), read_only=True) as con:
        rows = con.execute(
            "select kind, department_code, sender, result, size_bytes, warning_count, duration_ms, "
            "typeof(occurred_at) from raw.portal_events order by event_id"
        ).fetchall()
    assert rows == [
        ("sign_in", "stc", "", "ok", None, None, None, "TIMESTAMP WITH TIME ZONE"),
        ("upload", "stc", "Lan", "warned", 1234, 1, 312.5, "TIMESTAMP WITH TIME ZONE"),
    ]


def test_no_portal_log_gives_an_empty_table(tmp_path):
    resources = {
        "warehouse": WarehouseResource(path=str(tmp_path / "wh.duckdb")),
        "inputs": InputsResource(portal_log=str(tmp_path / "none.sqlite")),
    }
    assert dg.materialize([portal_events], resources=resources).success
    assert not (tmp_path / "none.sqlite").exists()
    with duckdb.connect(str(tmp_path / "wh.duckdb"), read_only=True) as con:
        assert wh.scalar(con, "select count(*) from raw.portal_events") == 0
