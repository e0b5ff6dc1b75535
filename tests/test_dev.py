"""``make dev`` and ``.env.example``: Dagster keeps its history in var/dagster_home whatever .env holds."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_env_example_has_no_empty_assignments():
    """An empty assignment in .env overrides the environment with "" (DAGSTER_HOME= made dagster
    dev keep its history in a temporary folder)."""
    lines = (ROOT / ".env.example").read_text(encoding="utf-8").splitlines()
    assignments = [x for x in lines if x.strip() and not x.lstrip().startswith("#")]
    assert assignments == []
    documented = {x.lstrip("# ").split("=")[0] for x in lines if "=" in x and x.startswith("# ")}
    docs = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
    for name in documented:
        assert f"`{name}`" in docs, f"{name} is in .env.example but not in docs/configuration.md"


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
@pytest.mark.parametrize("dotenv", ["DAGSTER_HOME=\n", "DAGSTER_HOME=/elsewhere\n", None])
def test_make_dev_uses_var_dagster_home_whatever_env_holds(tmp_path, dotenv):
    for name in ("Makefile", "dagster.yaml", "workspace.yaml", "pyproject.toml", "constraints.txt"):
        shutil.copy(ROOT / name, tmp_path / name)
    bin_dir = tmp_path / ".venv" / "bin"
    bin_dir.mkdir(parents=True)
    # a stand-in for dagster that reports what `dagster dev` would see, as dagster does
    fake = bin_dir / "dagster"
    fake.write_text(
        f"#!{sys.executable}\n"
        "import os, sys\n"
        "from dotenv import dotenv_values\n"
        "env = dict(os.environ)\n"
        "env.update({k: v for k, v in dotenv_values('.env').items() if v is not None})\n"
        "print('HOME', env.get('DAGSTER_HOME'))\n"
        "print('ROOT', env.get('CHITIEU_ROOT'))\n"
        "print('WAREHOUSE', env.get('CHITIEU_WAREHOUSE'))\n"
        "print('ARGS', ' '.join(sys.argv[1:]))\n",
        encoding="utf-8",
    )
    fake.chmod(0o755)
    (tmp_path / ".venv" / ".installed").touch()
    if dotenv is not None:
        (tmp_path / ".env").write_text(
            dotenv + "CHITIEU_WAREHOUSE=var/w.duckdb\n", encoding="utf-8"
        )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DAGSTER_", "MAKE"))}
    out = subprocess.run(
        ["make", "-s", "dev"], cwd=tmp_path, env=env, capture_output=True, text=True, check=True
    ).stdout
    home = tmp_path / "var" / "dagster_home"
    assert f"HOME {home}" in out
    assert f"ROOT {tmp_path}" in out
    assert f"ARGS dev -w {home}/workspace.yaml" in out
    assert (home / "dagster.yaml").read_text() == (ROOT / "dagster.yaml").read_text()
    if dotenv is not None:
        assert "WAREHOUSE var/w.duckdb" in out, "the other settings of .env still apply"


PROJECT = ("Makefile", "dagster.yaml", "workspace.yaml", "pyproject.toml", "constraints.txt")
CODE = ("chitieu", "assets", "pipelines", "sources", "warehouse", "expectations")


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_dev_loads_the_code_location(tmp_path):
    """`make dev` as it is, with `dagster dev` swapped for `dagster definitions validate` (same
    arguments, working directory and environment): the real Dagster loads the code location.
    No PYTHONPATH, so the project folder is only found through the workspace."""
    for name in PROJECT:
        shutil.copy(ROOT / name, tmp_path / name)
    for name in CODE:
        (tmp_path / name).symlink_to(ROOT / name, target_is_directory=True)
    bin_dir = tmp_path / ".venv" / "bin"
    bin_dir.mkdir(parents=True)
    dagster = Path(sys.executable).parent / "dagster"
    stand_in = bin_dir / "dagster"
    stand_in.write_text(
        f'#!/bin/sh\n[ "$1" = dev ] || exit 64\nshift\nexec {dagster} definitions validate "$@"\n',
        encoding="utf-8",
    )
    stand_in.chmod(0o755)
    (tmp_path / ".venv" / ".installed").touch()
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DAGSTER_", "MAKE", "CHITIEU_")) and k != "PYTHONPATH"
    }
    done = subprocess.run(
        ["make", "-s", "dev"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300
    )
    out = done.stdout + done.stderr
    assert done.returncode == 0, out[-3000:]
    assert "Validation successful for code location chitieu" in out, out[-3000:]


def test_relative_paths_are_from_the_project_folder_under_make_dev(monkeypatch, tmp_path):
    from pipelines.resources import build_resources

    monkeypatch.setenv("CHITIEU_ROOT", str(tmp_path))
    monkeypatch.setenv("CHITIEU_WAREHOUSE", "var/w.duckdb")
    monkeypatch.delenv("CHITIEU_INBOX_DIR", raising=False)
    resources = build_resources()
    assert resources["warehouse"].path == str(tmp_path / "var" / "w.duckdb")
    assert resources["inputs"].inbox_dir == str(tmp_path / "var" / "inbox")
    assert resources["inputs"].plans_dir.endswith("sources/plans")
    assert os.path.isabs(resources["inputs"].plans_dir)


def test_only_chitieu_is_installed_and_the_command_works_from_anywhere(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    code = (
        "import importlib.util as u; "
        "print([m for m in ('assets', 'pipelines', 'sources', 'warehouse', 'expectations', "
        "'chitieu') if u.find_spec(m)])"
    )
    found = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True
    ).stdout.strip()
    assert found == "['chitieu']"
    out = tmp_path / "stc.xlsx"
    chitieu = Path(sys.executable).parent / "chitieu"
    done = subprocess.run(
        [str(chitieu), "template", "stc", "--period", "2024-9M", "-o", str(out)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert out.stat().st_size > 0
