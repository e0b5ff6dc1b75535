"""Catalogue metadata for every asset, in one place: owners, kinds, tags, the warehouse table
and its column schema (from ``warehouse/<schema>/<table>.yaml``), so the UI shows where each
asset lives and what its columns mean without each asset module repeating it."""

from __future__ import annotations

import dagster as dg

from chitieu.warehouse import MODELS_DIR, model

OWNER = "team:data-engineering"
# Where an asset's data comes from, beyond the DuckDB table it writes.
SOURCE_KINDS = {
    "raw/submissions": {"excel"},
    "raw/submission_values": {"excel", "great_expectations"},
    "raw/submission_problems": {"excel"},
    "raw/manual_observations": {"csv", "great_expectations"},
    "raw/pxweb_observations": {"pxweb", "great_expectations"},
    "raw/worldbank_observations": {"api"},
    "core/dim_target": {"yaml", "great_expectations"},
    "publish/attainment_report": {"excel", "html"},
    "publish/exports": {"parquet", "csv"},
    "publish/warehouse": {"duckdb"},
}
# Assets that call remote services: retried by RetryPolicy (see assets/statistics.py).
NETWORK_ASSETS = {"raw/pxweb_observations", "raw/worldbank_observations"}
# Assets whose result depends on the evaluation date (CHITIEU_AS_OF, or today) or the clock, not
# only on their inputs: on a night when only the date moved, they and what is downstream of them
# are all that runs (chitieu/incremental.py). tests/test_incremental_date.py finds every asset
# reading the date and checks it is covered.
DATE_DEPENDENT = {
    "core/fact_observation",  # point in time: figures received and reported by the date
    "core/expected_reports",  # deadlines passed as of the date
    "mart/target_attainment",  # year-end projections and status as of the date
    "mart/source_loads",  # days since each source's last success (current_timestamp)
}
DATE_TAG = "chitieu/depends_on_date"


def date_dependent_keys(defs: dg.Definitions) -> list[dg.AssetKey]:
    """The DATE_DEPENDENT assets and everything downstream of them, in this code location."""
    selection = dg.AssetSelection.tag(DATE_TAG, "true").downstream()
    return sorted(selection.resolve(defs.resolve_asset_graph()))


def column_schema(schema: str, table: str) -> dg.TableSchema | None:
    """The column schema of a warehouse table from its YAML (English description, Vietnamese beside)."""
    if not (MODELS_DIR / schema / f"{table}.yaml").exists():
        return None
    columns = model(f"{schema}.{table}").spec.get("columns", {})
    return dg.TableSchema(
        columns=[
            dg.TableColumn(
                name,
                str(spec.get("type", "varchar")) if isinstance(spec, dict) else "varchar",
                description=(
                    f"{spec.get('en', '')} / {spec.get('vi', '')}".strip(" /")
                    if isinstance(spec, dict)
                    else None
                ),
            )
            for name, spec in columns.items()
        ]
    )


def describe(spec: dg.AssetSpec) -> dg.AssetSpec:
    """Owners, kinds, tags, ``dagster/table_name`` and ``dagster/column_schema`` for one asset."""
    key = spec.key.to_user_string()
    layer, table = spec.key.path[0], spec.key.path[-1]
    schema = column_schema(layer, table)
    kinds = set(SOURCE_KINDS.get(key, set()))
    metadata = {}
    if schema is not None:
        kinds.add("duckdb")
        metadata = {
            "dagster/table_name": f"chitieu.{layer}.{table}",
            "dagster/column_schema": schema,
        }
    if not kinds and not spec.kinds:
        kinds.add("python")
    tags = {"layer": layer}
    if key in NETWORK_ASSETS:
        tags["network"] = ""
    if key in DATE_DEPENDENT:
        tags[DATE_TAG] = "true"
    return spec.merge_attributes(
        owners=[o for o in [OWNER] if o not in spec.owners],
        kinds=kinds - set(spec.kinds),
        tags={k: v for k, v in tags.items() if k not in spec.tags},
        metadata={k: v for k, v in metadata.items() if k not in spec.metadata},
    )


def with_metadata(assets: list) -> list:
    """Every asset of the code location with :func:`describe` applied."""
    return list(dg.map_asset_specs(describe, assets))
