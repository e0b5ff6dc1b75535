"""Fetch units and their cache: a table's listing, metadata and data are fetched, accepted and
cached together, so a cached metadata answer is never paired with a fresh data answer.

Only the answers of an accepted unit are reused, and only by the same mode (``live`` never
sees ``recorded`` answers) and the same base URL, while younger than the TTL.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pandas as pd

from chitieu import warehouse as wh
from sources.statistics.http import Answer, FetchError, canonical_body, request_key

CACHE_COLUMNS = {"base_url": "varchar", "unit_key": "varchar", "accepted": "boolean"}


class CacheMiss(LookupError):
    """A request the cached unit does not hold: the unit is fetched again, whole."""


class SharedGets:
    """Within one run, an identical GET (a folder listing) is asked of the server once; a
    failure is remembered too, so one broken listing is not retried for every table in it."""

    def __init__(self, inner):
        self.inner = inner
        self.mode = inner.mode
        self.memo: dict[str, Answer | FetchError] = {}

    def use_server_limits(self, url: str) -> None:
        hook = getattr(self.inner, "use_server_limits", None)
        if hook:
            hook(url)

    def request(self, method: str, url: str, payload: dict | None = None) -> Answer:
        if method.upper() != "GET":
            return self.inner.request(method, url, payload)
        key = request_key(method, url, None)
        if key not in self.memo:
            try:
                self.memo[key] = self.inner.request(method, url, payload)
            except FetchError as exc:
                self.memo[key] = exc
        if isinstance(self.memo[key], FetchError):
            raise self.memo[key]
        return self.memo[key]


class UnitTransport:
    """The answers of one unit: served from ``cached`` only (misses raise ``CacheMiss``), or live."""

    def __init__(self, inner, cached: dict[str, Answer] | None = None):
        self.inner = inner
        self.cached = cached
        self.answers: list[Answer] = []

    def use_server_limits(self, url: str) -> None:
        if self.cached is None and hasattr(self.inner, "use_server_limits"):
            self.inner.use_server_limits(url)

    def request(self, method: str, url: str, payload: dict | None = None) -> Answer:
        if self.cached is not None:
            answer = self.cached.get(request_key(method, url, canonical_body(payload)))
            if answer is None:
                raise CacheMiss(f"{method} {url}")
        else:
            answer = self.inner.request(method, url, payload)
        self.answers.append(answer)
        return answer


@dataclass
class UnitResult:
    """What fetching one unit gave: its value (None if refused), the answers, and any problem."""

    value: object
    answers: list[Answer]
    problem: str | None
    from_cache: bool
    note: str = ""


def fetch_unit(fetch: Callable, inner, cached: dict[str, Answer] | None) -> UnitResult:
    """Run ``fetch(transport)`` on the cached unit if there is one, else (or if the cached unit
    is incomplete or now refused) on fresh answers. Any error becomes the unit's problem."""
    note = ""
    if cached:
        t = UnitTransport(inner, cached)
        try:
            return UnitResult(fetch(t), t.answers, None, True)
        except CacheMiss:
            note = "cached answers incomplete; fetched again"
        except Exception as exc:  # noqa: BLE001 - a refused cached unit is fetched again
            reason = describe(exc)
            if "served from cache" not in reason:
                reason += t.answers[-1].origin() if t.answers else " (answer served from cache)"
            note = f"cached answers refused: {reason}; fetched again"
    t = UnitTransport(inner)
    try:
        return UnitResult(fetch(t), t.answers, None, False, note)
    except Exception as exc:  # noqa: BLE001 - one table's failure never costs the run
        problem = describe(exc) + (f" [{note}]" if note else "")
        return UnitResult(None, t.answers, problem, False, note)


def describe(exc: BaseException) -> str:
    """The message of a known failure; the type too for an unexpected one."""
    if isinstance(exc, FetchError):
        return str(exc)
    return f"unexpected {type(exc).__name__}: {exc}"


def _has_table(con, name: str) -> bool:
    schema, table = name.split(".")
    return bool(
        wh.scalar(
            con,
            "select count(*) from information_schema.tables where table_schema = ? and table_name = ?",
            [schema, table],
        )
    )


def ensure_cache_columns(con) -> None:
    """Add the cache-key columns to a raw.http_responses written by an older version."""
    if _has_table(con, "raw.http_responses"):
        for col, kind in CACHE_COLUMNS.items():
            con.execute(f"alter table raw.http_responses add column if not exists {col} {kind}")


def cached_units(
    con, source: str, mode: str, base_url: str, ttl_minutes: int
) -> dict[str, dict[str, Answer]]:
    """Per unit key, the answers of its latest accepted fetch younger than the TTL, by request key."""
    if ttl_minutes <= 0 or not _has_table(con, "raw.http_responses"):
        return {}
    ensure_cache_columns(con)
    since = datetime.now(UTC) - timedelta(minutes=ttl_minutes)
    rows = con.execute(
        """with fetches as (
               select unit_key, run_id, min(retrieved_at) as fetched_at
               from raw.http_responses
               where source = ? and mode = ? and base_url = ? and accepted
               group by unit_key, run_id
               qualify row_number() over (partition by unit_key order by fetched_at desc) = 1
           )
           select r.unit_key, r.method, r.url, r.request_body, r.status, r.content, r.retrieved_at, r.mode
           from raw.http_responses as r
           inner join fetches as f using (unit_key, run_id)
           where f.fetched_at >= ? and r.source = ? and r.accepted""",
        [source, mode, base_url, since, source],
    ).fetchall()
    units: dict[str, dict[str, Answer]] = {}
    for unit, m, u, b, s, c, r, md in rows:
        answer = Answer(m, u, b, s, bytes(c), r, md, from_cache=True)
        units.setdefault(unit, {})[answer.request_key] = answer
    return units


def store_answers(
    con, source: str, base_url: str, units: list[tuple[str, UnitResult]], run_id: str
) -> int:
    """Keep every answer fetched in this run, per unit, marking those of accepted units."""
    rows = [
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
            "base_url": base_url,
            "unit_key": unit,
            "accepted": result.problem is None,
        }
        for unit, result in units
        if not result.from_cache
        for a in result.answers
    ]
    if not rows:
        return 0
    ensure_cache_columns(con)
    frame = pd.DataFrame(rows)
    frame["request_body"] = frame["request_body"].astype("string")
    frame["accepted"] = frame["accepted"].astype(bool)
    return wh.append_rows(con, "raw.http_responses", frame)
