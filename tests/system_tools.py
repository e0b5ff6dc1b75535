"""Tests that need a system tool: they skip locally when it is missing and fail under CI."""

from __future__ import annotations

import importlib.util
import os
import shutil

import pytest


def _missing(message: str):
    if os.environ.get("CI"):
        pytest.fail(f"{message}; .ci/run installs it", pytrace=False)
    pytest.skip(message)


def require_program(*names: str) -> str:
    """The path of the first of ``names`` on PATH."""
    for name in names:
        path = shutil.which(name)
        if path:
            return path
    _missing(f"{' or '.join(names)} is not installed")


def require_module(name: str) -> None:
    """Fail under CI, skip locally, when the Python module ``name`` is not importable."""
    if importlib.util.find_spec(name) is None:
        _missing(f"the Python package {name} is not installed")
