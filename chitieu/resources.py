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
TIMEZONE = "Asia/Ho_Chi_Minh"


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
    as_of: str = ""

    def plan_files(self) -> list[Path]:
        return sorted(Path(self.plans_dir).glob("*.yaml"))

    def manual_files(self) -> list[Path]:
        return sorted(Path(self.manual_observations_dir).glob("*.csv"))

    def as_of_date(self) -> date:
        """The evaluation date: ``as_of`` if set (YYYY-MM-DD), else today in Vietnam."""
        if self.as_of:
            return date.fromisoformat(self.as_of)
        return datetime.now(ZoneInfo(TIMEZONE)).date()
