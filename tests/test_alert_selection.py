"""Which alerts are made: superseded files and, under CHITIEU_ALERT_MAX_AGE_DAYS, no backlog of
old files, late reports or discrepancies; what a file's alert says (tests/test_alerts.py: how
they reach the channels)."""

from datetime import timedelta

import dagster as dg

from chitieu.resources import AlertsResource
from tests.conftest import run_nightly
from tests.test_alerts import _hooks


def test_superseded_and_old_files_are_not_alerted(tmp_path, resources):
    import duckdb

    from chitieu.alerts import submission_alerts
    from chitieu.resources import InputsResource
    from tests.sheets import write_bieu
    from tests.test_inbox import _clock

    inbox = tmp_path / "inbox"
    (inbox / "stc").mkdir(parents=True)
    resources["inputs"] = InputsResource(
        **(resources["inputs"].model_dump() | {"inbox_dir": str(inbox)})
    )
    row = ["1", "Thu ngân sách trên địa bàn", "tỷ đồng", "2.180", "1.720,5,0", "2.365"]
    _clock(resources, "2025-01-15T09:00:00+07:00")
    write_bieu(inbox / "stc" / "tc-1.xlsx", [row])

    def titles(after):
        """Alert titles ``after`` the latest receipt (the pipeline's first sight, not the file time)."""
        assert run_nightly(resources).success
        with duckdb.connect(resources["warehouse"].path, read_only=True) as con:
            now = con.execute("select max(received_at) from raw.submissions").fetchone()[0] + after
            return [a.title for a in submission_alerts(con, "out", now=now, max_age_days=7)]

    assert titles(timedelta(hours=1)) == [
        "[chitieu] Báo cáo bị từ chối / Submission rejected: stc/tc-1.xlsx"
    ]
    assert titles(timedelta(days=8)) == [], "a backlog older than the setting is not alerted"
    write_bieu(inbox / "stc" / "tc-2.xlsx", [row[:4] + ["1.720", "2.365"]])
    _clock(resources, "2025-01-15T10:00:00+07:00")  # received an hour later
    assert not [t for t in titles(timedelta(hours=1)) if "tc-1.xlsx" in t]


def test_of_two_versions_received_in_one_scan_only_the_later_is_alerted(nightly):
    """The sample inbox holds both versions of snn's nine-month report, received by one scan
    (the same receipt time): -lan-2 supersedes -lan-1, as in staging.stg_submissions."""
    import duckdb

    from chitieu.alerts import submission_alerts

    with duckdb.connect(nightly["warehouse"].path, read_only=True) as con:
        received = con.execute(
            "select file_name, received_at from raw.submissions where department_code = 'snn' "
            "and period_code = '2024-9M' order by file_name"
        ).fetchall()
        assert [f for f, _ in received] == ["snn-2024-9M-lan-1.xlsx", "snn-2024-9M-lan-2.xlsx"]
        assert received[0][1] == received[1][1], "one scan: the same receipt time"
        now = received[0][1] + timedelta(hours=1)
        titles = [a.title for a in submission_alerts(con, "out", now=now, max_age_days=7)]
    snn = [t for t in titles if "snn/snn-2024-9M" in t]
    assert snn == ["[chitieu] Cảnh báo số liệu / Data warning: snn/snn-2024-9M-lan-2.xlsx"]


def test_late_reports_and_discrepancies_older_than_the_setting_are_not_alerted(nightly, httpserver):
    """Evaluated on 2025-01-15: the 2024-9M deadline (20/10/2024) passed 87 days before
    (11 + 30 + 31 + 15), the 2024-6M one (20/07/2024) 179 days before; the grdp_per_capita
    2024-EST disagreement is known since 30/09/2024 (the manual and the statistics estimate both
    count from the nine-month report), 107 days before (31 + 30 + 31 + 15)."""
    import duckdb

    from assets.alerts import discrepancy_alerts_asset, late_alerts_asset
    from chitieu.alerts import discrepancy_alerts, late_alerts

    nine = ["ctk", "pclc", "sgtvt", "stnmt", "stttt", "sxd"]
    six = ["ctk", "pclc", "sct", "sgtvt", "stnmt", "stttt", "svhttdl", "sxd"]
    with duckdb.connect(nightly["warehouse"].path, read_only=True) as con:

        def late(days):
            return [a.key.split(":", 2)[2] for a in late_alerts(con, max_age_days=days)]

        def disagree(days):
            return [a.title for a in discrepancy_alerts(con, max_age_days=days)]

        assert late(86) == []
        assert late(87) == late(178) == [f"{d}:2024-9M" for d in nine]
        assert late(179) == [f"{d}:2024-6M" for d in six] + [f"{d}:2024-9M" for d in nine]
        assert disagree(106) == []
        assert disagree(107) == [
            "[chitieu] Chênh lệch số liệu / Figures disagree: grdp_per_capita 2024-EST"
        ]
    # the assets pass the setting (CHITIEU_ALERT_MAX_AGE_DAYS)
    httpserver.expect_request("/hook", method="POST").respond_with_data("ok")
    hook = f"json://{httpserver.host}:{httpserver.port}/hook"
    for days in (7, 107):
        assert dg.materialize(
            [late_alerts_asset, discrepancy_alerts_asset],
            resources={
                "warehouse": nightly["warehouse"],
                "alerts": AlertsResource(urls=hook, max_age_days=days),
            },
        ).success
    titles = sorted(h["title"] for h in _hooks(httpserver))
    assert titles == sorted(
        ["[chitieu] Chênh lệch số liệu / Figures disagree: grdp_per_capita 2024-EST"]
        + [f"[chitieu] Chậm nộp báo cáo / Late report: {d} 2024-9M" for d in nine]
    ), "nothing at 7 days; at 107 days the 2024-9M reports and the disagreement"


def test_a_problem_of_the_whole_file_is_alerted_without_an_empty_example(tmp_path, resources):
    """stc sends only a row of syt's (health insurance coverage): no figure of its own can be read,
    a problem of the whole file (no cell, nothing found)."""
    import duckdb

    from chitieu.alerts import submission_alerts
    from chitieu.report_text import rejected_submissions
    from chitieu.resources import InputsResource
    from tests.conftest import receive
    from tests.sheets import write_bieu

    row = ["1", "Tỷ lệ bao phủ bảo hiểm y tế", "%", "95,1", "95,8", "96,6"]
    write_bieu(tmp_path / "sent" / "stc" / "x.xlsx", [row])
    (tmp_path / "inbox").mkdir()
    inputs = resources["inputs"].model_dump() | {"inbox_dir": str(tmp_path / "inbox")}
    resources["inputs"] = InputsResource(**inputs)
    receive(resources, {"stc/x.xlsx": "2025-01-15"}, source=tmp_path / "sent")
    with duckdb.connect(resources["warehouse"].path, read_only=True) as con:
        now = con.execute("select max(received_at) from raw.submissions").fetchone()[0]
        (alert,) = submission_alerts(con, "out", now=now, max_age_days=7)
        printed = rejected_submissions(con)
    assert alert.body.startswith(
        "Báo cáo bị từ chối: stc/x.xlsx\n- Không có số liệu nào được nhận\n\n"
        "Submission rejected: stc/x.xlsx\n- No figure could be read\n\n"
    )
    assert printed.splitlines()[1] == (
        "  - stc/x.xlsx: 1 lỗi / errors; Không có số liệu nào được nhận / No figure could be read; "
        "cần / expected at least one figure for a target of the department"
    ), "no cell and nothing found: neither is printed"
