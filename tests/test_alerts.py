"""Alerts reach a real local SMTP server (aiosmtpd) and a real local webhook, once each, without secrets."""

import json
import socket
import time
from email import message_from_bytes, policy

import dagster as dg
import pytest
from aiosmtpd.controller import Controller

from chitieu.resources import AlertsResource
from pipelines.sensors import (
    check_failure_alert_sensor,
    late_submission_sensor,
    run_failure_alert_sensor,
)
from tests.conftest import run_nightly

SECRET = "S3cretToken"


class _Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"


@pytest.fixture
def smtp():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    handler = _Inbox()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    yield port, handler
    controller.stop()


@pytest.fixture
def channels(resources, smtp, httpserver):
    port, _ = smtp
    httpserver.expect_request("/hook", method="POST").respond_with_data("ok")
    urls = (
        f"mailto://127.0.0.1:{port}?smtp=127.0.0.1&mode=insecure&from=chitieu@example.org&to=ops@example.org "
        f"json://{httpserver.host}:{httpserver.port}/hook?+X-Token={SECRET}"
    )
    resources["alerts"] = AlertsResource(urls=urls, state_path=resources["alerts"].state_path)
    return resources


def _body(msg) -> str:
    part = msg.get_body(preferencelist=("plain",))
    return part.get_content()


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
    _wait(lambda: len(mailbox.messages) >= 6)
    subjects = sorted(str(m["Subject"]) for m in mailbox.messages)
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
        "Báo cáo bị từ chối: sct/sct-bao-cao-9-thang.xlsx — Đơn vị tính khác với danh mục chỉ tiêu (1 ô, ví dụ Biểu!C5)."
        in body
    )
    assert (
        "Submission rejected: sct/sct-bao-cao-9-thang.xlsx — The unit differs from the catalogue's (1 cells, e.g. Biểu!C5)."
        in body
    )
    assert "sct-bao-cao-9-thang.xlsx.phan-hoi.txt" in body
    attachments = [a.get_filename() for a in rejected.iter_attachments()]
    assert attachments == ["sct-bao-cao-9-thang.xlsx.phan-hoi.txt"]
    hooks = _hooks(httpserver)
    assert len(hooks) == len(mailbox.messages)
    assert any(
        h["title"].endswith("sct/sct-bao-cao-9-thang.xlsx") and "Biểu!C5" in h["message"]
        for h in hooks
    )
    everything = "".join(str(m) for m in mailbox.messages) + json.dumps(hooks, ensure_ascii=False)
    assert SECRET not in everything
    sent = len(mailbox.messages)
    assert run_nightly(channels).success
    time.sleep(0.3)
    assert len(mailbox.messages) == sent, "a second run must not send the same alert again"


def test_late_submission_sensor(channels, httpserver):
    assert run_nightly(
        channels | {"alerts": AlertsResource(urls="", state_path=channels["alerts"].state_path)}
    ).success
    context = dg.build_sensor_context(
        resources={"publish": channels["publish"], "alerts": channels["alerts"]}
    )
    result = late_submission_sensor(context)
    assert "new alert(s) sent" in result.skip_message
    hooks = _hooks(httpserver)
    late = [h for h in hooks if "Late report: stnmt 2024-9M" in h["title"]]
    assert len(late) == 1
    assert (
        "Sở Tài nguyên và Môi trường chưa nộp báo cáo kỳ 2024-9M (hạn 20/10/2024)."
        in late[0]["message"]
    )
    assert "has not submitted its 2024-9M report (due 2024-10-20)" in late[0]["message"]
    before = len(_hooks(httpserver))
    late_submission_sensor(context)
    assert len(_hooks(httpserver)) == before


def test_check_failure_sensor_sees_failed_checks(channels, inputs_dir, httpserver):
    (inputs_dir / "observations" / "letter.csv").write_text(
        "plan_id,target_code,area_code,period_code,value,data_status,note\nlai-chau-2024,forest_cover,12,2024-EST,152.9,estimated,typo\n",
        encoding="utf-8",
    )
    instance = dg.DagsterInstance.ephemeral()
    quiet = channels | {"alerts": AlertsResource(urls="", state_path=channels["alerts"].state_path)}
    result = run_nightly(quiet, instance=instance, raise_on_error=False)
    failed = [e for e in result.get_asset_check_evaluations() if not e.passed]
    assert [e.asset_check_key.name for e in failed] == ["manual_observations_suite"]
    from assets.checks import manual_observations_suite

    sensor = check_failure_alert_sensor(list(manual_observations_suite.check_keys))
    sensor(dg.build_sensor_context(instance=instance, resources={"alerts": channels["alerts"]}))
    hooks = [h for h in _hooks(httpserver) if "Data check failed" in h["title"]]
    assert len(hooks) == 1
    assert (
        hooks[0]["title"]
        == "[chitieu] Kiểm tra dữ liệu không đạt / Data check failed: manual_observations_suite"
    )
    assert "percent_range" in hooks[0]["message"] and "line 2" in hooks[0]["message"]


def test_run_failure_sensor(channels, inputs_dir, httpserver):
    plan = inputs_dir / "plans" / "lai-chau-2024.yaml"
    plan.write_text(
        plan.read_text(encoding="utf-8").replace("department: ctk", "department: nowhere", 1),
        encoding="utf-8",
    )
    instance = dg.DagsterInstance.ephemeral()
    result = run_nightly(channels, instance=instance, raise_on_error=False)
    assert not result.success
    failure = next(e for e in result.all_events if e.event_type == dg.DagsterEventType.RUN_FAILURE)
    context = dg.build_run_status_sensor_context(
        sensor_name="run_failure_alert_sensor",
        dagster_event=failure,
        dagster_instance=instance,
        dagster_run=instance.get_run_by_id(result.run_id),
        resources={"alerts": channels["alerts"]},
    ).for_run_failure()
    run_failure_alert_sensor(context)
    hooks = [h for h in _hooks(httpserver) if "Run failed" in h["title"]]
    assert len(hooks) == 1 and result.run_id in hooks[0]["message"]
