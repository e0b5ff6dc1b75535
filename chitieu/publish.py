"""Publishing for BI tools: a read-only warehouse snapshot by atomic replace, and exports.

DuckDB allows one writer or many readers per file and fails at once on a lock conflict, so BI
tools must never open the pipeline's working file. The snapshot is a checkpointed copy written
beside the published path and moved over it with os.replace: a reader that already has the old
file open keeps reading the old inode; a new reader sees the new file; nobody sees half a file.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import duckdb
import pandas as pd

CSV_INJECTION_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def atomic_write(target: Path, write) -> Path:
    """Call ``write(tmp_path)`` then move the temporary file over ``target`` atomically."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.tmp-{os.getpid()}")
    try:
        write(tmp)
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    _fsync_dir(target.parent)
    return target


def publish_snapshot(working: str | Path, published: str | Path) -> dict:
    """Checkpoint the working DuckDB file and publish a copy at ``published`` by atomic replace."""
    working, published = Path(working), Path(published)
    with duckdb.connect(str(working)) as con:
        con.execute("checkpoint")
    if Path(f"{working}.wal").exists():
        raise RuntimeError(
            f"{working}.wal still exists after checkpoint; another process holds the working file"
        )

    def write(tmp: Path) -> None:
        shutil.copyfile(working, tmp)
        with duckdb.connect(str(tmp), read_only=True) as check:
            tables = check.execute(
                "select count(*) from duckdb_tables() where schema_name = 'mart'"
            ).fetchall()[0][0]
        if not tables:
            raise RuntimeError(f"{working} has no mart tables; refusing to publish it")

    # a stale WAL beside the published path would be replayed into the new file by the next reader
    Path(f"{published}.wal").unlink(missing_ok=True)
    atomic_write(published, write)
    return {"path": str(published), "bytes": published.stat().st_size}


def csv_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """Neutralise text cells a spreadsheet would run as a formula (OWASP CSV injection)."""
    out = frame.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(
                lambda v: (
                    "'" + v if isinstance(v, str) and v.startswith(CSV_INJECTION_PREFIXES) else v
                )
            )
    return out


def export_tables(
    con: duckdb.DuckDBPyConnection, tables: list[str], out_dir: str | Path
) -> list[Path]:
    """Parquet and CSV (UTF-8 with BOM, for Excel) for each ``schema.table``, each written atomically."""
    out_dir = Path(out_dir)
    written = []
    for name in tables:
        stem = name.replace(".", "__")
        written.append(
            atomic_write(
                out_dir / f"{stem}.parquet",
                lambda tmp, name=name: con.execute(f"copy {name} to '{tmp}' (format parquet)"),
            )
        )
        frame = csv_safe(con.execute(f"select * from {name}").df())
        written.append(
            atomic_write(
                out_dir / f"{stem}.csv",
                lambda tmp, frame=frame: frame.to_csv(tmp, index=False, encoding="utf-8-sig"),
            )
        )
    return written
