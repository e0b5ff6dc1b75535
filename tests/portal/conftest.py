"""One real portal server (uvicorn, started as ``chitieu serve`` on a free port) for the portal tests,
with its credentials, event log, inbox and published snapshot under a temporary folder."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import httpx
import pandas as pd
import pytest

from chitieu import warehouse as wh
from chitieu.portal.credentials import set_password

PASSWORDS = {
    "stc": "tai-chinh-mat-khau-1",
    "snn": "nong-nghiep-mat-khau-2",
    "sgddt": "giao-duc-mat-khau-3",
}
MAX_UPLOAD_MB = 0.5
UPLOAD_TIMEOUT = 4
SNAPSHOT_IDS = {"stc": "a" * 64, "snn": "b" * 64}


@dataclass
class Server:
    url: str
    root: Path
    inbox: Path
    log: Path
    credentials: Path
    process: subprocess.Popen


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _snapshot(path: Path, outbox: Path) -> None:
    """A published warehouse with one processed submission per department (real tables and the
    real staging view), and the nightly run's feedback file for stc's."""
    path.parent.mkdir(parents=True)
    now = datetime(2024, 10, 15, 3, 0, tzinfo=UTC)
    subs = pd.DataFrame(
        [
            {
                "submission_id": SNAPSHOT_IDS[d],
                "content_sha256": SNAPSHOT_IDS[d],
                "department_code": d,
                "plan_id": "lai-chau-2024",
                "period_code": "2024-6M",
                "file_path": f"inbox/{d}/{d}-6-thang.xlsx",
                "file_name": f"{d}-6-thang.xlsx",
                "received_at": now,
                "loaded_at": now,
                "status": "accepted",
                "template_version": None,
                "value_count": 1,
                "error_count": 0,
                "warning_count": 1,
                "run_id": "r1",
            }
            for d in ("stc", "snn")
        ]
    )
    values = pd.DataFrame(
        [
            [
                "a" * 64,
                "budget_revenue",
                "LC",
                "2024-6M",
                "actual",
                1234.5,
                "1.234,5",
                "Biểu",
                "Biểu!H9",
            ],
            ["b" * 64, "cereal_output", "LC", "2024-6M", "actual", 98.7, "98,7", "Biểu", "Biểu!H9"],
        ],
        columns=[
            "submission_id",
            "target_code",
            "area_code",
            "period_code",
            "value_kind",
            "value",
            "raw_text",
            "sheet",
            "cell",
        ],
    )
    problems = pd.DataFrame(
        [
            {
                "submission_id": SNAPSHOT_IDS[d],
                "file_path": f"inbox/{d}/{d}-6-thang.xlsx",
                "department_code": d,
                "rule": "outlier",
                "severity": "warning",
                "cell": "Biểu!H9",
                "found": "x",
                "expected": "y",
                "message_vi": f"Cảnh báo {d}",
                "message_en": f"Warning {d}",
                "fix_vi": "Kiểm tra",
                "fix_en": "Check",
                "detail": "",
                "run_id": "r1",
            }
            for d in ("stc", "snn")
        ]
    )
    with duckdb.connect(str(path)) as con:
        wh.ensure_schemas(con)
        wh.append_rows(con, "raw.submissions", subs)
        wh.append_rows(con, "raw.submission_values", values)
        wh.append_rows(con, "raw.submission_problems", problems)
        wh.build(con, "staging.stg_submissions")
    feedback = outbox / "stc" / "outbox" / "stc-6-thang.xlsx.phan-hoi.txt"
    feedback.parent.mkdir(parents=True)
    feedback.write_text("Phản hồi của stc / stc's feedback\n", encoding="utf-8")


@pytest.fixture(scope="session")
def portal(tmp_path_factory) -> Server:
    root = tmp_path_factory.mktemp("portal")
    credentials = root / "secrets" / "credentials"
    for dept, password in PASSWORDS.items():
        set_password(credentials, dept, password)
    _snapshot(root / "published" / "chitieu.duckdb", root / "outbox")
    port = _free_port()
    env = os.environ | {
        "CHITIEU_PORTAL_CREDENTIALS": str(credentials),
        "CHITIEU_PORTAL_LOG": str(root / "portal" / "events.sqlite"),
        "CHITIEU_PORTAL_MAX_UPLOAD_MB": str(MAX_UPLOAD_MB),
        "CHITIEU_PORTAL_UPLOAD_TIMEOUT": str(UPLOAD_TIMEOUT),
        "CHITIEU_PORTAL_SESSION_KEY": "test-session-key-not-secret",
        "CHITIEU_INBOX_DIR": str(root / "inbox"),
        "CHITIEU_OUTBOX_DIR": str(root / "outbox"),
        "CHITIEU_PUBLISHED_WAREHOUSE": str(root / "published" / "chitieu.duckdb"),
    }
    log = open(root / "server.log", "wb")  # noqa: SIM115 - closed after the process ends
    proc = subprocess.Popen(
        [sys.executable, "-m", "chitieu.cli", "serve", "--port", str(port)],
        cwd=root,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                break
        except httpx.TransportError:
            pass
        if proc.poll() is not None:
            break
        time.sleep(0.2)
    else:
        proc.kill()
    if proc.poll() is not None:
        log.close()
        pytest.fail(f"portal did not start:\n{(root / 'server.log').read_text()}")
    yield Server(url, root, root / "inbox", root / "portal" / "events.sqlite", credentials, proc)
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    log.close()


def csrf(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def client(portal: Server, address: str = "10.0.0.1") -> httpx.Client:
    """A browser-like client; X-Forwarded-For stands in for the address a reverse proxy reports."""
    return httpx.Client(base_url=portal.url, headers={"x-forwarded-for": address}, timeout=60)


def sign_in(c: httpx.Client, department: str, password: str | None = None) -> httpx.Response:
    token = csrf(c.get("/signin").text)
    return c.post(
        "/signin",
        data={
            "csrf_token": token,
            "department": department,
            "password": PASSWORDS[department] if password is None else password,
        },
    )


def upload(c: httpx.Client, path: Path, name: str | None = None, token: str | None = "page"):
    """Upload ``path`` (as file name ``name``) with the upload page's CSRF token."""
    data = {"sender": "Nguyễn Thị Lan"}
    if token == "page":
        data["csrf_token"] = csrf(c.get("/upload").text)
    elif token is not None:
        data["csrf_token"] = token
    with open(path, "rb") as fh:
        return c.post("/upload", data=data, files={"file": (name or path.name, fh)})
