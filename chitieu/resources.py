"""Dagster resources: the warehouse file and where the inputs live."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import dagster as dg
import duckdb

import sources as _sources_pkg
from chitieu.warehouse import ensure_schemas

SOURCES_DIR = Path(_sources_pkg.__file__).parent
DEFAULT_WAREHOUSE = "var/chitieu.duckdb"
DEFAULT_PLANS_DIR = str(SOURCES_DIR / "plans")
DEFAULT_REFERENCE_DIR = str(SOURCES_DIR / "reference")
DEFAULT_MANUAL_DIR = str(SOURCES_DIR / "observations")
DEFAULT_INBOX_DIR = str(SOURCES_DIR / "inbox")
DEFAULT_STATS_CONFIG = str(SOURCES_DIR / "statistics" / "config.yaml")
DEFAULT_STATS_RECORDED = str(SOURCES_DIR / "statistics" / "recorded")
TIMEZONE = "Asia/Ho_Chi_Minh"


def parse_as_of(text: str) -> date:
    """An evaluation date written YYYY-MM-DD; ValueError naming the text otherwise."""
    try:
        return date.fromisoformat(str(text).strip())
    except ValueError:
        raise ValueError(
            f"as-of date {text!r} is not a valid date; expected YYYY-MM-DD, e.g. 2024-09-30"
        ) from None


class WarehouseResource(dg.ConfigurableResource):
    """The pipeline's working DuckDB file (BI tools should read the published copy instead)."""

    path: str = DEFAULT_WAREHOUSE

    @contextmanager
    def get_connection(self) -> Iterator[duckdb.DuckDBPyConnection]:
        Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        con = duckdb.connect(self.path)
        try:
            ensure_schemas(con)
            yield con
        finally:
            con.close()


class InputsResource(dg.ConfigurableResource):
    """Where the plan catalogue, reference data and manual observations are read from."""

    plans_dir: str = DEFAULT_PLANS_DIR
    reference_dir: str = DEFAULT_REFERENCE_DIR
    manual_observations_dir: str = DEFAULT_MANUAL_DIR
    inbox_dir: str = DEFAULT_INBOX_DIR
    outbox_dir: str = "var/outbox"
    as_of: str = ""

    def plan_files(self) -> list[Path]:
        return sorted(Path(self.plans_dir).glob("*.yaml"))

    def manual_files(self) -> list[Path]:
        return sorted(Path(self.manual_observations_dir).glob("*.csv"))

    def as_of_date(self) -> date:
        """The evaluation date: ``as_of`` if set (YYYY-MM-DD), else today in Vietnam."""
        if self.as_of:
            return parse_as_of(self.as_of)
        return datetime.now(ZoneInfo(TIMEZONE)).date()


class StatisticsResource(dg.ConfigurableResource):
    """National statistics access: ``offline`` replays bundled recordings, ``live`` calls the APIs."""

    mode: str = "offline"
    config_path: str = DEFAULT_STATS_CONFIG
    recorded_dir: str = DEFAULT_STATS_RECORDED
    pxweb_base_url: str = ""
    worldbank_base_url: str = ""
    ttl_minutes: int = 1200
    retries: int = 4
    backoff_factor: float = 1.0
    timeout_seconds: float = 30.0

    def load_config(self) -> dict:
        from sources.statistics.mapping import load_config

        return load_config(self.config_path)

    def transport(self):
        from sources.statistics.http import LiveTransport, RecordedTransport

        if self.mode == "live":
            return LiveTransport(self.retries, self.backoff_factor, self.timeout_seconds)
        if self.mode == "offline":
            return RecordedTransport(self.recorded_dir)
        raise ValueError(f"CHITIEU_STATS_MODE must be offline or live, not {self.mode!r}")


class PublishResource(dg.ConfigurableResource):
    """Where BI tools read: the published read-only warehouse, the exports and the reports."""

    published_path: str = "var/published/chitieu.duckdb"
    exports_dir: str = "var/exports"
    reports_dir: str = "var/reports"


def feedback_path(outbox_dir: str | Path, department: str | None, file_name: str) -> Path:
    """Where the feedback for one submitted file goes: ``<outbox>/<department>/outbox/<file>.phan-hoi.txt``.
    With the outbox root set to the inbox root, it sits next to the department's files."""
    return Path(outbox_dir) / (department or "_refused") / "outbox" / f"{file_name}.phan-hoi.txt"


class AlertsResource(dg.ConfigurableResource):
    """Alert channels (apprise URLs, from CHITIEU_ALERT_URLS only) and the de-duplication state file."""

    urls: str = ""
    state_path: str = "var/alerts.sqlite"


class ValidationResource(dg.ConfigurableResource):
    """Where GX keeps its file context: validation results and the static Data Docs site
    (``<gx_dir>/gx/uncommitted/data_docs/local_site/index.html``). Empty: validate in memory only."""

    gx_dir: str = "var/gx"
