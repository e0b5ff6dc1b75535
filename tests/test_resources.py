"""Settings declared once: the statistics limits of the resource are the transport's ``Limits``."""

import re
from pathlib import Path

import dagster as dg
import pydantic
import pytest

from chitieu.resources import StatisticsLimits, StatisticsResource
from pipelines.resources import ENV_SETTINGS, build_resources
from sources.statistics.limits import Limits

ROOT = Path(__file__).resolve().parents[1]


def test_the_resource_takes_every_limit_with_its_default_and_description():
    assert Limits is StatisticsLimits
    for name, spec in StatisticsLimits.model_fields.items():
        field = StatisticsResource.model_fields[name]
        assert (field.default, field.description) == (spec.default, spec.description)
        assert spec.description


def test_limits_from_the_environment_reach_the_transport(monkeypatch):
    monkeypatch.setenv("CHITIEU_STATS_RETRIES", "2")
    monkeypatch.setenv("CHITIEU_STATS_TIMEOUT_SECONDS", "2.5")
    monkeypatch.setenv("CHITIEU_STATS_MAX_CALLS", "7")
    res = build_resources({"statistics": {"mode": "live"}})["statistics"]
    with dg.build_resources({"statistics": res}) as built:
        limits = built.statistics.limits()
    assert limits == Limits(retries=2, timeout_seconds=2.5, max_calls=7)
    assert (limits.request_deadline_seconds, limits.time_window_seconds) == (60.0, 10.0)
    transport = built.statistics.transport()
    assert transport.limits == limits and transport.throttle.max_calls == 7


def test_a_misspelt_limit_is_refused():
    with pytest.raises(pydantic.ValidationError, match="timeout"):
        Limits(timeout=5)


def test_configuration_doc_gives_each_limit_its_default():
    doc = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
    env = ENV_SETTINGS["statistics"]
    for name, spec in StatisticsLimits.model_fields.items():
        if name not in env:
            continue  # backoff_factor is set only in code (tests)
        row = next(line for line in doc.splitlines() if f"`{env[name]}`" in line)
        defaults = re.findall(r"`([\d.]+)`", row.split("|")[2])
        assert f"{spec.default:g}" in defaults, (env[name], defaults)
