"""The Superset dashboard as an import bundle: the YAML in ``bi/superset/chitieu_dashboard``
zipped the way Superset exports it, with the database pointed at the published snapshot.

    python -m chitieu.superset_bundle --warehouse var/published/chitieu.duckdb -o chitieu_dashboard.zip
"""

from __future__ import annotations

import argparse
import json
import zipfile
from pathlib import Path

import yaml

SOURCE_DIR = Path(__file__).resolve().parents[1] / "bi" / "superset" / "chitieu_dashboard"
TOP_FOLDER = "chitieu_dashboard_export"


def sqlalchemy_uri(warehouse: str | Path) -> str:
    """duckdb-engine's URI for the published file, opened read-only (four slashes: absolute path)."""
    return f"duckdb:///{Path(warehouse).resolve()}?access_mode=read_only"


def load_bundle(source: Path = SOURCE_DIR) -> dict[str, dict]:
    """Every YAML of the bundle by its path inside the bundle (e.g. ``charts/status_pie.yaml``)."""
    return {
        p.relative_to(source).as_posix(): yaml.safe_load(p.read_text(encoding="utf-8"))
        for p in sorted(source.rglob("*.yaml"))
    }


def query_context(params: dict) -> str:
    """The saved query of a chart (what Superset's API, CSV export and reports run), derived
    from its ``params``; the dataset id is a placeholder Superset replaces on import."""
    metrics = [*params.get("metrics", []), *([params["metric"]] if "metric" in params else [])]
    if params.get("query_mode") == "raw":
        columns = list(params["all_columns"])
    else:
        columns = [*([params["x_axis"]] if "x_axis" in params else []), *params.get("groupby", [])]
    query = {
        "columns": columns,
        # no metrics (None, not []) is Superset's raw mode: every row, no GROUP BY
        "metrics": metrics or None,
        "filters": [],
        "extras": {"having": "", "where": ""},
        "orderby": [[metrics[0], False]] if params.get("sort_by_metric") else [],
        "row_limit": params.get("row_limit", 10000),
        "order_desc": True,
        "annotation_layers": [],
        "url_params": {},
        "custom_params": {},
        "custom_form_data": {},
    }
    return json.dumps(
        {
            "datasource": {"id": 0, "type": "table"},
            "force": False,
            "queries": [query],
            "form_data": params,
            "result_format": "json",
            "result_type": "full",
        },
        ensure_ascii=False,
    )


def build_bundle(warehouse: str | Path, out: str | Path, source: Path = SOURCE_DIR) -> Path:
    """Write the import zip to ``out`` with every database's URI set to ``warehouse``."""
    out = Path(out)
    uri = sqlalchemy_uri(warehouse)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, doc in load_bundle(source).items():
            if name.startswith("databases/"):
                doc = doc | {"sqlalchemy_uri": uri}
            elif name.startswith("charts/"):
                doc = doc | {"query_context": query_context(doc["params"])}
            text = yaml.safe_dump(doc, allow_unicode=True, sort_keys=False)
            zf.writestr(f"{TOP_FOLDER}/{name}", text)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m chitieu.superset_bundle", description=__doc__)
    parser.add_argument(
        "--warehouse", required=True, help="the published DuckDB file Superset reads"
    )
    parser.add_argument("-o", "--output", required=True, help="the zip to write")
    args = parser.parse_args(argv)
    if not Path(args.warehouse).exists():
        parser.error(f"no published warehouse at {args.warehouse}; run `chitieu run` first")
    print(build_bundle(args.warehouse, args.output))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
