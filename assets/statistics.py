"""National statistics: the statistics office's PX-Web tables and World Bank comparators."""

import hashlib
from datetime import UTC, datetime, timedelta

import dagster as dg
import pandas as pd

from assets.manual import source_load_row
from chitieu import warehouse as wh
from chitieu.resources import NETWORK_RETRY, StatisticsResource, WarehouseResource
from sources.statistics.http import Answer, CachingTransport, FetchError
from sources.statistics.mapping import fetch_pxweb_table
from sources.statistics.pxweb import PxWebClient, PxWebError
from sources.statistics.worldbank import WorldBankClient, WorldBankError


def _cached_answers(con, source: str, ttl_minutes: int) -> dict[str, Answer]:
    """Successful answers younger than the TTL, by request key."""
    if not wh.scalar(
        con,
        "select count(*) from information_schema.tables where table_schema = 'raw' and table_name = 'http_responses'",
    ):
        return {}
    since = datetime.now(UTC) - timedelta(minutes=ttl_minutes)
    rows = con.execute(
        """select method, url, request_body, status, content, retrieved_at from raw.http_responses
           where source = ? and status < 400 and retrieved_at >= ?
           qualify row_number() over (partition by request_key order by retrieved_at desc) = 1""",
        [source, since],
    ).fetchall()
    answers = [Answer(m, u, b, s, bytes(c), r, "cache") for m, u, b, s, c, r in rows]
    return {a.request_key: a for a in answers}


def _store_answers(con, source: str, answers: list[Answer], run_id: str) -> None:
    if not answers:
        return
    frame = pd.DataFrame(
        [
            {
                "request_key": a.request_key,
                "source": source,
                "method": a.method,
                "url": a.url,
                "request_body": a.body,
                "status": a.status,
                "retrieved_at": a.retrieved_at,
                "mode": a.mode,
                "content": a.content,
                "content_sha256": hashlib.sha256(a.content).hexdigest(),
                "run_id": run_id,
            }
            for a in answers
        ]
    )
    frame["request_body"] = frame["request_body"].astype("string")
    wh.append_rows(con, "raw.http_responses", frame)


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


@dg.asset(
    key=["raw", "pxweb_observations"],
    group_name="sources",
    deps=[["core", "dim_target"]],
    retry_policy=NETWORK_RETRY,
)
def pxweb_observations(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource, statistics: StatisticsResource
) -> dg.MaterializeResult:
    """GRDP growth, economic structure, GRDP per capita and population from the statistics office's
    PX-Web database. Tables are found by title; answers are cached for the TTL and kept in
    ``raw.http_responses``. A table that cannot be fetched or parsed keeps its previous rows and
    is logged as rejected in ``raw.source_loads``; the run goes on."""
    cfg = statistics.load_config()
    now = datetime.now(UTC)
    with warehouse.get_connection() as con:
        transport = CachingTransport(
            statistics.transport(), _cached_answers(con, "pxweb", statistics.ttl_minutes)
        )
        client = PxWebClient(
            statistics.pxweb_base_url or cfg["pxweb"]["base_url"],
            transport,
            cfg["pxweb"].get("language", "vi"),
        )
        units = dict(
            con.execute("select distinct target_code, measure_unit from core.dim_target").fetchall()
        )
        results, loads, moved = [], [], []
        for spec in cfg["pxweb"]["tables"]:
            problems, rows = [], []
            try:
                result = fetch_pxweb_table(client, spec)
                rows = result.rows
                for target in {r["target_code"] for r in rows if r["target_code"]}:
                    if target in units and units[target] != spec["unit"]:
                        problems.append(
                            f"{spec['key']}: unit {spec['unit']!r} differs from the catalogue's {units[target]!r} for {target}"
                        )
                if result.moved:
                    moved.append(
                        f"{spec['key']}: pinned {result.pinned_id}, found {result.table_id} ({result.title})"
                    )
                    context.log.warning(f"PX-Web table moved: {moved[-1]}")
            except (FetchError, PxWebError) as exc:
                problems.append(str(exc))
            url = client.answers[-1].url if client.answers else cfg["pxweb"]["base_url"]
            loads.append(
                source_load_row(
                    context.run_id,
                    "statistics",
                    f"pxweb:{spec['key']}",
                    url,
                    "",
                    len(rows),
                    problems,
                    now,
                )
            )
            if problems:
                context.log.error(
                    f"PX-Web table {spec['key']} kept its previous data: {'; '.join(problems)}"
                )
            else:
                results.append((spec["key"], rows))
        with wh.transaction(con):
            _store_answers(con, "pxweb", transport.fetched, context.run_id)
            for key, rows in results:
                frame = pd.DataFrame(rows).assign(retrieved_at=now, run_id=context.run_id)
                frame["value"] = frame["value"].astype("float64")
                for col in ("target_code", "status_symbol", "area_code"):
                    frame[col] = frame[col].astype("string")
                wh.append_rows(
                    con, "raw.pxweb_observations", frame, delete_where=f"table_key = {_quote(key)}"
                )
            wh.append_rows(
                con,
                "raw.source_loads",
                pd.DataFrame(loads),
                delete_where=f"run_id = {_quote(context.run_id)} and source_kind = 'statistics' and source_name like 'pxweb:%'",
            )
            n = wh.scalar(con, "select count(*) from raw.pxweb_observations") if results else 0
    failed = [load["source_name"] for load in loads if load["status"] == "rejected"]
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": n,
            "mode": statistics.mode,
            "fetched": len(transport.fetched),
            "cache_hits": transport.hits,
            "tables_failed": len(failed),
            "failed": ", ".join(failed) or "none",
            "moved_tables": "; ".join(moved) or "none",
        }
    )


@dg.asset(key=["raw", "worldbank_observations"], group_name="sources", retry_policy=NETWORK_RETRY)
def worldbank_observations(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource, statistics: StatisticsResource
) -> dg.MaterializeResult:
    """National comparators from the World Bank API v2 (e.g. Viet Nam's GDP growth), cached for the TTL.
    An indicator that fails keeps its previous rows; the run goes on."""
    cfg = statistics.load_config()["worldbank"]
    now = datetime.now(UTC)
    with warehouse.get_connection() as con:
        transport = CachingTransport(
            statistics.transport(), _cached_answers(con, "worldbank", statistics.ttl_minutes)
        )
        client = WorldBankClient(statistics.worldbank_base_url or cfg["base_url"], transport)
        loads, frames = [], []
        for ind in cfg["indicators"]:
            problems, values = [], []
            try:
                values = client.indicator(cfg["country"], ind["code"], cfg.get("date"))
            except (FetchError, WorldBankError) as exc:
                problems.append(str(exc))
            url = client.answers[-1].url if client.answers else cfg["base_url"]
            loads.append(
                source_load_row(
                    context.run_id,
                    "statistics",
                    f"worldbank:{ind['code']}",
                    url,
                    "",
                    len(values),
                    problems,
                    now,
                )
            )
            if problems:
                context.log.error(f"World Bank {ind['code']} kept its previous data: {problems[0]}")
                continue
            frames.append(
                (
                    ind["code"],
                    pd.DataFrame(
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
                                "retrieved_at": now,
                                "run_id": context.run_id,
                            }
                            for v in values
                        ]
                    ),
                )
            )
        with wh.transaction(con):
            _store_answers(con, "worldbank", transport.fetched, context.run_id)
            for code, frame in frames:
                frame["value"] = frame["value"].astype("float64")
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
            "failed": len(loads) - len(frames),
            "fetched": len(transport.fetched),
            "cache_hits": transport.hits,
        }
    )


@dg.asset(key=["core", "fact_population"], group_name="core", deps=[["raw", "pxweb_observations"]])
def fact_population(warehouse: WarehouseResource) -> dg.MaterializeResult:
    """Average population by area and year from the statistics office (denominator of per-10,000 targets)."""
    n = wh.build_model(warehouse, "core.fact_population", ensure=("raw.pxweb_observations",))
    return dg.MaterializeResult(metadata={"dagster/row_count": n})


@dg.asset(
    key=["core", "fact_national_indicator"],
    group_name="core",
    deps=[["raw", "worldbank_observations"]],
)
def fact_national_indicator(warehouse: WarehouseResource) -> dg.MaterializeResult:
    """World Bank national comparators attached to the targets they put in context."""
    n = wh.build_model(
        warehouse, "core.fact_national_indicator", ensure=("raw.worldbank_observations",)
    )
    return dg.MaterializeResult(metadata={"dagster/row_count": n})


@dg.asset(
    key=["mart", "source_discrepancies"], group_name="mart", deps=[["core", "fact_observation"]]
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
