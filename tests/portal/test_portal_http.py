"""The real portal server over HTTP: sign-in, isolation between departments, uploads and their
verdicts, limits, CSRF, and the event log."""

from __future__ import annotations

import socket
import sqlite3
from datetime import UTC, datetime

from chitieu.portal.credentials import set_password
from tests.portal.conftest import MAX_UPLOAD_MB, SNAPSHOT_IDS, client, sign_in, upload
from tests.portal.forms import bad_form, good_form, warned_form


def _events(portal, **where) -> list[dict]:
    with sqlite3.connect(portal.log) as db:
        db.row_factory = sqlite3.Row
        rows = [dict(r) for r in db.execute("select * from events order by event_id")]
    return [r for r in rows if all(r[k] == v for k, v in where.items())]


def _inbox(portal, dept: str) -> list:
    folder = portal.inbox / dept
    return sorted(p.name for p in folder.iterdir() if p.is_file()) if folder.exists() else []


def test_sign_in_sets_a_strict_httponly_session_and_opens_the_upload_page(portal):
    with client(portal) as c:
        r = sign_in(c, "stc")
        assert r.status_code == 303 and r.headers["location"] == "/upload"
        cookie = r.headers["set-cookie"].lower()
        assert "httponly" in cookie and "samesite=strict" in cookie
        page = c.get("/upload")
        assert page.status_code == 200
        assert "Sở Tài chính" in page.text and "Department of Finance" in page.text
        assert page.headers["x-frame-options"] == "DENY"
    assert _events(portal, kind="sign_in", department_code="stc", result="ok", client="10.0.0.1")


def test_wrong_password_is_refused_and_logged(portal):
    with client(portal, "10.0.0.9") as c:
        r = sign_in(c, "stc", "not-the-password")
        assert r.status_code == 401
        assert "Sai đơn vị hoặc mật khẩu" in r.text and "Wrong department or password" in r.text
        assert c.get("/upload").headers["location"] == "/signin"
        assert c.get("/history").headers["location"] == "/signin"
    assert _events(portal, kind="sign_in", result="wrong_password", client="10.0.0.9")


def test_sign_in_is_rate_limited_even_for_the_right_password(portal):
    with client(portal, "10.0.0.2") as c:
        for _ in range(5):
            assert sign_in(c, "sgddt", "guess-guess-guess").status_code == 401
        r = sign_in(c, "sgddt")
        assert r.status_code == 429
        assert "thử lại sau 15 phút" in r.text
    assert len(_events(portal, kind="sign_in", department_code="sgddt", result="rate_limited")) == 1


def test_good_file_is_accepted_and_written_atomically_with_receipt(portal, tmp_path):
    path = good_form(tmp_path / "Báo cáo 9 tháng.xlsx")
    before = datetime.now(UTC)
    with client(portal) as c:
        sign_in(c, "stc")
        r = upload(c, path)
    assert r.status_code == 200
    assert 'data-status="accepted"' in r.text
    assert "ĐƯỢC CHẤP NHẬN" in r.text and "ACCEPTED" in r.text
    assert "2 số liệu đọc được" in r.text
    stored = [n for n in _inbox(portal, "stc") if n.endswith("-Báo cáo 9 tháng.xlsx")]
    assert len(stored) == 1
    target = portal.inbox / "stc" / stored[0]
    assert target.read_bytes() == path.read_bytes()
    assert abs(target.stat().st_mtime - before.timestamp()) < 30  # receipt time, not the file's
    assert not list((portal.inbox / "stc" / "outbox").iterdir())  # no temporary file left
    (event,) = _events(portal, kind="upload", stored_name=stored[0])
    assert event["result"] == "accepted" and event["sender"] == "Nguyễn Thị Lan"
    assert event["period_code"] == "2024-9M" and event["error_count"] == 0


def test_warned_file_is_accepted_with_the_warning_cell_and_fix(portal, tmp_path):
    path = warned_form(tmp_path / "canh-bao.xlsx")
    with client(portal) as c:
        sign_in(c, "stc")
        r = upload(c, path)
        history = c.get("/history").text
    assert r.status_code == 200 and 'data-status="warned"' in r.text
    assert "ACCEPTED WITH WARNINGS" in r.text
    assert "Biểu!H9" in r.text and "estimate_missing" in r.text
    assert "Fill in the year-end estimate column." in r.text
    assert any(n.endswith("-canh-bao.xlsx") for n in _inbox(portal, "stc"))
    assert "canh-bao.xlsx" in history  # waiting for the nightly run


def test_bad_file_is_rejected_with_cell_found_expected_and_not_written(portal, tmp_path):
    path = bad_form(tmp_path / "sai-don-vi.xlsx")
    with client(portal) as c:
        sign_in(c, "stc")
        r = upload(c, path)
        feedback_link = f"/feedback/{_events(portal, file_name='sai-don-vi.xlsx')[0]['event_id']}"
        feedback = c.get(feedback_link)
    assert r.status_code == 200 and 'data-status="rejected"' in r.text
    assert "BỊ TỪ CHỐI" in r.text and "REJECTED" in r.text
    assert "Biểu!C4" in r.text and "triệu đồng" in r.text and "tỷ đồng" in r.text
    assert "Quy đổi số liệu sang đơn vị tính của chỉ tiêu" in r.text
    assert not any("sai-don-vi" in n for n in _inbox(portal, "stc"))
    assert _events(portal, file_name="sai-don-vi.xlsx")[0]["result"] == "rejected"
    assert feedback.status_code == 200
    assert "1. LỖI / ERROR [unit_mismatch] — ô / cell Biểu!C4" in feedback.text


def test_too_big_file_is_refused_and_nothing_written(portal, tmp_path):
    path = tmp_path / "qua-lon.csv"
    path.write_bytes(b"x" * int((MAX_UPLOAD_MB + 0.3) * 1024 * 1024))
    with client(portal) as c:
        sign_in(c, "stc")
        r = upload(c, path)
    assert r.status_code == 413
    assert "Tệp quá lớn (tối đa 0,5 MB)" in r.text and "too large" in r.text
    assert not any("qua-lon" in n for n in _inbox(portal, "stc"))
    assert _events(portal, kind="upload", department_code="stc", result="too_large")


def test_name_with_dot_dot_is_never_a_path(portal, tmp_path):
    path = good_form(tmp_path / "x.xlsx")
    with client(portal) as c:
        sign_in(c, "stc")
        r = upload(c, path, name="../../../snn/..\\evil.xlsx")
    assert 'data-status="accepted"' in r.text
    assert '<strong class="file">evil.xlsx</strong>' in r.text
    assert any(n.endswith("-evil.xlsx") for n in _inbox(portal, "stc"))
    assert not any("evil" in n for n in _inbox(portal, "snn"))
    assert not [p for p in portal.root.rglob("*evil*") if p.parent != portal.inbox / "stc"]


def test_posts_without_csrf_token_are_refused(portal, tmp_path):
    path = good_form(tmp_path / "khong-csrf.xlsx")
    with client(portal) as c:
        sign_in(c, "stc")
        assert upload(c, path, token=None).status_code == 403
        assert upload(c, path, token="forged").status_code == 403
    assert not any("khong-csrf" in n for n in _inbox(portal, "stc"))
    with client(portal) as c:
        c.get("/signin")
        r = c.post("/signin", data={"department": "stc", "password": "tai-chinh-mat-khau-1"})
        assert r.status_code == 403
        assert c.get("/upload").status_code == 303


def test_signed_out_upload_goes_to_sign_in_and_writes_nothing(portal, tmp_path):
    path = good_form(tmp_path / "chua-dang-nhap.xlsx")
    with client(portal) as c, open(path, "rb") as fh:
        r = c.post("/upload", files={"file": ("chua-dang-nhap.xlsx", fh)})
    assert r.status_code == 303 and r.headers["location"] == "/signin"
    assert not any("chua-dang-nhap" in n for n in _inbox(portal, "stc"))


def test_history_shows_processed_submissions_and_pending_uploads(portal, tmp_path):
    path = good_form(tmp_path / "lich-su.xlsx")
    with client(portal) as c:
        sign_in(c, "stc")
        upload(c, path)
        page = c.get("/history").text
        feedback = c.get(f"/feedback/s/{SNAPSHOT_IDS['stc']}")
    assert "stc-6-thang.xlsx" in page and "2024-6M" in page
    assert "Bản đang dùng" in page and "current" in page
    assert "1.234,5" in page and "Biểu!H9" in page  # the figure taken, Vietnamese format
    assert "Cảnh báo stc" in page
    assert "Waiting for the nightly run" in page and "lich-su.xlsx" in page
    assert feedback.status_code == 200 and "stc's feedback" in feedback.text


def test_another_departments_history_and_feedback_are_unreachable(portal, tmp_path):
    with client(portal) as stc:
        sign_in(stc, "stc")
        upload(stc, bad_form(tmp_path / "rieng-cua-stc.xlsx"))
    stc_event = _events(portal, file_name="rieng-cua-stc.xlsx")[0]["event_id"]
    with client(portal, "10.0.0.3") as snn:
        sign_in(snn, "snn")
        for url in ("/history", "/history?department=stc", "/history/stc"):
            page = snn.get(url).text
            assert "stc-6-thang.xlsx" not in page and "rieng-cua-stc" not in page
            assert "Cảnh báo stc" not in page
        assert "snn-6-thang.xlsx" in snn.get("/history").text
        assert snn.get(f"/feedback/{stc_event}").status_code == 404
        assert snn.get(f"/feedback/s/{SNAPSHOT_IDS['stc']}").status_code == 404
        assert snn.get(f"/feedback/s/{SNAPSHOT_IDS['snn']}").status_code == 404  # none written


def test_official_template_download_is_the_departments_own(portal, tmp_path):
    from openpyxl import load_workbook

    with client(portal) as c:
        sign_in(c, "stc")
        r = c.get("/template", params={"period": "2024-Q3"})
        assert c.get("/template", params={"period": "../../etc"}).status_code == 400
    assert r.status_code == 200
    out = tmp_path / "t.xlsx"
    out.write_bytes(r.content)
    codes = {row[1] for row in load_workbook(out)["Biểu"].iter_rows(values_only=True)}
    assert "budget_revenue" in codes and "cereal_output" not in codes


def test_rotating_a_password_ends_open_sessions(portal):
    with client(portal, "10.0.0.4") as c:
        sign_in(c, "snn")
        assert c.get("/upload").status_code == 200
        set_password(portal.credentials, "snn", "nong-nghiep-mat-khau-moi")
        try:
            assert c.get("/upload").headers["location"] == "/signin"
            assert sign_in(c, "snn", "nong-nghiep-mat-khau-moi").status_code == 303
        finally:
            set_password(portal.credentials, "snn", "nong-nghiep-mat-khau-2")


def _read_all(s: socket.socket) -> str:
    """The whole answer: headers and body may arrive in separate packets (the server closes)."""
    chunks = []
    while chunk := s.recv(4096):
        chunks.append(chunk)
    return b"".join(chunks).decode()


def test_a_body_declared_far_too_large_is_refused_before_it_is_read(portal):
    host, port = portal.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as s:
        s.sendall(
            b"POST /upload HTTP/1.1\r\nHost: portal\r\n"
            b"Content-Type: multipart/form-data; boundary=b\r\n"
            b"Content-Length: 104857600\r\n\r\n"
        )
        answer = s.recv(4096).decode()
    assert answer.startswith("HTTP/1.1 413")


def test_an_upload_slower_than_its_time_limit_is_refused(portal):
    host, port = portal.url.removeprefix("http://").split(":")
    with client(portal) as c:
        sign_in(c, "stc")
        cookie = c.cookies["chitieu_session"]
    with socket.create_connection((host, int(port)), timeout=30) as s:
        s.sendall(
            b"POST /upload HTTP/1.1\r\nHost: portal\r\n"
            b"Cookie: chitieu_session=" + cookie.encode() + b"\r\n"
            b"Content-Type: multipart/form-data; boundary=b\r\n"
            b"Content-Length: 1000\r\n\r\n--b\r\n"
        )
        answer = _read_all(s)  # the rest of the body never comes
    assert answer.startswith("HTTP/1.1 408")
    assert "quá lâu" in answer
    assert _events(portal, kind="upload", department_code="stc", result="too_slow")
