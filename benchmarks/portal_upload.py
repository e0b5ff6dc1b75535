"""Upload-to-verdict time of the department portal on a warm server, against the check floor.

A real ``chitieu serve`` (uvicorn, warm check worker) is started on a free port; an HTTP client
signs in and uploads a typical 60-row form (the labour department's 9-month Biểu, 180 figures, no problem found),
timing from the first byte of the upload to the verdict page. Baseline, in the same run and the
same file: the nightly job's own check (``check_submission``: parse + GX validation, warm) in this
process, and the parse alone. Target (issue 11): under 1 s, and under 5x the parse + validation
floor.

Run: .venv/bin/python -m benchmarks.portal_upload [--repeat 15]
"""

from __future__ import annotations

import argparse
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import xlsxwriter

from chitieu.catalogue import load_plan
from chitieu.portal.credentials import set_password
from chitieu.reference import load_reference
from chitieu.resources import DEFAULT_PLANS_DIR, DEFAULT_REFERENCE_DIR
from chitieu.submissions.check import check_submission
from chitieu.submissions.parser import parse_submission

PASSWORD = "benchmark-password-1"


def write_form(path: Path, plan, rows: int = 60) -> None:
    """A 9-month Biểu of ``rows`` rows cycling through the labour department's targets, with
    figures that pass every rule (the throughput benchmark's form puts head counts in % rows)."""
    targets = [t for t in plan.targets if t.department_code == "sldtbxh"]
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("Biểu")
    ws.write_row(0, 0, ["Báo cáo 9 tháng năm 2024"])
    ws.write_row(2, 0, ["STT", "Chỉ tiêu", "ĐVT", "TH năm trước", "TH kỳ báo cáo", "Ước TH cả năm"])
    for i in range(rows):
        t = targets[i % len(targets)]
        unit = t.measure_unit or t.unit
        figures = ["12,0", "10,5", "11,0"] if unit == "%" else ["8.870", "6.100", "8.900,5"]
        ws.write_row(3 + i, 0, [str(i + 1), t.name_vi, unit, *figures])
    wb.close()


def _start(root: Path) -> tuple[subprocess.Popen, str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    set_password(root / "credentials", "sldtbxh", PASSWORD)
    env = os.environ | {
        "CHITIEU_PORTAL_CREDENTIALS": str(root / "credentials"),
        "CHITIEU_PORTAL_LOG": str(root / "events.sqlite"),
        "CHITIEU_INBOX_DIR": str(root / "inbox"),
        "CHITIEU_PUBLISHED_WAREHOUSE": str(root / "none.duckdb"),
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "chitieu.cli", "serve", "--port", str(port)],
        cwd=root,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(600):
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                return proc, url
        except httpx.TransportError:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError("the portal did not start")


def _token(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=15)
    args = ap.parse_args()
    ref = load_reference(DEFAULT_REFERENCE_DIR)
    plan = load_plan(Path(DEFAULT_PLANS_DIR) / "lai-chau-2024.yaml", ref)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        form = root / "bao-cao-60-dong.xlsx"
        write_form(form, plan)
        content = form.read_bytes()
        check_submission(form, plan, ref, "sldtbxh")  # warm this process's GX too
        proc, url = _start(root)
        upload_times, floor_times, parse_times = [], [], []
        try:
            with httpx.Client(base_url=url, timeout=60) as c:
                c.post(
                    "/signin",
                    data={
                        "csrf_token": _token(c.get("/signin").text),
                        "department": "sldtbxh",
                        "password": PASSWORD,
                    },
                )
                token = _token(c.get("/upload").text)
                # interleaved, so a busy machine slows the upload and its floor alike
                for i in range(args.repeat + 1):
                    start = time.perf_counter()
                    r = c.post(
                        "/upload",
                        data={"csrf_token": token, "sender": "benchmark"},
                        files={"file": (f"bao-cao-{i}.xlsx", content)},
                    )
                    elapsed = time.perf_counter() - start
                    assert 'data-status="accepted"' in r.text, r.text[:2000]
                    if not i:  # the first upload after start-up is reported on its own
                        first = elapsed
                        continue
                    upload_times.append(elapsed)
                    start = time.perf_counter()
                    sub = check_submission(form, plan, ref, "sldtbxh")
                    floor_times.append(time.perf_counter() - start)
                    assert sub.accepted and sub.value_count == 180 and not sub.warnings
                    start = time.perf_counter()
                    parse_submission(form, plan, ref, "sldtbxh")
                    parse_times.append(time.perf_counter() - start)
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    up, fl, pa = (
        statistics.median(upload_times),
        statistics.median(floor_times),
        statistics.median(parse_times),
    )
    print(
        f"60-row form (180 figures), median of {args.repeat}: "
        f"upload->verdict {up * 1000:7.1f} ms (best {min(upload_times) * 1000:.1f}, first {first * 1000:.1f}) | "
        f"parse+validation floor {fl * 1000:7.1f} ms (best {min(floor_times) * 1000:.1f}) | "
        f"parse alone {pa * 1000:6.2f} ms | "
        f"ratio {up / fl:4.2f}x floor (target < 5x), {'under' if up < 1 else 'OVER'} 1 s"
    )


if __name__ == "__main__":
    main()
