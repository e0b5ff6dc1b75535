"""Shared fixtures: a temporary warehouse and the bundled inputs, never the working tree."""

from __future__ import annotations

import shutil
from pathlib import Path

import dagster as dg
import pytest

from assets import checks
from chitieu.resources import (
    DEFAULT_MANUAL_DIR,
    DEFAULT_PLANS_DIR,
    DEFAULT_REFERENCE_DIR,
    SAMPLE_INBOX_DIR,
)
from pipelines.definitions import ASSET_MODULES
from pipelines.resources import build_resources

AS_OF = "2025-01-15"


def pytest_configure(config):
    """Hypothesis keeps its cache in a temporary directory, never in the working tree."""
    import tempfile

    from hypothesis.configuration import set_hypothesis_home_dir

    set_hypothesis_home_dir(tempfile.mkdtemp(prefix="chitieu-hypothesis-"))


@pytest.fixture
def inputs_dir(tmp_path: Path) -> Path:
    """A writable copy of the bundled inputs, so a test may break one file."""
    root = tmp_path / "inputs"
    shutil.copytree(DEFAULT_PLANS_DIR, root / "plans")
    shutil.copytree(DEFAULT_REFERENCE_DIR, root / "reference")
    shutil.copytree(DEFAULT_MANUAL_DIR, root / "observations")
    return root


def make_resources(root: Path, inputs_root: Path | None = None) -> dict:
    """Every resource of the nightly job (the same builder as the code location), writing only
    below ``root``; inputs default to the bundled ones. Offline statistics, no alert channels."""
    inputs = {
        "as_of": AS_OF,
        "settle_seconds": 0,
        "inbox_dir": SAMPLE_INBOX_DIR,
        "outbox_dir": str(root / "outbox"),
    }
    if inputs_root:
        inputs |= {
            "plans_dir": str(inputs_root / "plans"),
            "reference_dir": str(inputs_root / "reference"),
            "manual_observations_dir": str(inputs_root / "observations"),
        }
    return build_resources(
        {
            "warehouse": {"path": str(root / "wh" / "chitieu.duckdb")},
            "inputs": inputs,
            "statistics": {"mode": "offline"},
            "alerts": {"urls": ""},
            # in-memory GX; tests/test_validation.py builds the Data Docs once
            "validation": {"gx_dir": ""},
            "publish": {
                "published_path": str(root / "published" / "chitieu.duckdb"),
                "exports_dir": str(root / "exports"),
                "reports_dir": str(root / "reports"),
            },
        }
    )


@pytest.fixture
def resources(tmp_path: Path, inputs_dir: Path) -> dict:
    return make_resources(tmp_path, inputs_dir)


def all_assets() -> list:
    """Every asset and every asset check of the code location."""
    return [
        *dg.load_assets_from_modules(list(ASSET_MODULES)),
        *dg.load_asset_checks_from_modules([checks]),
    ]


def run_nightly(resources: dict, **kwargs) -> dg.ExecuteInProcessResult:
    """Materialize every asset in process against ``resources``."""
    return dg.materialize(all_assets(), resources=resources, **kwargs)


@pytest.fixture
def cron_env(tmp_path, monkeypatch):
    """The environment of a cron user: everything below tmp_path, the sample inbox, no GX files."""
    monkeypatch.delenv("DAGSTER_HOME", raising=False)
    monkeypatch.setenv("CHITIEU_INBOX_DIR", SAMPLE_INBOX_DIR)
    for var, sub in (
        ("CHITIEU_WAREHOUSE", "wh/chitieu.duckdb"),
        ("CHITIEU_OUTBOX_DIR", "outbox"),
        ("CHITIEU_GX_DIR", "gx"),
        ("CHITIEU_PUBLISHED_WAREHOUSE", "published/chitieu.duckdb"),
        ("CHITIEU_EXPORTS_DIR", "exports"),
        ("CHITIEU_REPORTS_DIR", "reports"),
    ):
        monkeypatch.setenv(var, str(tmp_path / sub))
    return tmp_path


@pytest.fixture(scope="session")
def published_once(tmp_path_factory) -> dict:
    """One nightly run on the bundled inputs, shared read-only by the BI client and print tests."""
    resources = make_resources(tmp_path_factory.mktemp("published_once"))
    assert run_nightly(resources).success
    return resources


class Mailbox:
    """What a local SMTP server received: each message parsed (``messages``) and, beside it, the
    envelope's recipients (``recipients[i]`` for ``messages[i]``)."""

    def __init__(self):
        self.messages: list = []
        self.recipients: list[tuple[str, ...]] = []

    async def handle_DATA(self, server, session, envelope):
        from email import message_from_bytes, policy

        self.recipients.append(tuple(envelope.rcpt_tos))
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"

    def wait_for(self, count: int, seconds: float = 5.0) -> None:
        """Until ``count`` messages arrived (sending is asynchronous on the server's side)."""
        import time

        deadline = time.monotonic() + seconds
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.05)


@pytest.fixture
def smtp():
    """A real SMTP server (aiosmtpd) on a free local port: (port, Mailbox)."""
    import socket

    from aiosmtpd.controller import Controller

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    box = Mailbox()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    yield port, box
    controller.stop()
