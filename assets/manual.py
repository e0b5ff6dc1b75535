"""Manual observations: the canonical CSV for figures that arrive by letter (and the demo sample)."""

from datetime import UTC, datetime

import dagster as dg
import pandas as pd

from chitieu import warehouse as wh
from chitieu.areas import area_problem, area_spans
from chitieu.manual import read_manual_observations
from chitieu.reference import load_reference
from chitieu.resources import WAREHOUSE_POOL, InputsResource, WarehouseResource


def source_load_row(
    run_id: str,
    kind: str,
    name: str,
    path: str,
    sha: str,
    rows: int,
    problems: list[str],
    at: datetime,
) -> dict:
    """One row of raw.source_loads."""
    return {
        "run_id": run_id,
        "source_kind": kind,
        "source_name": name,
        "file_path": path,
        "file_sha256": sha,
        "status": "rejected" if problems else "accepted",
        "row_count": rows,
        "error_count": len(problems),
        "errors": "\n".join(problems),
        "loaded_at": at,
    }


@dg.asset(
    key=["raw", "manual_observations"],
    group_name="sources",
    deps=[["core", "dim_target"], ["core", "dim_area"]],
    pool=WAREHOUSE_POOL,
)
def manual_observations(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource, inputs: InputsResource
) -> dg.MaterializeResult:
    """Figures entered by hand in the canonical CSV (one file per letter or batch).

    A file with any bad line is rejected whole and its previously loaded rows are kept;
    every problem, naming the file, line and column, goes to ``raw.source_loads``.
    Files that disappeared from the folder lose their rows.
    """
    now = datetime.now(UTC)
    with warehouse.get_connection() as con:
        known_targets = set(
            con.execute("select plan_id, target_code from core.dim_target").fetchall()
        )
        known_areas = {r[0] for r in con.execute("select area_code from core.dim_area").fetchall()}
        spans = area_spans(load_reference(inputs.reference_dir).areas)
        files = [
            read_manual_observations(
                p, known_targets, known_areas, lambda a, period: area_problem(spans, a, period)
            )
            for p in inputs.manual_files()
        ]
        loads, frames = [], []
        for f in files:
            loads.append(
                source_load_row(
                    context.run_id,
                    "manual",
                    "manual_observations",
                    f.path,
                    f.sha256,
                    len(f.rows),
                    f.problems,
                    now,
                )
            )
            if f.accepted:
                frames.append(
                    f.rows.assign(
                        source_file=f.path,
                        file_sha256=f.sha256,
                        loaded_at=now,
                        run_id=context.run_id,
                    )
                )
            else:
                context.log.error(f"rejected {f.path}:\n" + "\n".join(f.problems))
        with wh.transaction(con):
            exists = wh.scalar(
                con,
                "select count(*) from information_schema.tables where table_schema = 'raw' and table_name = 'manual_observations'",
            )
            keep = (
                con.execute("select * from raw.manual_observations").df()
                if exists
                else pd.DataFrame()
            )
            if not keep.empty:
                present = {f.path for f in files}
                replaced = {f.path for f in files if f.accepted}
                keep = keep[keep["source_file"].isin(present) & ~keep["source_file"].isin(replaced)]
            frame = (
                pd.concat([keep, *frames], ignore_index=True) if frames or not keep.empty else None
            )
            if frame is None:
                frame = pd.DataFrame(
                    {
                        c: pd.Series(dtype="string")
                        for c in wh.model("raw.manual_observations").columns
                    }
                )
            frame["value"] = frame["value"].astype("float64")
            frame["source_row"] = frame["source_row"].astype("int64")
            frame["loaded_at"] = pd.to_datetime(frame["loaded_at"], utc=True)
            n = wh.write_table(con, "raw.manual_observations", frame)
            wh.append_rows(
                con,
                "raw.source_loads",
                pd.DataFrame(loads),
                delete_where=f"run_id = '{context.run_id}' and source_kind = 'manual'",
            )
    rejected = [f.path for f in files if not f.accepted]
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": n,
            "files_accepted": len(files) - len(rejected),
            "files_rejected": len(rejected),
            "rejected": dg.MetadataValue.md(
                "\n".join(f"- `{f.path}`: {p}" for f in files for p in f.problems) or "none"
            ),
        }
    )
