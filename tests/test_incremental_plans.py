"""A night is "unchanged" only for the same evaluation date, the same plans and the same publishing."""

import os
import shutil
from pathlib import Path

import pytest

from chitieu import incremental

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def night(tmp_path, monkeypatch):
    """Settings of a cron night below tmp_path, with its own plans folder (2024 plan only)."""
    for var in [v for v in os.environ if v.startswith("CHITIEU_")]:
        monkeypatch.delenv(var)
    plans = tmp_path / "plans"
    plans.mkdir()
    shutil.copy2(ROOT / "sources" / "plans" / "lai-chau-2024.yaml", plans)
    monkeypatch.setenv("CHITIEU_PLANS_DIR", str(plans))
    monkeypatch.setenv("CHITIEU_INBOX_DIR", str(tmp_path / "inbox"))
    warehouse = str(tmp_path / "wh.duckdb")
    overrides = {"warehouse": {"path": warehouse}, "inputs": {"as_of": "2024-09-30"}}
    key, previous = incremental.unchanged_since(overrides)
    assert previous is None
    incremental.remember(warehouse, key, "run-1")
    return plans, overrides


def test_the_same_night_is_unchanged(night):
    _, overrides = night
    key, previous = incremental.unchanged_since(overrides)
    assert previous is not None and previous[0] == "run-1"


def test_another_as_of_date_is_a_change(night):
    _, overrides = night
    other = overrides | {"inputs": {"as_of": "2024-12-31"}}
    assert incremental.unchanged_since(other)[1] is None


def test_a_new_plan_is_a_change(night):
    plans, overrides = night
    shutil.copy2(ROOT / "sources" / "plans" / "lai-chau-2025.yaml", plans)
    assert incremental.plan_ids(plans) == ["lai-chau-2024", "lai-chau-2025"]
    assert incremental.unchanged_since(overrides)[1] is None


def test_publishing_after_a_what_if_run_is_a_change(night):
    _, overrides = night
    # the remembered night published; a what-if night with the same inputs publishes nothing
    assert incremental.unchanged_since(overrides, publish=False)[1] is None


def test_the_settle_wait_is_not_a_change_but_other_settings_are(night, monkeypatch):
    _, overrides = night
    demo = overrides | {"inputs": overrides["inputs"] | {"settle_seconds": 0}}
    assert incremental.unchanged_since(demo)[1] is not None, "--demo after a plain night"
    monkeypatch.setenv("CHITIEU_SETTLE_SECONDS", "5")
    assert incremental.unchanged_since(overrides)[1] is not None
    monkeypatch.setenv("CHITIEU_MAX_FILE_MB", "5")
    assert incremental.unchanged_since(overrides)[1] is None, "another limit may change a night"
