"""Dagster resources: the warehouse file and where the inputs live."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import dagster as dg
import duckdb
from pydantic import ConfigDict, Field, PrivateAttr

from chitieu.periods import parse_as_of, parse_receipt_time
from chitieu.settings import DEFAULT_OUTBOX_DIR, STATS_MODES, setting_problem
from chitieu.warehouse import ensure_schemas

# The project folder: chitieu is the only installed package; the data folders stay beside it.
PROJECT_ROOT = Path(__file__).resolve().parents[1]
SOURCES_DIR = PROJECT_ROOT / "sources"
DEFAULT_WAREHOUSE = "var/chitieu.duckdb"
DEFAULT_PLANS_DIR = str(SOURCES_DIR / "plans")
DEFAULT_REFERENCE_DIR = str(SOURCES_DIR / "reference")
DEFAULT_MANUAL_DIR = str(SOURCES_DIR / "observations")
DEFAULT_INBOX_DIR = "var/inbox"
SAMPLE_INBOX_DIR = str(SOURCES_DIR / "inbox")
DEFAULT_STATS_CONFIG = str(SOURCES_DIR / "statistics" / "config.yaml")
DEFAULT_STATS_RECORDED = str(SOURCES_DIR / "statistics" / "recorded")
TIMEZONE = "Asia/Ho_Chi_Minh"
# Every run that writes the warehouse takes a slot of this pool; dagster.yaml allows one at a time
# (DuckDB has a single writer and a second one fails at once on the file lock).
WAREHOUSE_POOL = "chitieu_warehouse"
# Assets that call remote APIs try again after 30 s, then 60 s (the HTTP client already retries
# single requests; this covers an outage of a few minutes).
NETWORK_RETRY = dg.RetryPolicy(
    max_retries=2, delay=30, backoff=dg.Backoff.EXPONENTIAL, jitter=dg.Jitter.PLUS_MINUS
)


class WarehouseResource(dg.ConfigurableResource):
    """The pipeline's working DuckDB file (BI tools should read the published copy instead).

    A run opens the file once and each step's connection is a cursor on it: opening and closing
    (which checkpoints) once per step cost 11–16 % of a night (benchmarks/warehouse_open.py), and no
    other process can take the file between two steps. Runs that use the warehouse already run
    one at a time (the ``chitieu_warehouse`` pool has run granularity in dagster.yaml; ``chitieu
    run`` takes its own lock), so holding it for a whole run takes nothing from another run. When the file cannot be opened at the
    start (another process holds it), nothing is held and each step opens it as before, so the
    step that needs it fails with DuckDB's own message and a job that can do without it (the
    run-failure alert) still runs.
    """

    path: str = DEFAULT_WAREHOUSE
    _held: duckdb.DuckDBPyConnection | None = PrivateAttr(default=None)

    def _open(self) -> duckdb.DuckDBPyConnection:
        Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        con = duckdb.connect(self.path)
        ensure_schemas(con)
        return con

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        try:
            self._held = self._open()
        except (OSError, duckdb.Error):
            self._held = None

    def teardown_after_execution(self, context: dg.InitResourceContext) -> None:
        self._close()

    def _close(self) -> None:
        if self._held is not None:
            self._held.close()
            self._held = None

    @contextmanager
    def released(self) -> Iterator[str]:
        """The file closed for the duration (to copy it or attach it elsewhere), reopened after;
        yields its path."""
        held = self._held is not None
        self._close()
        try:
            yield self.path
        finally:
            if held:
                self._held = self._open()

    @contextmanager
    def get_connection(self) -> Iterator[duckdb.DuckDBPyConnection]:
        con = self._held.cursor() if self._held is not None else self._open()
        try:
            yield con
        finally:
            con.close()


class InputsResource(dg.ConfigurableResource):
    """Where the plan catalogue, reference data and manual observations are read from."""

    plans_dir: str = DEFAULT_PLANS_DIR
    reference_dir: str = DEFAULT_REFERENCE_DIR
    manual_observations_dir: str = DEFAULT_MANUAL_DIR
    inbox_dir: str = DEFAULT_INBOX_DIR
    outbox_dir: str = DEFAULT_OUTBOX_DIR
    portal_log: str = "var/portal/events.sqlite"
    as_of: str = ""
    received_at: str = ""
    settle_seconds: int = 60
    max_file_mb: int = 50
    parse_timeout_seconds: int = 60
    parse_memory_mb: int = 1024

    def parse_limits(self):
        """Per-file limits for reading an untrusted submission (docs/submissions.md)."""
        from chitieu.submissions.isolate import ParseLimits

        return ParseLimits(float(self.parse_timeout_seconds), self.parse_memory_mb)

    def plan_files(self) -> list[Path]:
        return sorted(Path(self.plans_dir).glob("*.yaml"))

    def manual_files(self) -> list[Path]:
        return sorted(Path(self.manual_observations_dir).glob("*.csv"))

    def receipt_time(self) -> datetime | None:
        """The receipt clock: ``received_at`` (YYYY-MM-DD, noon in Vietnam, or an ISO date-time
        with offset) stamped on every file this run sees first; None: the scan's own time."""
        return parse_receipt_time(self.received_at) if self.received_at else None

    def as_of_date(self) -> date:
        """The evaluation date: ``as_of`` if set (YYYY-MM-DD), else today in Vietnam."""
        if self.as_of:
            return parse_as_of(self.as_of)
        return datetime.now(ZoneInfo(TIMEZONE)).date()

    def as_of_end(self) -> datetime:
        """The end of the evaluation date in Vietnam: what alert ages are counted back from, so
        every alert measures age against the same day (the date's deadlines, its receipts)."""
        next_day = self.as_of_date() + timedelta(days=1)
        return datetime.combine(next_day, time(0), ZoneInfo(TIMEZONE))


class StatisticsLimits(dg.Config):
    """How hard to try with a live statistics server: retries, waits, deadlines and a call
    throttle. Declared once: ``StatisticsResource`` takes these as its own fields (set from
    CHITIEU_STATS_* variables, see docs/configuration.md) and ``sources/statistics/limits.py``
    hands them to the live transport as ``Limits``."""

    model_config = ConfigDict(extra="forbid")  # a misspelt limit is an error, never ignored

    retries: int = Field(
        4,
        description="Attempts after the first for HTTP 403, 404, 429, 5xx, timeouts and broken connections.",
    )
    backoff_factor: float = Field(
        1.0, description="Seconds before the first retry, doubled for each further one."
    )
    timeout_seconds: float = Field(30.0, description="Connect and per-read timeout of one attempt.")
    request_deadline_seconds: float = Field(
        60.0,
        description="Overall deadline of one request, its retries and waits included.",
    )
    source_deadline_seconds: float = Field(
        600.0,
        description="Overall deadline of one source (all PX-Web tables, or all World Bank indicators) in a run.",
    )
    max_retry_after_seconds: float = Field(
        30.0, description="Longest wait honoured from a server's Retry-After."
    )
    max_calls: int = Field(30, description="At most this many calls per time window.")
    time_window_seconds: float = Field(
        10.0,
        description="The throttle's window; PX-Web's own ?config limits apply when stricter.",
    )


class StatisticsResource(dg.ConfigurableResource, StatisticsLimits):
    """National statistics access: ``offline`` replays bundled recordings, ``live`` calls the APIs
    within the ``StatisticsLimits`` fields (see docs/statistics.md, "Limits")."""

    mode: str = "offline"
    config_path: str = DEFAULT_STATS_CONFIG
    recorded_dir: str = DEFAULT_STATS_RECORDED
    pxweb_base_url: str = ""
    worldbank_base_url: str = ""
    ttl_minutes: int = 1200
    stale_days: int = 7

    def load_config(self) -> dict:
        from sources.statistics.mapping import load_config

        return load_config(self.config_path)

    def limits(self) -> StatisticsLimits:
        """This resource's limits alone (environment variables resolved)."""
        return StatisticsLimits(
            **{name: getattr(self, name) for name in StatisticsLimits.model_fields}
        )

    def transport(self):
        """A new transport; a live one starts its source deadline now."""
        from sources.statistics.http import LiveTransport, RecordedTransport

        if self.mode == "live":
            return LiveTransport(self.limits())
        if self.mode == "offline":
            return RecordedTransport(self.recorded_dir)
        # a setting, not an outage: the assets' RetryPolicy must not try it again for minutes
        raise dg.Failure(
            description=setting_problem("CHITIEU_STATS_MODE", self.mode, " or ".join(STATS_MODES)),
            allow_retries=False,
        )


class PublishResource(dg.ConfigurableResource):
    """Where BI tools read: the published read-only warehouse, the exports and the reports."""

    published_path: str = "var/published/chitieu.duckdb"
    exports_dir: str = "var/exports"
    reports_dir: str = "var/reports"


class AlertsResource(dg.ConfigurableResource):
    """Alert channels (apprise URLs, from CHITIEU_ALERT_URLS only), where links point (the
    Dagster UI, the feedback files) and how old a file may be to be alerted. What was delivered
    is kept in the warehouse (``ops.alert_deliveries``)."""

    urls: str = ""
    # apprise mail URL without recipient (CHITIEU_DEPARTMENT_MAIL_URL); each department's own
    # address from departments.yaml is added per alert
    department_mail_url: str = ""
    ui_url: str = ""
    feedback_base_url: str = ""
    max_age_days: int = 7

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        """Refuse to start a run with a channel URL apprise cannot load (CHITIEU_ALERT_URLS or
        CHITIEU_DEPARTMENT_MAIL_URL)."""
        from chitieu.alert_channels import validate_channels

        validate_channels(self.urls, self.department_mail_url)


class ValidationResource(dg.ConfigurableResource):
    """Where GX keeps its file context: validation results and the static Data Docs site
    (``<gx_dir>/gx/uncommitted/data_docs/local_site/index.html``). Empty: validate in memory only."""

    gx_dir: str = "var/gx"
