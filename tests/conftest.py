"""Shared fixtures: a temporary warehouse and the bundled inputs, never the working tree."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
import pytest

from assets import checks
from chitieu.resources import (
    DEFAULT_MANUAL_DIR,
    DEFAULT_PLANS_DIR,
    DEFAULT_REFERENCE_DIR,
    SAMPLE_INBOX_DIR,
    InputsResource,
)
from pipelines.definitions import ASSET_MODULES
from pipelines.resources import build_resources

AS_OF = "2025-01-15"
# Receipt is the pipeline's first sight of a file (docs/submissions.md), so tests set the run's
# receipt clock (``inputs.received_at``): by default every file is received on the as-of day.
RECEIVED_AT = AS_OF
# When each bundled inbox file reached the province, for tests that deliver them day by day
# (``receive``). The year-end report of 2024 arrives in January 2025 and still belongs to 2024.
SAMPLE_RECEIVED = {
    "snn/snn-2024-6M.xlsx": "2024-07-12",
    "snn/snn-2024-9M-lan-1.xlsx": "2024-10-08",
    "snn/snn-2024-9M-lan-2.xlsx": "2024-10-14",
    "bhxh/bhxh-9-thang-2024.csv": "2024-10-15",
    "sct/sct-bao-cao-9-thang.xlsx": "2024-10-16",
    "sldtbxh/bao-cao-9-thang-2024.xlsx": "2024-10-17",
    "stc/stc-2024-9M.xlsx": "2024-10-18",
    "svhttdl/svhttdl-2024-9M.xlsx": "2024-10-18",
    "sgddt/sgddt-2024.xlsx": "2025-01-08",
    "syt/Bieu-YT-nam-2024.xlsx": "2025-01-10",
}
ANNUAL_2024 = ("lai-chau-2024.yaml", "lai-chau-2024-resolution.vi.txt")


def sample_inbox(dest: Path) -> Path:
    """A copy of the bundled inbox."""
    shutil.copytree(SAMPLE_INBOX_DIR, dest)
    return dest


def receive(resources: dict, arrivals: dict[str, str], source: Path | str = SAMPLE_INBOX_DIR):
    """Deliver each file of ``arrivals`` (its path below ``source`` → the day it arrives) into the
    resources' inbox, day by day: the files of a day are copied in, then the intake asset runs
    with its receipt clock set to that day, so each file is received on its day."""
    from assets.submissions import department_submissions

    inbox = Path(resources["inputs"].inbox_dir)
    for day in sorted(set(arrivals.values())):
        for rel in (r for r, d in arrivals.items() if d == day):
            (inbox / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(Path(source) / rel, inbox / rel)
        inputs = InputsResource(**(resources["inputs"].model_dump() | {"received_at": day}))
        result = dg.materialize([department_submissions], resources=resources | {"inputs": inputs})
        assert result.success


def copy_plans(dest: Path, names: tuple[str, ...] | None = None) -> Path:
    """The bundled plan catalogues (all, or only ``names``) in ``dest``."""
    dest.mkdir(parents=True)
    for p in Path(DEFAULT_PLANS_DIR).iterdir():
        if names is None or p.name in names:
            shutil.copy2(p, dest / p.name)
    return dest


@contextmanager
def held_by_another_process(path: Path) -> Iterator[int]:
    """``path`` opened for writing by a second process (as a BI tool or a stray script would hold
    the warehouse) for the duration; yields that process's pid."""
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); print('ready', flush=True);"
            " time.sleep(300)",
            str(path),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "ready"
        yield holder.pid
    finally:
        holder.kill()
        holder.wait()


def pytest_configure(config):
    """Hypothesis keeps its cache in a temporary directory, never in the working tree."""
    import tempfile

    from hypothesis.configuration import set_hypothesis_home_dir

    set_hypothesis_home_dir(tempfile.mkdtemp(prefix="chitieu-hypothesis-"))


@pytest.fixture
def inputs_dir(tmp_path: Path) -> Path:
    """A writable copy of the bundled inputs, so a test may break one file. Only the 2024 annual
    plan: most tests describe it; tests/test_plans_over_time.py runs every plan together."""
    root = tmp_path / "inputs"
    copy_plans(root / "plans", ANNUAL_2024)
    shutil.copytree(DEFAULT_REFERENCE_DIR, root / "reference")
    (root / "observations").mkdir()
    shutil.copy2(Path(DEFAULT_MANUAL_DIR) / "lai-chau-2024.sample.csv", root / "observations")
    sample_inbox(root / "inbox")
    return root


def make_resources(root: Path, inputs_root: Path | None = None) -> dict:
    """Every resource of the nightly job (the same builder as the code location), writing only
    below ``root``; inputs default to the bundled ones. Offline statistics, no alert channels."""
    inputs = {
        "as_of": AS_OF,
        "received_at": RECEIVED_AT,
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
        if (inputs_root / "inbox").is_dir():
            inputs["inbox_dir"] = str(inputs_root / "inbox")
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


def run_nightly(
    resources: dict, instance: dg.DagsterInstance | None = None, **kwargs
) -> dg.ExecuteInProcessResult:
    """Materialize every asset in process against ``resources``, for every plan of its plans
    folder (registered as partitions on ``instance``, an ephemeral one by default)."""
    from pipelines.partitions import all_plans_tags, plan_ids, sync_plan_partitions

    instance = instance or dg.DagsterInstance.ephemeral()
    sync_plan_partitions(instance, plan_ids(resources["inputs"].plans_dir))
    tags = (all_plans_tags(instance) or {}) | kwargs.pop("tags", {})
    return dg.materialize(all_assets(), resources=resources, instance=instance, tags=tags, **kwargs)


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
def _nightly_tree(tmp_path_factory) -> dict[str, Path]:
    """Per worker: where ``nightly`` works (one fixed folder, so every path the warehouse
    records is the same in each test) and, once the first run is done, its pristine copy."""
    base = tmp_path_factory.mktemp("nightly")
    return {"work": base / "work"}


@pytest.fixture
def nightly(inputs_dir: Path, _nightly_tree) -> dict:
    """The resources of a successful nightly run on the bundled inputs, as if this test had run
    it: the worker's first run is kept and each test starts from a fresh copy of its folder
    (inputs, working and published DuckDB files, exports, alert state), at the same path.
    ``inputs_dir`` points at that copy's inputs, so a test changes them as usual."""
    work, pristine = _nightly_tree["work"], _nightly_tree.get("pristine")
    if work.exists():
        shutil.rmtree(work)
    if pristine is None:
        shutil.copytree(inputs_dir, work / "inputs", symlinks=True)
    else:
        shutil.copytree(pristine, work, symlinks=True)
    shutil.rmtree(inputs_dir)
    inputs_dir.symlink_to(work / "inputs", target_is_directory=True)
    resources = make_resources(work, work / "inputs")
    if pristine is None:
        assert run_nightly(resources).success
        _nightly_tree["pristine"] = work.parent / "pristine"
        shutil.copytree(work, _nightly_tree["pristine"], symlinks=True)
    return resources


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


@pytest.fixture(autouse=True)
def no_leaked_instance_context():
    """A Dagster schedule or sensor context built with an instance and not closed leaves that
    instance's state storage as the process's current one; once the instance is collected, every
    later Definitions load in the worker fails. Contexts with an instance are used in ``with``."""
    yield
    from dagster._core.storage.defs_state.base import DefsStateStorage

    leaked = DefsStateStorage.get()
    if leaked is not None:
        from dagster._core.storage.defs_state.base import _current_storage

        _current_storage.set(None)
        pytest.fail("a Dagster context with an instance was left open (use it in `with`)")
