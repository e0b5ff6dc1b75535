"""The portal's pure parts: file names, the sign-in limiter, the credentials file, settings, delivery."""

from __future__ import annotations

import stat
from datetime import UTC, datetime

import pytest

from chitieu.portal.credentials import CredentialError, Credentials, read_hashes, set_password
from chitieu.portal.inbox import deliver, stored_name
from chitieu.portal.security import SignInLimiter, csrf_ok, csrf_token, safe_name
from chitieu.portal.settings import PortalSettings
from chitieu.submissions.inbox import scan_inbox


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("Báo cáo 9 tháng.xlsx", "Báo cáo 9 tháng.xlsx"),
        ("../../etc/passwd", "passwd"),
        ("..\\..\\Windows\\evil.xlsx", "evil.xlsx"),
        ("C:\\Users\\lan\\Desktop\\bc.xlsx", "bc.xlsx"),
        ("..xlsx", "xlsx"),
        ("a..b.xlsx", "a.b.xlsx"),
        ("bad\x00name<>|?.csv", "bad_name____.csv"),
        ("...", "tep"),
        ("", "tep"),
        ("Bao cao" + "x" * 200 + ".xlsx", "Bao cao" + "x" * 88 + ".xlsx"),
    ],
)
def test_safe_name_keeps_only_a_plain_last_component(given, expected):
    assert safe_name(given) == expected


def test_delivered_names_pass_the_inbox_scanner(tmp_path):
    when = datetime(2024, 10, 20, 8, 5, 9, tzinfo=UTC)
    for given in ("../x/Báo cáo.xlsx", "a:b*c?.xlsx", "~$lock.xlsx"):
        deliver(tmp_path, "stc", safe_name(given), b"data", when)
    files = scan_inbox(tmp_path, {"stc"})
    # the time prefix also keeps a '~$' name from looking like an Excel lock file
    assert {f.path.name for f in files} == {
        "20241020T080509Z-a_b_c_.xlsx",
        "20241020T080509Z-~$lock.xlsx",
        "20241020T080509Z-Báo cáo.xlsx",
    }
    # the upload's receipt time is the file time; the pipeline's own receipt is when it first sees it
    assert all(f.refused is None and f.modified_at == when for f in files)


def test_same_name_same_second_keeps_both_files(tmp_path):
    when = datetime(2024, 10, 20, 8, 5, 9, tzinfo=UTC)
    a = deliver(tmp_path, "stc", "bc.xlsx", b"one", when)
    b = deliver(tmp_path, "stc", "bc.xlsx", b"two", when)
    assert a.name == stored_name(when, "bc.xlsx") == "20241020T080509Z-bc.xlsx"
    assert b.name.startswith("20241020T080509Z-bc-") and b.suffix == ".xlsx"
    assert (a.read_bytes(), b.read_bytes()) == (b"one", b"two")


def test_limiter_blocks_after_the_attempts_in_the_window():
    limiter = SignInLimiter(attempts=3, window_seconds=60)
    for _ in range(2):
        limiter.failed("client:1", "department:stc")
    assert limiter.blocked("client:1") == 0
    limiter.failed("client:1", "department:stc")
    assert 59 < limiter.blocked("client:2", "department:stc") <= 60
    assert limiter.blocked("client:2", "department:snn") == 0
    short = SignInLimiter(attempts=1, window_seconds=0)
    short.failed("k")
    assert short.blocked("k") == 0  # the window has passed


def test_csrf_token_is_per_session_and_compared_exactly():
    session: dict = {}
    token = csrf_token(session)
    assert csrf_token(session) == token and len(token) >= 40
    assert csrf_ok(session, token)
    assert not csrf_ok(session, token[:-1]) and not csrf_ok(session, None)
    assert not csrf_ok({}, token)


def test_credentials_file_is_private_hashed_and_rotatable(tmp_path):
    path = tmp_path / "secrets" / "credentials"
    set_password(path, "stc", "mot-mat-khau-dai")
    text = path.read_text()
    assert "mot-mat-khau-dai" not in text and "stc:$argon2id$" in text
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    creds = Credentials(path)
    first = creds.verify("stc", "mot-mat-khau-dai")
    assert first and first == creds.current("stc")
    assert creds.verify("stc", "sai-mat-khau-roi") is None
    assert creds.verify("snn", "mot-mat-khau-dai") is None
    set_password(path, "stc", "mat-khau-moi-hon")
    assert creds.current("stc") not in (None, first)
    assert creds.verify("stc", "mot-mat-khau-dai") is None
    with pytest.raises(CredentialError, match="at least 12"):
        set_password(path, "stc", "ngan")
    path.write_text("stc:plaintext\n")
    with pytest.raises(CredentialError, match="credentials:1"):
        read_hashes(path)


def test_settings_from_environment_and_flags():
    s = PortalSettings.from_env(
        {
            "CHITIEU_PORTAL_PORT": "9000",
            "CHITIEU_PORTAL_SECURE_COOKIES": "true",
            "CHITIEU_PORTAL_MAX_UPLOAD_MB": "2,5".replace(",", "."),
            "CHITIEU_INBOX_DIR": "/srv/inbox",
        },
        bind="0.0.0.0",
        port=None,
    )
    assert (s.bind, s.port, s.secure_cookies, s.inbox_dir) == ("0.0.0.0", 9000, True, "/srv/inbox")
    assert s.max_upload_bytes == 2_621_440
    assert PortalSettings.from_env({}).bind == "127.0.0.1"


def test_a_check_over_its_time_is_abandoned_and_the_worker_replaced(tmp_path):
    from chitieu.portal.checker import Checker, CheckFailed
    from chitieu.resources import DEFAULT_PLANS_DIR, DEFAULT_REFERENCE_DIR
    from tests.portal.forms import good_form

    form = good_form(tmp_path / "bc.xlsx")
    checker = Checker(DEFAULT_PLANS_DIR, DEFAULT_REFERENCE_DIR, str(tmp_path / "none.duckdb"))
    checker.start()
    try:
        first = set(checker._pool._processes)
        with pytest.raises(CheckFailed) as failed:
            checker.check(form, "stc", timeout=0.001)
        assert failed.value.timed_out
        assert not first & set(checker._pool._processes)  # a new worker process
        verdict = checker.check(form, "stc", timeout=120)
        assert (verdict.status, verdict.value_count, verdict.period_code) == (
            "accepted",
            2,
            "2024-9M",
        )
    finally:
        checker.stop()
