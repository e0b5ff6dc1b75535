"""National statistics: the statistics office's PX-Web tables and World Bank comparators.

Each table (or indicator) is one unit: fetched, checked and cached whole. A unit that fails
in any way keeps its previous rows and is logged as rejected in ``raw.source_loads``; the
other units load and the run goes on.
"""

from datetime import UTC, datetime

import dagster as dg
import pandas as pd

from assets.manual import source_load_row
from chitieu import warehouse as wh
from chitieu.resources import NETWORK_RETRY, WAREHOUSE_POOL, StatisticsResource, WarehouseResource
from sources.statistics.cache import SharedGets, UnitResult, cached_units, fetch_unit, store_answers
from sources.statistics.mapping import fetch_pxweb_table
from sources.statistics.pxweb import PxWebClient, PxWebError
from sources.statistics.worldbank import WorldBankClient


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _load_row(
    context, unit: str, base: str, result: UnitResult, rows: int, notes: list[str], now
) -> dict:
    url = result.answers[-1].url if result.answers else base
    row = source_load_row(
        context.run_id,
        "statistics",
        unit,
        url,
        "",
        rows,
        [result.problem] if result.problem else [],
        now,
    )
    if result.problem is None and rows == 0:
        row["status"] = "no_data"
    if notes and not result.problem:
        row["errors"] = "\n".join(notes)
    return row


def _log(context, unit: str, result: UnitResult, notes: list[str]) -> None:
    if result.problem:
        context.log.error(f"{unit} kept its previous data: {result.problem}")
    for note in notes + ([result.note] if result.note and not result.problem else []):
        context.log.warning(f"{unit}: {note}")


def _fetch_table(base: str, language: str, spec: dict, units: dict):
    def fetch(transport):
        result = fetch_pxweb_table(PxWebClient(base, transport, language), spec)
        for target in {r["target_code"] for r in result.rows if r["target_code"]}:
            if target in units and units[target] != spec["unit"]:
                raise PxWebError(
                    f"{spec['key']}: unit {spec['unit']!r} differs from the catalogue's {units[target]!r} for {target}"
                )
        return result

    return fetch


@dg.asset(
    key=["raw", "pxweb_observations"],
    group_name="sources",
    deps=[["core", "dim_target"]],
    retry_policy=NETWORK_RETRY,
    pool=WAREHOUSE_POOL,
)
def pxweb_observations(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource, statistics: StatisticsResource
) -> dg.MaterializeResult:
    """GRDP growth, economic structure, GRDP per capita and population from the statistics office's
    PX-Web database. Tables are found by title; each table's listing, metadata and data are
    fetched, checked and cached as one unit (kept in ``raw.http_responses``). A table that cannot
    be fetched, parsed or trusted keeps its previous rows and is logged as rejected in
    ``raw.source_loads``; the run goes on."""
    cfg = statistics.load_config()["pxweb"]
    base = statistics.pxweb_base_url or cfg["base_url"]
    now = datetime.now(UTC)
    with warehouse.get_connection() as con:
        inner = SharedGets(statistics.transport())
        cached = cached_units(con, "pxweb", inner.mode, base, statistics.ttl_minutes)
        units = dict(
            con.execute("select distinct target_code, measure_unit from core.dim_target").fetchall()
        )
        fetched, loads, moved = [], [], []
        for spec in cfg["tables"]:
            unit = f"pxweb:{spec['key']}"
            result = fetch_unit(
                _fetch_table(base, cfg.get("language", "vi"), spec, units), inner, cached.get(unit)
            )
            notes = []
            if result.value is not None and result.value.moved:
                choice = result.value.choice
                notes.append(
                    f"table moved: pinned {choice.pinned_id}, used {choice.table_id} ({choice.title!r}), "
                    "the only title match with the configured dimensions and unit; update table_id in "
                    "sources/statistics/config.yaml"
                )
                moved.append(f"{spec['key']}: {choice.pinned_id} → {choice.table_id}")
            _log(context, unit, result, notes)
            rows = result.value.rows if result.value is not None else []
            loads.append(_load_row(context, unit, base, result, len(rows), notes, now))
            fetched.append((unit, result))
        with wh.transaction(con):
            store_answers(con, "pxweb", base, fetched, context.run_id)
            for _unit, result in fetched:
                if result.problem or not result.value.rows:
                    continue
                frame = pd.DataFrame(result.value.rows).assign(
                    retrieved_at=min(a.retrieved_at for a in result.answers), run_id=context.run_id
                )
                frame["value"] = frame["value"].astype("float64")
                for col in ("target_code", "status_symbol", "area_code"):
                    frame[col] = frame[col].astype("string")
                wh.append_rows(
                    con,
                    "raw.pxweb_observations",
                    frame,
                    delete_where=f"table_key = {_quote(result.value.key)}",
                )
            wh.append_rows(
                con,
                "raw.source_loads",
                pd.DataFrame(loads),
                delete_where=f"run_id = {_quote(context.run_id)} and source_kind = 'statistics' and source_name like 'pxweb:%'",
            )
            wh.ensure_table(con, "raw.pxweb_observations")
            n = wh.scalar(con, "select count(*) from raw.pxweb_observations")
    failed = [load["source_name"] for load in loads if load["status"] == "rejected"]
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": n,
            "mode": statistics.mode,
            "fetched": sum(len(r.answers) for _, r in fetched if not r.from_cache),
            "units_from_cache": sum(r.from_cache for _, r in fetched),
            "tables_failed": len(failed),
            "failed": ", ".join(failed) or "none",
            "moved_tables": "; ".join(moved) or "none",
        }
    )


def _indicator_frame(ind: dict, values, url: str, retrieved_at, run_id: str) -> pd.DataFrame:
    frame = pd.DataFrame(
        [
            {
                "indicator_code": v.indicator,
                "indicator_name": v.indicator_name,
                "name_vi": ind.get("name_vi", ""),
                "country": v.country,
                "year": v.year,
                "value": v.value,
                "unit": ind.get("unit", ""),
                "compare_with": ",".join(ind.get("compare_with", [])),
                "url": url,
                "retrieved_at": retrieved_at,
                "run_id": run_id,
            }
            for v in values
        ]
    )
    frame["value"] = frame["value"].astype("float64")
    return frame


@dg.asset(
    key=["raw", "worldbank_observations"],
    group_name="sources",
    retry_policy=NETWORK_RETRY,
    pool=WAREHOUSE_POOL,
)
def worldbank_observations(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource, statistics: StatisticsResource
) -> dg.MaterializeResult:
    """National comparators from the World Bank API v2 (e.g. Viet Nam's GDP growth), cached per
    indicator for the TTL. An indicator that fails keeps its previous rows; an empty result is
    "no data" (previous rows kept too); the run goes on."""
    cfg = statistics.load_config()["worldbank"]
    base = statistics.worldbank_base_url or cfg["base_url"]
    now = datetime.now(UTC)
    with warehouse.get_connection() as con:
        inner = statistics.transport()
        cached = cached_units(con, "worldbank", inner.mode, base, statistics.ttl_minutes)
        fetched, loads, frames = [], [], []
        for ind in cfg["indicators"]:
            unit = f"worldbank:{ind['code']}"

            def fetch(transport, code=ind["code"]):
                return WorldBankClient(base, transport).indicator(
                    cfg["country"], code, cfg.get("date")
                )

            result = fetch_unit(fetch, inner, cached.get(unit))
            values = result.value or []
            _log(context, unit, result, [])
            loads.append(_load_row(context, unit, base, result, len(values), [], now))
            fetched.append((unit, result))
            if values:
                retrieved = min(a.retrieved_at for a in result.answers)
                frames.append(
                    (
                        ind["code"],
                        _indicator_frame(
                            ind, values, result.answers[-1].url, retrieved, context.run_id
                        ),
                    )
                )
        with wh.transaction(con):
            store_answers(con, "worldbank", base, fetched, context.run_id)
            for code, frame in frames:
                wh.append_rows(
                    con,
                    "raw.worldbank_observations",
                    frame,
                    delete_where=f"indicator_code = {_quote(code)}",
                )
            wh.append_rows(
                con,
                "raw.source_loads",
                pd.DataFrame(loads),
                delete_where=f"run_id = {_quote(context.run_id)} and source_name like 'worldbank:%'",
            )
    return dg.MaterializeResult(
        metadata={
            "indicators": len(frames),
            "failed": sum(load["status"] == "rejected" for load in loads),
            "no_data": sum(load["status"] == "no_data" for load in loads),
            "fetched": sum(len(r.answers) for _, r in fetched if not r.from_cache),
            "units_from_cache": sum(r.from_cache for _, r in fetched),
        }
    )


@dg.asset(
    key=["core", "fact_population"],
    group_name="core",
    deps=[["raw", "pxweb_observations"]],
    pool=WAREHOUSE_POOL,
)
def fact_population(warehouse: WarehouseResource) -> dg.MaterializeResult:
    """Average population by area and year from the statistics office (denominator of per-10,000 targets)."""
    n = wh.build_model(warehouse, "core.fact_population", ensure=("raw.pxweb_observations",))
    return dg.MaterializeResult(metadata={"dagster/row_count": n})


@dg.asset(
    key=["core", "fact_national_indicator"],
    group_name="core",
    deps=[["raw", "worldbank_observations"]],
    pool=WAREHOUSE_POOL,
)
def fact_national_indicator(warehouse: WarehouseResource) -> dg.MaterializeResult:
    """World Bank national comparators attached to the targets they put in context."""
    n = wh.build_model(
        warehouse, "core.fact_national_indicator", ensure=("raw.worldbank_observations",)
    )
    return dg.MaterializeResult(metadata={"dagster/row_count": n})


@dg.asset(
    key=["mart", "source_discrepancies"],
    group_name="mart",
    deps=[["core", "fact_observation"], ["core", "dim_label"]],
    pool=WAREHOUSE_POOL,
)
def source_discrepancies(
    warehouse: WarehouseResource, statistics: StatisticsResource
) -> dg.MaterializeResult:
    """Statistics-office figures beside department or manual figures for the same target, area and
    period, flagging differences above the configured threshold. Attainment uses the official one."""
    rec = statistics.load_config().get("reconciliation", {})
    with warehouse.get_connection() as con, wh.transaction(con):
        con.execute("set variable points_threshold = ?", [float(rec.get("points_threshold", 0.5))])
        con.execute(
            "set variable relative_threshold_pct = ?",
            [float(rec.get("relative_threshold_pct", 2.0))],
        )
        n = wh.build(con, "mart.source_discrepancies")
        flagged = con.execute(
            "select target_code, period_code, official_value, other_value from mart.source_discrepancies where exceeds_threshold"
        ).fetchall()
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": n,
            "exceeding_threshold": len(flagged),
            "flagged": "; ".join(f"{t} {p}: {o} vs {x}" for t, p, o, x in flagged) or "none",
        }
    )
