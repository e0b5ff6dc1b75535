"""Publishing for BI tools: a read-only warehouse snapshot by atomic replace, and exports.

DuckDB allows one writer or many readers per file and fails at once on a lock conflict, so BI
tools must never open the pipeline's working file. The snapshot is a checkpointed copy written
beside the published path and moved over it with os.replace: a reader that already has the old
file open keeps reading the old inode; a new reader sees the new file; nobody sees half a file.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa

from chitieu.warehouse import personal_columns

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


# The oldest DuckDB release that reads the published snapshot. DuckDB 2.0 writes storage version
# 69 by default, which 1.x clients (the CLI, ODBC, JDBC, Metabase's and DBeaver's drivers) refuse.
SNAPSHOT_STORAGE_VERSION = "v1.1.0"


def _sql_string(text: str | Path) -> str:
    return "'" + str(text).replace("'", "''") + "'"


def _ident(*parts: str) -> str:
    return ".".join('"' + p.replace('"', '""') + '"' for p in parts)


def _copy_without(con: duckdb.DuckDBPyConnection, withheld: dict[str, list[str]]) -> None:
    """Copy every relation of ``working`` into ``snapshot``: the catalogue first (tables, views,
    comments), then the withheld columns dropped while the tables are still empty, then the rows.
    The withheld values are never written, so no free block of the file can hold them."""
    con.execute("copy from database working to snapshot (schema)")
    for name, columns in withheld.items():
        schema, table = name.split(".")
        present = {
            c
            for (c,) in con.execute(
                "select column_name from duckdb_columns() where database_name = 'snapshot' "
                "and schema_name = ? and table_name = ?",
                [schema, table],
            ).fetchall()
        }
        for column in columns:
            if column in present:
                con.execute(
                    f"alter table {_ident('snapshot', schema, table)} drop column {_ident(column)}"
                )
    columns: dict[tuple[str, str], list[str]] = {}
    for schema, table, column in con.execute(
        "select c.schema_name, c.table_name, c.column_name from duckdb_columns() as c "
        "join duckdb_tables() as t using (database_name, schema_name, table_name) "
        "where c.database_name = 'snapshot' order by 1, 2, c.column_index"
    ).fetchall():
        columns.setdefault((schema, table), []).append(_ident(column))
    con.execute("begin transaction")
    for (schema, table), cols in columns.items():
        con.execute(
            f"insert into {_ident('snapshot', schema, table)} "
            f"select {', '.join(cols)} from {_ident('working', schema, table)}"
        )
    con.execute("commit")
    for schema, view in con.execute(
        "select schema_name, view_name from duckdb_views() "
        "where database_name = 'snapshot' and not internal"
    ).fetchall():
        try:
            con.execute(f"select * from {_ident('snapshot', schema, view)} limit 0")
        except duckdb.Error as exc:
            raise RuntimeError(
                f"the view {schema}.{view} needs a column withheld from BI ({exc}); not published"
            ) from exc


def publish_snapshot(
    working: str | Path, published: str | Path, withheld: dict[str, list[str]] | None = None
) -> dict:
    """Copy the working DuckDB file into a new file in ``SNAPSHOT_STORAGE_VERSION``'s storage
    format and publish it at ``published`` by atomic replace. Tables, views and comments are
    copied, except the ``withheld`` columns (``schema.table`` -> columns; by default those marked
    ``personal`` in ``warehouse/``); the copy is refused if it holds no mart table."""
    working, published = Path(working), Path(published)
    withheld = personal_columns() if withheld is None else withheld
    with duckdb.connect(str(working)) as con:
        con.execute("checkpoint")
    if Path(f"{working}.wal").exists():
        raise RuntimeError(
            f"{working}.wal still exists after checkpoint; another process holds the working file"
        )

    def write(tmp: Path) -> None:
        with duckdb.connect() as con:
            con.execute(f"attach {_sql_string(working)} as working (read_only)")
            con.execute(
                f"attach {_sql_string(tmp)} as snapshot "
                f"(storage_version {_sql_string(SNAPSHOT_STORAGE_VERSION)})"
            )
            _copy_without(con, withheld)
            tables = con.execute(
                "select count(*) from duckdb_tables() "
                "where database_name = 'snapshot' and schema_name = 'mart'"
            ).fetchall()[0][0]
            con.execute("detach snapshot")
        Path(f"{tmp}.wal").unlink(missing_ok=True)
        if not tables:
            raise RuntimeError(f"{working} has no mart tables; refusing to publish it")

    # a stale WAL beside the published path would be replayed into the new file by the next reader
    Path(f"{published}.wal").unlink(missing_ok=True)
    atomic_write(published, write)
    return {
        "path": str(published),
        "bytes": published.stat().st_size,
        "storage_version": SNAPSHOT_STORAGE_VERSION,
        "withheld": {k: v for k, v in withheld.items() if v},
    }


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


def _frame(con: duckdb.DuckDBPyConnection, name: str) -> pd.DataFrame:
    """The table with nullable integer and boolean columns kept as such (not floats/objects)."""
    table = con.sql(f"select * from {name}").to_arrow_table()
    return table.to_pandas(
        types_mapper={
            pa.int8(): pd.Int64Dtype(),
            pa.int16(): pd.Int64Dtype(),
            pa.int32(): pd.Int64Dtype(),
            pa.int64(): pd.Int64Dtype(),
            pa.bool_(): pd.BooleanDtype(),
        }.get
    )


def write_csv(frame: pd.DataFrame, path: Path, flavour: str) -> None:
    """One CSV in a flavour of ``CSV_FLAVOURS``; text cells made formula-safe first."""
    options = CSV_FLAVOURS[flavour]
    csv_safe(frame).to_csv(path, index=False, lineterminator="\n", **options)


# machine: for scripts and BI loaders. spreadsheet: for Excel/LibreOffice in a Vietnamese
# locale, which expects ';' between fields and ',' before decimals, and a BOM to read UTF-8.
CSV_FLAVOURS = {
    "machine": {"sep": ",", "decimal": ".", "encoding": "utf-8"},
    "spreadsheet": {"sep": ";", "decimal": ",", "encoding": "utf-8-sig"},
}
CSV_SUFFIXES = {"machine": ".csv", "spreadsheet": ".spreadsheet.csv"}
FINGERPRINT_KEY = "chitieu_fingerprint"


def export_tables(
    con: duckdb.DuckDBPyConnection,
    tables: list[str],
    out_dir: str | Path,
    fingerprints: dict[str, str] | None = None,
) -> list[Path]:
    """For each ``schema.table``: Parquet, a machine CSV and a spreadsheet CSV, each written
    atomically; a table's ``fingerprints`` entry goes into its Parquet file's key-value metadata."""
    out_dir = Path(out_dir)
    written = []
    for name in tables:
        stem = name.replace(".", "__")
        kv = ""
        if fingerprints and name in fingerprints:
            kv = f", kv_metadata {{{FINGERPRINT_KEY}: {_sql_string(fingerprints[name])}}}"
        written.append(
            atomic_write(
                out_dir / f"{stem}.parquet",
                lambda tmp, name=name, kv=kv: con.execute(
                    f"copy {name} to '{tmp}' (format parquet{kv})"
                ),
            )
        )
        frame = _frame(con, name)
        for flavour, suffix in CSV_SUFFIXES.items():
            written.append(
                atomic_write(
                    out_dir / f"{stem}{suffix}",
                    lambda tmp, frame=frame, flavour=flavour: write_csv(frame, tmp, flavour),
                )
            )
    return written


def table_fingerprint(con: duckdb.DuckDBPyConnection, name: str) -> str:
    """Hash of a table's columns (names and types) and every row's content, in any order."""
    columns = con.execute(f"describe {name}").fetchall()
    rows = con.execute(f"select count(*), sum(hash(t)) from {name} as t").fetchall()[0]
    return hashlib.sha256(repr((columns, rows)).encode()).hexdigest()


def _exported_fingerprint(con: duckdb.DuckDBPyConnection, parquet: Path) -> str | None:
    if not parquet.exists():
        return None
    rows = con.execute(
        "select value::varchar from parquet_kv_metadata(?) where key::varchar = ?",
        [str(parquet), FINGERPRINT_KEY],
    ).fetchall()
    return rows[0][0] if rows else None


def export_changed_tables(
    con: duckdb.DuckDBPyConnection, tables: list[str], out_dir: str | Path
) -> tuple[list[Path], list[str]]:
    """:func:`export_tables` for the tables whose content changed since their files were written
    (the fingerprint travels in each Parquet file's metadata, so the folder holds only the
    exports); returns (files written, tables left as they were). A night when only the date moved
    rewrites only the dated marts."""
    out_dir = Path(out_dir)
    now = {name: table_fingerprint(con, name) for name in tables}
    unchanged = []
    for name in tables:
        stem = name.replace(".", "__")
        files = [out_dir / f"{stem}{suffix}" for suffix in CSV_SUFFIXES.values()]
        if all(f.exists() for f in files) and (
            _exported_fingerprint(con, out_dir / f"{stem}.parquet") == now[name]
        ):
            unchanged.append(name)
    written = export_tables(con, [t for t in tables if t not in unchanged], out_dir, now)
    return written, unchanged
