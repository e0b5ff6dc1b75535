"""A night with nothing new, against a full night, on the sample, side by side in one run.

Each night is a fresh ``chitieu run`` process, as cron starts it, with Data Docs on and all
outputs in a temporary folder:

1. full: an empty warehouse, every input read, validated and loaded, Data Docs built;
2. no-change rerun, same date: the same inputs, settings, date and code, so ``chitieu run``
   reports the current results and stops (chitieu/incremental.py);
3. no-change rerun, next date: the same inputs, settings and code the next day (the usual cron
   night without news), so only the assets that depend on the date run (pipelines/metadata.py);
4. and 5. ``--full`` reruns: every asset runs, but suites on unchanged data reuse their earlier
   result (no GX import, no Data Docs rebuild; chitieu/validation/cache.py). The first of them
   still validates the department figures once, because their history (the figures loaded by
   night 1) changed; the second is the steady state.

Beside them, the floor of any night that runs an asset: a fresh process that imports Dagster,
creates the ephemeral instance ``chitieu run`` uses and materializes one asset that does nothing.

Target (issue 15): a no-change rerun costs at most 20 % of the full night. A night on which only
the date moved is not a no-change night (the date is an input of 16 assets); it is printed beside
the floor, which is most of it.
Run: .venv/bin/python -m benchmarks.incremental_night
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from chitieu.resources import PROJECT_ROOT, SAMPLE_INBOX_DIR

TARGET = 0.20


def _night(env: dict, *flags: str, as_of: str = "2025-01-15") -> float:
    chitieu = Path(sys.executable).parent / "chitieu"
    env = env | {"CHITIEU_AS_OF": as_of}
    start = time.perf_counter()
    done = subprocess.run([str(chitieu), "run", *flags], env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"chitieu run {' '.join(flags)} failed:\n{done.stderr[-2000:]}")
    return seconds


FLOOR_SCRIPT = """
import dagster as dg

@dg.asset
def nothing():
    return None

dg.materialize([nothing], instance=dg.DagsterInstance.ephemeral())
"""


def _dagster_floor() -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", FLOOR_SCRIPT], check=True, capture_output=True)
    return time.perf_counter() - start


def main() -> float:
    with tempfile.TemporaryDirectory(prefix="chitieu-bench-") as tmp:
        root = Path(tmp)
        shutil.copytree(SAMPLE_INBOX_DIR, root / "inbox")
        env = {k: v for k, v in os.environ.items() if not k.startswith(("CHITIEU_", "DAGSTER_"))}
        env |= {
            "CHITIEU_WAREHOUSE": str(root / "wh" / "chitieu.duckdb"),
            "CHITIEU_INBOX_DIR": str(root / "inbox"),
            "CHITIEU_OUTBOX_DIR": str(root / "outbox"),
            "CHITIEU_GX_DIR": str(root / "gx"),
            "CHITIEU_PUBLISHED_WAREHOUSE": str(root / "published" / "chitieu.duckdb"),
            "CHITIEU_EXPORTS_DIR": str(root / "exports"),
            "CHITIEU_REPORTS_DIR": str(root / "reports"),
            "CHITIEU_STATS_MODE": "offline",
        }
        os.chdir(PROJECT_ROOT)
        full = _night(env)
        rerun = _night(env)
        next_day = _night(env, as_of="2025-01-16")
        first_assets = _night(env, "--full", as_of="2025-01-16")
        steady_assets = _night(env, "--full", as_of="2025-01-16")
    floor = min(_dagster_floor() for _ in range(3))
    ratio, next_ratio = rerun / full, next_day / full
    print("incremental nights (sample, one process per night, Data Docs on)")
    print(f"  full night (empty warehouse)         {full:6.2f} s  100 %")
    print(f"  no-change rerun, same date           {rerun:6.2f} s  {ratio:4.0%}  (target <= 20 %)")
    print(
        f"  only the date moved (16 assets)      {next_day:6.2f} s  {next_ratio:4.0%}  "
        f"(floor + {next_day - floor:.2f} s)"
    )
    print(
        f"  floor: one no-op Dagster asset       {floor:6.2f} s  {floor / full:4.0%}  "
        "(fresh process, ephemeral instance)"
    )
    print(
        f"  --full rerun, history changed        {first_assets:6.2f} s  {first_assets / full:4.0%}"
    )
    print(
        f"  --full rerun, steady state           {steady_assets:6.2f} s  {steady_assets / full:4.0%}"
    )
    print(
        f"  no-change rerun ratio: {ratio:.1%} {'OK' if ratio <= TARGET else 'ABOVE TARGET'} "
        f"(target <= {TARGET:.0%}); only the date moved: {next_ratio:.1%}, "
        f"of which the Dagster floor {floor / full:.1%}"
    )
    return ratio


if __name__ == "__main__":
    main()
