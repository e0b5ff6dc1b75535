"""Alert delivery: channels (apprise URLs from the environment), sending, and never twice.

Channels come only from the environment (``CHITIEU_ALERT_URLS``: apprise URLs such as
``mailtos://user:password@smtp.example.org?to=ops@example.org`` or ``json://hooks.example.org/x``);
they may hold secrets, so no alert text or message ever includes them (a channel is named by its
scheme and host only). Delivery is tracked per alert key and per channel in the warehouse
(``ops.alert_deliveries``: status, attempts, last error), so a channel that was down is retried the
next night without repeating the alert on the channels that got it. DuckDB has one writer and a
second one fails at once, so the store is only written from within runs that hold the warehouse
(the nightly assets, the alert jobs, ``chitieu run`` under its lock; all in the
``chitieu_warehouse`` pool). What is alerted is decided in ``chitieu.alerts``.
"""

from __future__ import annotations

import hashlib
import logging
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

from chitieu.settings import ENV_SETTINGS

SEVERITIES = ("info", "warning", "failure")


@dataclass(frozen=True)
class Alert:
    key: str
    title: str
    body: str
    attachments: tuple[str, ...] = field(default=())
    severity: str = "info"


class AlertConfigError(ValueError):
    """A channel URL apprise cannot load; the message never includes the URL's secrets."""


def channel_urls(urls: str) -> list[str]:
    return urls.replace(",", " ").split()


def describe(url: str) -> str:
    """``scheme://host`` of a channel: enough to find it, without user, password, path or query."""
    parts = urlsplit(url)
    try:
        host = parts.hostname or ""
    except ValueError:
        host = ""
    return f"{parts.scheme or '?'}://{host}"


def channel_id(url: str) -> str:
    return hashlib.sha256(url.encode()).hexdigest()[:16]


@contextmanager
def _silenced(name: str):
    """Apprise logs an unloadable URL with part of it (and of its password): keep that out of logs."""
    logger = logging.getLogger(name)
    level, logger.disabled = logger.level, True
    try:
        yield
    finally:
        logger.disabled = False
        logger.setLevel(level)


ALERT_URLS = ENV_SETTINGS["alerts"]["urls"]
DEPARTMENT_MAIL_URL = ENV_SETTINGS["alerts"]["department_mail_url"]


def validate_urls(urls: str, variable: str = ALERT_URLS) -> list[str]:
    """Every channel URL, checked to load in apprise; raises AlertConfigError naming the
    ``variable`` that holds them and the bad one."""
    channels = channel_urls(urls)
    if not channels:
        return []
    import apprise

    for number, url in enumerate(channels, start=1):
        with _silenced("apprise"):
            plugin = apprise.Apprise.instantiate(url, suppress_exceptions=True)
        if plugin is None:
            raise AlertConfigError(
                f"{variable}: channel {number} ({describe(url)}) is not a URL apprise can "
                "load; check its scheme, host and parameters (the value is not shown: it may hold "
                "a password)"
            )
    return channels


class AlertStore:
    """Which alert keys were delivered to which channel: ``ops.alert_deliveries`` in the warehouse,
    one row per alert key and channel. ``con`` is a writable connection of a run that holds the
    warehouse (never a sensor's)."""

    TABLE = "ops.alert_deliveries"

    def __init__(self, con, run_id: str = ""):
        from chitieu import warehouse as wh

        self.con, self.run_id = con, run_id
        wh.ensure_table(con, self.TABLE)

    def delivered(self, key: str, channel: str) -> bool:
        return bool(
            self.con.execute(
                f"select count(*) from {self.TABLE} "
                "where alert_key = ? and channel = ? and status = 'sent'",
                [key, channel],
            ).fetchall()[0][0]
        )

    def record(self, alert: Alert, url: str, error: str | None) -> None:
        """One attempt on one channel: sent (``error`` None) or failed with ``error``."""
        now = datetime.now(UTC)
        self.con.execute(
            f"""insert into {self.TABLE} by name
                select ? as alert_key, ? as channel, ? as channel_name, ? as title, ? as severity,
                       ? as status, 1 as attempts, ? as first_attempt_at, ? as last_attempt_at,
                       ? as sent_at, ? as error, ? as run_id
                on conflict (alert_key, channel) do update set
                    status = excluded.status, attempts = attempts + 1,
                    last_attempt_at = excluded.last_attempt_at, sent_at = excluded.sent_at,
                    error = excluded.error, run_id = excluded.run_id""",
            [
                alert.key,
                channel_id(url),
                describe(url),
                alert.title,
                alert.severity,
                "failed" if error else "sent",
                now,
                now,
                None if error else now,
                error,
                self.run_id,
            ],
        )

    def mark(self, alert: Alert, url: str) -> None:
        self.record(alert, url, None)

    def deliveries(self) -> list[tuple]:
        """(alert key, channel name, status, attempts) of every row, for reports and tests."""
        return self.con.execute(
            f"select alert_key, channel_name, status, attempts from {self.TABLE} "
            "order by alert_key, channel_name"
        ).fetchall()


@contextmanager
def warehouse_store(path: str | Path, run_id: str = ""):
    """The delivery store in the warehouse at ``path`` for a run-failure alert; None when another
    process holds the warehouse (DuckDB fails at once on a second writer). A run's failure has a
    key of its own, alerted by one job run, so sending it untracked cannot repeat it."""
    import duckdb

    from chitieu import warehouse as wh

    Path(path).parent.mkdir(parents=True, exist_ok=True)
    try:
        con = duckdb.connect(str(path))
    except duckdb.IOException:
        con = None
    try:
        if con is not None:
            wh.ensure_schemas(con)
        yield AlertStore(con, run_id) if con is not None else None
    finally:
        if con is not None:
            con.close()


def _attachment(path: str):
    """A UTF-8 text attachment whose MIME type says so (apprise would send bare text/plain)."""
    from apprise.attachment.file import AttachFile

    class Utf8Text(AttachFile):
        @property
        def mimetype(self):
            return "text/plain; charset=utf-8"

    return Utf8Text(path=path)


def _notify(url: str, alert: Alert) -> bool:
    import apprise

    notifier = apprise.Apprise()
    with _silenced("apprise"):
        notifier.add(url)
    attach = None
    files = [a for a in alert.attachments if Path(a).is_file()]
    if files:
        attach = apprise.AppriseAttachment()
        for f in files:
            attach.add(_attachment(f))
    notify_type = {
        "info": apprise.NotifyType.INFO,
        "warning": apprise.NotifyType.WARNING,
        "failure": apprise.NotifyType.FAILURE,
    }[alert.severity]
    with _silenced("apprise"):
        return bool(
            notifier.notify(
                title=alert.title,
                body=alert.body,
                body_format=apprise.NotifyFormat.TEXT,
                notify_type=notify_type,
                attach=attach,
            )
        )


def validate_channels(urls: str, department_mail_url: str) -> None:
    """Both settings that hold channel URLs, checked when a run starts (``chitieu run`` before
    anything runs, a Dagster run when its alerts resource is set up)."""
    validate_urls(urls, ALERT_URLS)
    validate_urls(department_mail_url, DEPARTMENT_MAIL_URL)


def send(
    alerts: list[Alert], urls: str, store: AlertStore | None, variable: str = ALERT_URLS
) -> list[str]:
    """Send each alert to every channel that has not had it yet; returns the keys sent somewhere.
    A channel that fails is tried again next time; the others are not repeated. ``store`` None
    sends without tracking (only for alerts whose key cannot recur, such as a run's failure, when
    the warehouse is held by another process). ``variable`` names the setting in errors."""
    channels = validate_urls(urls, variable)
    sent = []
    for alert in alerts:
        delivered = False
        for url in channels:
            if store is not None and store.delivered(alert.key, channel_id(url)):
                continue
            try:
                ok, error = _notify(url, alert), None
            except Exception as exc:  # one channel's failure must not stop the others
                ok, error = False, type(exc).__name__
            if store is not None:
                store.record(alert, url, None if ok else error or "the channel refused it")
            delivered = delivered or ok
        if delivered:
            sent.append(alert.key)
    return sent


def department_address(ref, department: str | None) -> str | None:
    """The department's own contact address (``email`` in departments.yaml), or None."""
    if not department or "email" not in ref.departments:
        return None
    rows = ref.departments.loc[ref.departments["department_code"] == department, "email"]
    address = rows.iloc[0] if len(rows) else None
    return address.strip() if isinstance(address, str) and "@" in address else None


def with_recipient(mail_url: str, address: str) -> str:
    """The apprise mail URL ``mail_url`` (SMTP server, sender, credentials) sending to ``address``."""
    from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

    parts = urlsplit(mail_url)
    query = [(k, v) for k, v in parse_qsl(parts.query) if k.lower() not in ("to", "cc", "bcc")]
    return urlunsplit(parts._replace(query=urlencode([*query, ("to", address)])))


def send_to_departments(
    pending: list[tuple[str, Alert]], mail_url: str, ref, store: AlertStore
) -> list[str]:
    """Send each (department, alert) to the department's own address through ``mail_url``, once
    per address; departments without an address are skipped. Returns the keys sent."""
    if not validate_urls(mail_url, DEPARTMENT_MAIL_URL):
        return []
    sent = []
    for dept, alert in pending:
        address = department_address(ref, dept)
        if address and send(
            [alert], with_recipient(mail_url.strip(), address), store, DEPARTMENT_MAIL_URL
        ):
            sent.append(alert.key)
    return sent
