"""Portal settings, read from CHITIEU_* environment variables when the server starts (never at import)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields
from pathlib import Path

from chitieu.resources import DEFAULT_INBOX_DIR, DEFAULT_PLANS_DIR, DEFAULT_REFERENCE_DIR

EXTENSIONS = (".xlsx", ".xlsm", ".xls", ".ods", ".csv")

ENV = {
    "bind": "CHITIEU_PORTAL_BIND",
    "port": "CHITIEU_PORTAL_PORT",
    "credentials_path": "CHITIEU_PORTAL_CREDENTIALS",
    "session_key": "CHITIEU_PORTAL_SESSION_KEY",
    "secure_cookies": "CHITIEU_PORTAL_SECURE_COOKIES",
    "max_upload_mb": "CHITIEU_PORTAL_MAX_UPLOAD_MB",
    "check_timeout_seconds": "CHITIEU_PORTAL_CHECK_TIMEOUT",
    "upload_timeout_seconds": "CHITIEU_PORTAL_UPLOAD_TIMEOUT",
    "log_path": "CHITIEU_PORTAL_LOG",
    "check_workers": "CHITIEU_PORTAL_WORKERS",
    "forwarded_allow_ips": "CHITIEU_PORTAL_FORWARDED_ALLOW_IPS",
    "inbox_dir": "CHITIEU_INBOX_DIR",
    "outbox_dir": "CHITIEU_OUTBOX_DIR",
    "published_path": "CHITIEU_PUBLISHED_WAREHOUSE",
    "plans_dir": "CHITIEU_PLANS_DIR",
    "reference_dir": "CHITIEU_REFERENCE_DIR",
}


@dataclass(frozen=True)
class PortalSettings:
    """Everything the portal needs; paths shared with the pipeline use the pipeline's variables."""

    bind: str = "127.0.0.1"
    port: int = 8765
    credentials_path: str = "var/portal/credentials"
    session_key: str = field(default="", repr=False)
    secure_cookies: bool = False
    max_upload_mb: float = 5.0
    check_timeout_seconds: float = 20.0
    upload_timeout_seconds: float = 60.0
    log_path: str = "var/portal/events.sqlite"
    check_workers: int = 1
    forwarded_allow_ips: str = "127.0.0.1"
    inbox_dir: str = DEFAULT_INBOX_DIR
    outbox_dir: str = "var/outbox"
    published_path: str = "var/published/chitieu.duckdb"
    plans_dir: str = DEFAULT_PLANS_DIR
    reference_dir: str = DEFAULT_REFERENCE_DIR
    sign_in_attempts: int = 5
    sign_in_window_seconds: int = 900
    session_hours: int = 8

    @property
    def max_upload_bytes(self) -> int:
        return int(self.max_upload_mb * 1024 * 1024)

    @property
    def incoming_dir(self) -> Path:
        """Where an upload waits while it is checked (beside the event log, never in the inbox)."""
        return Path(self.log_path).parent / "incoming"

    @classmethod
    def from_env(cls, environ: dict | None = None, **overrides) -> PortalSettings:
        """Settings from ``environ`` (default ``os.environ``); ``overrides`` (command-line flags) win."""
        environ = os.environ if environ is None else environ
        values: dict = {}
        types = {f.name: f.type for f in fields(cls)}
        for name, var in ENV.items():
            raw = environ.get(var, "").strip()
            if not raw:
                continue
            kind = types[name]
            if kind == "bool":
                values[name] = raw.lower() in ("1", "true", "yes", "on")
            elif kind == "int":
                values[name] = int(raw)
            elif kind == "float":
                values[name] = float(raw)
            else:
                values[name] = raw
        values |= {k: v for k, v in overrides.items() if v is not None}
        return cls(**values)
