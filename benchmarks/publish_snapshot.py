"""Publishing the BI snapshot in DuckDB 1.1's storage format (ATTACH … STORAGE_VERSION + COPY FROM
DATABASE) against the plain file copy it replaced (unreadable by 1.x clients), on the same file.

The warehouse is the demo's (``make demo`` first) or any DuckDB file; ``--scale N`` appends N
copies of core.fact_observation to a scratch copy, to show how the cost grows with the data.

Run: .venv/bin/python -m benchmarks.publish_snapshot [--warehouse var/chitieu.duckdb] [--scale 200]
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
from pathlib import Path

import duckdb

from benchmarks.parse_throughput import best_of
from chitieu.publish import publish_snapshot


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--warehouse", default="var/chitieu.duckdb")
    parser.add_argument("--scale", type=int, default=0)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    if not Path(args.warehouse).exists():
        raise SystemExit(f"no warehouse at {args.warehouse}; run `make demo` first")
    with tempfile.TemporaryDirectory() as tmp:
        working = Path(tmp) / "working.duckdb"
        shutil.copyfile(args.warehouse, working)
        if args.scale:
            with duckdb.connect(str(working)) as con:
                con.execute(
                    f"insert into core.fact_observation select o.* from core.fact_observation as o, range({args.scale})"
                )
        with duckdb.connect(str(working)) as con:
            rows = con.execute("select count(*) from core.fact_observation").fetchall()[0][0]

        def plain_copy() -> None:
            with duckdb.connect(str(working)) as con:
                con.execute("checkpoint")
            shutil.copyfile(working, Path(tmp) / "copy.duckdb")

        baseline = best_of(plain_copy, args.repeat)
        published = Path(tmp) / "published.duckdb"
        snapshot = best_of(lambda: publish_snapshot(working, published), args.repeat)
        print(
            f"fact_observation rows {rows}; file {working.stat().st_size / 1e6:.1f} MB → "
            f"snapshot {published.stat().st_size / 1e6:.1f} MB"
        )
        print(f"plain copy (baseline, DuckDB 2.0 format): {baseline * 1000:.0f} ms")
        print(
            f"publish_snapshot (v1.1.0 format):        {snapshot * 1000:.0f} ms  "
            f"({snapshot / baseline:.1f}x the baseline)"
        )


if __name__ == "__main__":
    main()
