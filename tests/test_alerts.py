"""Alerts reach a real local SMTP server (aiosmtpd) and a real local webhook, once each, without secrets."""

import json
import time

import dagster as dg
import pytest

from chitieu.alert_channels import Alert
from chitieu.resources import AlertsResource
from chitieu.runner import failures
from tests.conftest import run_nightly

SECRET = "S3cretToken"


@pytest.fixture
def channels(resources, smtp, httpserver):
    port, _ = smtp
    httpserver.expect_request("/hook", method="POST").respond_with_data("ok")
    urls = (
        f"mailto://127.0.0.1:{port}?smtp=127.0.0.1&mode=insecure&from=chitieu@example.org&to=ops@example.org "
        f"json://{httpserver.host}:{httpserver.port}/hook?+X-Token={SECRET}"
    )
    # the sample inbox carries its 2024 receipt days (for as-of runs), older than the default
    # age limit for alerts (test_superseded_and_old_files_are_not_alerted covers the limit)
    resources["alerts"] = AlertsResource(urls=urls, max_age_days=365_000)
    return resources


def _body(msg) -> str:
    part = msg.get_body(preferencelist=("plain",))
    return part.get_content().replace("\r\n", "\n")


def _hooks(httpserver) -> list[dict]:
    return [json.loads(req.get_data()) for req, _ in httpserver.log if req.path == "/hook"]


def _wait(predicate, seconds=5.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and not predicate():
        time.sleep(0.05)


def test_rejected_and_warned_submissions_alert_once_by_email_and_webhook(
    channels, smtp, httpserver
):
    _, mailbox = smtp
    assert run_nightly(channels).success
    _wait(lambda: len(mailbox.messages) >= 5)
    subjects = sorted(str(m["Subject"]) for m in mailbox.messages)
    files = [s for s in subjects if "Submission rejected" in s or "Data warning" in s]
    assert len(files) == len(set(files)), "one alert per file, whatever the number of rules"
    assert (
        "[chitieu] Báo cáo bị từ chối / Submission rejected: sct/sct-bao-cao-9-thang.xlsx"
        in subjects
    )
    assert (
        "[chitieu] Báo cáo bị từ chối / Submission rejected: svhttdl/svhttdl-2024-9M.xlsx"
        in subjects
    )
    assert (
        "[chitieu] Cảnh báo số liệu / Data warning: sldtbxh/bao-cao-9-thang-2024.xlsx" in subjects
    )
    assert "[chitieu] Chênh lệch số liệu / Figures disagree: grdp_per_capita 2024-EST" in subjects
    rejected = next(m for m in mailbox.messages if "sct-bao-cao" in str(m["Subject"]))
    body = _body(rejected)
    assert (
        "Báo cáo bị từ chối: sct/sct-bao-cao-9-thang.xlsx\n"
        "- Đơn vị tính khác với danh mục chỉ tiêu (1 ô, ví dụ Biểu!C5)" in body
    )
    assert (
        "Submission rejected: sct/sct-bao-cao-9-thang.xlsx\n"
        "- The unit differs from the catalogue's (1 cells, e.g. Biểu!C5)" in body
    )
    feedback = channels["inputs"].outbox_dir + "/sct/outbox/sct-bao-cao-9-thang.xlsx.phan-hoi.txt"
    assert f"Phản hồi chi tiết / Feedback file: file://{feedback}" in body
    (attachment,) = list(rejected.iter_attachments())
    assert attachment.get_filename() == "sct-bao-cao-9-thang.xlsx.phan-hoi.txt"
    assert attachment.get_content_type() == "text/plain"
    assert attachment.get_content_charset() == "utf-8"
    assert attachment.get_content().startswith("Tệp / File: ")
    hooks = _hooks(httpserver)
    assert len(hooks) == len(mailbox.messages)
    sct = next(h for h in hooks if h["title"].endswith("sct/sct-bao-cao-9-thang.xlsx"))
    assert sct["type"] == "failure" and "Biểu!C5" in sct["message"]
    assert "\n- The unit differs" in sct["message"]
    warned = next(h for h in hooks if "Data warning" in h["title"])
    assert warned["type"] == "warning"
    disagree = next(h for h in hooks if "Figures disagree: grdp_per_capita" in h["title"])
    assert "np.float64" not in disagree["message"] and disagree["type"] == "warning"
    everything = "".join(str(m) for m in mailbox.messages) + json.dumps(hooks, ensure_ascii=False)
    assert SECRET not in everything
    sent = len(mailbox.messages)
    assert run_nightly(channels).success
    time.sleep(0.3)
    assert len(mailbox.messages) == sent, "a second run must not send the same alert again"


def test_a_channel_that_failed_is_retried_without_repeating_the_others(tmp_path, httpserver):
    import duckdb

    from chitieu.alert_channels import Alert, AlertStore, send

    good = f"json://{httpserver.host}:{httpserver.port}/hook"
    down = f"json://{httpserver.host}:{httpserver.port}/down"
    httpserver.expect_request("/hook", method="POST").respond_with_data("ok")
    httpserver.expect_request("/down", method="POST").respond_with_data("no", status=500)
    alert = Alert("k1", "t", "b")
    with duckdb.connect(str(tmp_path / "wh.duckdb")) as con:
        con.execute("create schema ops")
        store = AlertStore(con, "run-1")
        assert send([alert], f"{good} {down}", store) == ["k1"]
        assert send([alert], f"{good} {down}", store) == []
        rows = con.execute(
            "select channel_name, status, attempts, sent_at is not null, error, run_id "
            "from ops.alert_deliveries order by status desc"
        ).fetchall()
    hits = [req.path for req, _ in httpserver.log]
    assert hits.count("/hook") == 1 and hits.count("/down") == 2
    host = f"json://{httpserver.host}"
    assert rows == [
        (host, "sent", 1, True, None, "run-1"),
        (host, "failed", 2, False, "the channel refused it", "run-1"),
    ]


def test_late_report_alerts_come_from_the_run_and_respect_later_reports(channels, httpserver):
    assert run_nightly(channels).success
    hooks = _hooks(httpserver)
    late = [h for h in hooks if "Late report: stnmt 2024-9M" in h["title"]]
    assert len(late) == 1 and late[0]["type"] == "warning"
    assert (
        "Sở Tài nguyên và Môi trường chưa nộp báo cáo kỳ 2024-9M (hạn 20/10/2024)."
        in late[0]["message"]
    )
    assert "has not submitted its 2024-9M report (due 2024-10-20)" in late[0]["message"]
    import duckdb

    with duckdb.connect(channels["warehouse"].path, read_only=True) as con:
        covered = con.execute(
            """select s.department_code || ' ' || s.period_code from mart.submission_status s
               where s.status = 'missing' and exists (select 1 from mart.submission_status l
               where l.plan_id = s.plan_id and l.department_code = s.department_code
               and l.status = 'accepted' and l.due_date > s.due_date)"""
        ).fetchall()
    titles = " ".join(h["title"] for h in hooks)
    for (dept_period,) in covered:
        assert f"Late report: {dept_period}" not in titles
    before = len(_hooks(httpserver))
    assert run_nightly(channels).success
    assert (
        len([h for h in _hooks(httpserver) if "Late report" in h["title"]])
        == len([h for h in hooks if "Late report" in h["title"]])
        and len(_hooks(httpserver)) == before
    )


def test_failed_blocking_check_is_one_failure_with_its_cells(channels, inputs_dir, httpserver):
    (inputs_dir / "observations" / "letter.csv").write_text(
        "plan_id,target_code,area_code,period_code,value,data_status,note\nlai-chau-2024,forest_cover,12,2024-EST,152.9,estimated,typo\n",
        encoding="utf-8",
    )
    instance = dg.DagsterInstance.ephemeral()
    result = run_nightly(channels, instance=instance, raise_on_error=False)
    assert not result.success
    (failure,) = failures(result)
    assert failure.asset == "raw/manual_observations check manual_observations_suite"
    assert "percent_range" in failure.cause and "letter.csv line 2: found 152.9" in failure.cause
    assert "np.float64" not in failure.cause
    assert not [h for h in _hooks(httpserver) if "check" in h["title"].lower()]


def test_department_mail_url_is_checked_at_start_and_named(cron_env, monkeypatch, capsys):
    """Like CHITIEU_ALERT_URLS (tests/test_operations.py): a bad CHITIEU_DEPARTMENT_MAIL_URL stops
    ``chitieu run`` before anything runs and any Dagster run, naming that variable, never the
    password."""
    from chitieu.alert_channels import AlertConfigError, send_to_departments
    from chitieu.cli import main

    bad = "nosuchscheme://u:Hunter2Secret@smtp.example.org"
    monkeypatch.setenv("CHITIEU_DEPARTMENT_MAIL_URL", bad)
    assert main(["run"]) == 2
    err = capsys.readouterr().err
    assert (
        "chitieu run: CHITIEU_DEPARTMENT_MAIL_URL: channel 1 (nosuchscheme://smtp.example.org) "
        "is not a URL apprise can load"
    ) in err
    assert "CHITIEU_ALERT_URLS" not in err and "Hunter2" not in err
    assert not (cron_env / "wh" / "chitieu.duckdb").exists(), "nothing runs with a bad channel"
    with pytest.raises(AlertConfigError, match="^CHITIEU_DEPARTMENT_MAIL_URL: channel 1 "):
        AlertsResource(department_mail_url=bad).setup_for_execution(
            dg.build_init_resource_context()
        )
    with pytest.raises(AlertConfigError, match="^CHITIEU_DEPARTMENT_MAIL_URL: channel 1 "):
        send_to_departments([("stc", Alert("k", "t", "b"))], bad, None, None)
    # the documented form (no recipient: each department's address is added) loads
    good = "mailtos://u:pw@smtp.example.org?from=chitieu@example.org"
    AlertsResource(department_mail_url=good).setup_for_execution(dg.build_init_resource_context())
